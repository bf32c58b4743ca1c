import Optim
import Tensor
import TestSupport
import Testing

/// Invalid hyper-parameters and mismatched saved states throw ``OptimizerError`` with the
/// documented message: `<type>: <hyper-parameter> must be <range>, got <value>`.
@Suite struct ValidationTests {
    let p = Parameter(Tensor([1, 2]))
    let q = Parameter(Tensor([[1, 2], [3, 4]]))

    @Test func optimizerHyperParameters() {
        #expect(errorMessage { _ = try SGD([p], learningRate: -1) } == "SGD: learning rate must be >= 0, got -1.0")
        #expect(errorMessage { _ = try SGD([p], learningRate: .nan) } == "SGD: learning rate must be >= 0, got nan")
        #expect(errorMessage { _ = try SGD([p], momentum: -0.5) } == "SGD: momentum must be >= 0, got -0.5")
        #expect(errorMessage { _ = try SGD([p], dampening: -1) } == "SGD: dampening must be >= 0, got -1.0")
        #expect(errorMessage { _ = try SGD([p], weightDecay: -0.1) } == "SGD: weight decay must be >= 0, got -0.1")
        #expect(
            errorMessage { _ = try SGD([p], nesterov: true) }
                == "SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0.0 and dampening 0.0")
        #expect(
            errorMessage { _ = try SGD([p], momentum: 0.9, dampening: 0.1, nesterov: true) }
                == "SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1")
        #expect(errorMessage { _ = try Adam([p], learningRate: -1) } == "Adam: learning rate must be >= 0, got -1.0")
        #expect(errorMessage { _ = try Adam([p], betas: (1.0, 0.999)) } == "Adam: beta1 must be in [0, 1), got 1.0")
        #expect(errorMessage { _ = try Adam([p], betas: (0.9, -0.1)) } == "Adam: beta2 must be in [0, 1), got -0.1")
        #expect(errorMessage { _ = try Adam([p], eps: -1e-8) } == "Adam: eps must be >= 0, got -1e-08")
        #expect(
            errorMessage { _ = try AdamW([p], weightDecay: -0.01) } == "AdamW: weight decay must be >= 0, got -0.01")
        #expect(
            errorMessage { _ = try AdamW([p], learningRate: .infinity) } == "AdamW: learning rate must be >= 0, got inf"
        )
        #expect(errorMessage { _ = try SGD([p], learningRate: 0, momentum: 0.9, nesterov: true) } == nil)
    }

    @Test func groupOverridesAreValidatedToo() throws {
        #expect(
            errorMessage { _ = try SGD(groups: [ParameterGroup([p]), ParameterGroup([q], learningRate: -0.5)]) }
                == "SGD: learning rate must be >= 0, got -0.5")
        #expect(
            errorMessage { _ = try Adam(groups: [ParameterGroup([p], weightDecay: -1)]) }
                == "Adam: weight decay must be >= 0, got -1.0")
        let adam = try Adam([p])
        var options = adam.groupOptions[0]
        options.beta2 = 1
        #expect(errorMessage { try adam.setOptions(options, forGroup: 0) } == "Adam: beta2 must be in [0, 1), got 1.0")
        let sgd = try SGD([p], momentum: 0.9)
        var sgdOptions = sgd.groupOptions[0]
        sgdOptions.nesterov = true
        sgdOptions.dampening = 0
        #expect(errorMessage { try sgd.setOptions(sgdOptions, forGroup: 0) } == nil)
        #expect(sgd.groupOptions[0].nesterov)
    }

    @Test func parameterLists() {
        #expect(errorMessage { _ = try SGD([]) } == "SGD: got an empty parameter list")
        #expect(
            errorMessage { _ = try AdamW(groups: [ParameterGroup([]), ParameterGroup([])]) }
                == "AdamW: got an empty parameter list")
        #expect(
            errorMessage { _ = try Adam(groups: [ParameterGroup([p, q]), ParameterGroup([p])]) }
                == "Adam: a parameter of shape [2] appears more than once (again in group 1); each parameter must be in exactly one group"
        )
    }

    @Test func schedulerSettings() throws {
        let sgd = try SGD([p], learningRate: 0.1, momentum: 0.9)
        #expect(errorMessage { _ = try StepLR(sgd, stepSize: 0) } == "StepLR: stepSize must be > 0, got 0")
        #expect(errorMessage { _ = try StepLR(sgd, stepSize: 2, gamma: -1) } == "StepLR: gamma must be > 0, got -1.0")
        #expect(
            errorMessage { _ = try MultiStepLR(sgd, milestones: [3, -1]) }
                == "MultiStepLR: every milestone must be >= 0, got -1")
        #expect(errorMessage { _ = try ExponentialLR(sgd, gamma: 0) } == "ExponentialLR: gamma must be > 0, got 0.0")
        #expect(errorMessage { _ = try ConstantLR(sgd, factor: 0) } == "ConstantLR: factor must be in (0, 1], got 0.0")
        #expect(
            errorMessage { _ = try CosineAnnealingLR(sgd, tMax: 0) } == "CosineAnnealingLR: tMax must be > 0, got 0")
        #expect(
            errorMessage { _ = try CosineAnnealingLR(sgd, tMax: 5, minLearningRate: -1) }
                == "CosineAnnealingLR: minLearningRate must be >= 0, got -1.0")
        #expect(
            errorMessage { _ = try WarmupCosineLR(sgd, warmupEpochs: 10, totalEpochs: 10) }
                == "WarmupCosineLR: totalEpochs must be > warmupEpochs (10), got 10")
        #expect(
            errorMessage { _ = try WarmupCosineLR(sgd, warmupEpochs: 1, totalEpochs: 10, warmupStartFactor: 1.5) }
                == "WarmupCosineLR: warmupStartFactor must be in [0, 1], got 1.5")
        #expect(
            errorMessage { _ = try OneCycleLR(sgd, maxLearningRate: 0.1, totalSteps: 0) }
                == "OneCycleLR: totalSteps must be > 0, got 0")
        #expect(
            errorMessage { _ = try OneCycleLR(sgd, maxLearningRate: 0.1, totalSteps: 10, pctStart: 1.2) }
                == "OneCycleLR: pctStart must be in [0, 1], got 1.2")
        #expect(
            errorMessage { _ = try OneCycleLR(sgd, maxLearningRates: [0.1, 0.2], totalSteps: 10) }
                == "OneCycleLR: the number of maximum learning rates must be the number of parameter groups (1), got 2")
        #expect(
            errorMessage { _ = try ReduceLROnPlateau(sgd, factor: 1) }
                == "ReduceLROnPlateau: factor must be in [0, 1), got 1.0")
        #expect(
            errorMessage { _ = try ReduceLROnPlateau(sgd, patience: -1) }
                == "ReduceLROnPlateau: patience must be >= 0, got -1")
    }

    @Test func mismatchedStates() throws {
        let adam = try Adam([p, q])
        adam.zeroGrad()
        ((p.value * p.value).sum() + (q.value * q.value).sum()).backward()
        adam.step()
        let state = adam.state()

        let sgd = try SGD([p, q])
        #expect(errorMessage { try sgd.load(state) } == "SGD.load: the saved state was written by Adam")
        let oneGroup = try Adam([p])
        #expect(
            errorMessage { try oneGroup.load(state) }
                == "Adam.load: group 0 has 2 parameters in the saved state, 1 in the optimizer")
        let twoGroups = try Adam(groups: [ParameterGroup([p]), ParameterGroup([q])])
        #expect(
            errorMessage { try twoGroups.load(state) }
                == "Adam.load: the saved state has 1 parameter groups, the optimizer has 2")
        let swapped = try Adam([q, p])
        #expect(
            errorMessage { try swapped.load(state) }
                == "Adam.load: 'state.0.exp_avg' has shape [2], the parameter has shape [2, 2]")

        var missing = state
        missing.tensors["state.1.exp_avg_sq"] = nil
        let target = try Adam([p, q])
        #expect(
            errorMessage { try target.load(missing) }
                == "Adam.load: 'state.1.exp_avg_sq' is missing from the saved state")
        var stray = state
        stray.tensors["state.0.momentum_buffer"] = Tensor([0, 0])
        #expect(
            errorMessage { try target.load(stray) }
                == "Adam.load: unexpected key 'state.0.momentum_buffer' in the saved state")
        stray = state
        stray.tensors["exp_avg"] = Tensor([0, 0])
        #expect(errorMessage { try target.load(stray) } == "Adam.load: unexpected key 'exp_avg' in the saved state")
        var badLR = state
        badLR.metadata.groups[0].hyperParameters["lr"] = -3
        #expect(errorMessage { try target.load(badLR) } == "Adam: learning rate must be >= 0, got -3.0")
        var noLR = state
        noLR.metadata.groups[0].hyperParameters["lr"] = nil
        #expect(errorMessage { try target.load(noLR) } == "Adam.load: group 0 of the saved state has no 'lr'")
        #expect(errorMessage { try target.load(state) } == nil)
        #expect(
            errorMessage { _ = try OptimizerState(encodedMetadata: "{", tensors: [:]) }?.hasPrefix(
                "OptimizerState: cannot read the metadata JSON") == true)

        let scheduler = try StepLR(target, stepSize: 3)
        let cosine = try CosineAnnealingLR(target, tMax: 3)
        #expect(
            errorMessage { try scheduler.load(cosine.state()) }
                == "StepLR.load: the saved state was written by CosineAnnealingLR")
        var wrongCount = scheduler.state()
        wrongCount.lastLearningRates = [0.1, 0.2]
        #expect(
            errorMessage { try scheduler.load(wrongCount) }
                == "StepLR.load: the saved state has 2 learning rates, the optimizer has 1 parameter groups")
    }

    @Test func errorDescriptionIsTheMessage() {
        let error = OptimizerError("Adam: learning rate must be >= 0, got -1.0")
        #expect("\(error)" == error.message)
        #expect(error.localizedDescription == error.message)
    }
}
