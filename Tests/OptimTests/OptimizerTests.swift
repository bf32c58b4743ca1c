import Optim
import Tensor
import TestSupport
import Testing

/// SGD, Adam and AdamW against `torch.optim` (Tests/Fixtures/optim_optimizers.json, written by
/// scripts/fixtures/optim_fixtures.py): 20 steps on a least-squares problem with two
/// parameter groups, comparing the learning rates and both parameters after every step.
@Suite struct OptimizerTests {
    static func fixture() throws -> Fixture { try Fixture.shared("optim_optimizers") }

    @Test(arguments: ["sgd_plain", "sgd_momentum", "sgd_nesterov", "adam", "adam_amsgrad", "adamw"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Self.fixture()
        let problem = try LeastSquares(fixture)
        let (w, b) = problem.parameters()
        let optimizer = try makeOptimizer(name, w, b)
        let expectedLR = try fixture.tensor("\(name).lr")
        let expectedW = try fixture.tensor("\(name).w"), expectedB = try fixture.tensor("\(name).b")
        let expectedLoss = try fixture.tensor("\(name).loss")
        for step in 0..<20 {
            let lr = Tensor(optimizer.learningRates.map { Float($0) })
            expectClose(lr, expectedLR[step], rtol: 1e-6, atol: 0, "\(name) learning rates at step \(step)")
            let loss = problem.step(optimizer, w, b)
            expectClose(Tensor(loss), expectedLoss[step], "\(name) loss at step \(step)")
            expectClose(w.value, expectedW[step], "\(name) w after step \(step)")
            expectClose(b.value, expectedB[step], "\(name) b after step \(step)")
        }
    }

    @Test func parametersWithoutGradientOrFrozenAreSkipped() throws {
        let trained = Parameter(Tensor([1, 2, 3]))
        let untouched = Parameter(Tensor([4, 5]))  // never gets a gradient
        let frozen = Parameter(Tensor([6, 7]), requiresGrad: false)
        for optimizer in [
            try SGD([trained, untouched, frozen], learningRate: 0.1, momentum: 0.9) as any Optimizer,
            try Adam([trained, untouched, frozen], learningRate: 0.1)
        ] {
            let before = (trained.value.scalars, untouched.value.scalars, frozen.value.scalars)
            optimizer.zeroGrad()
            ((trained.value * trained.value).sum() + (frozen.value * 2).sum()).backward()
            #expect(untouched.grad == nil)
            #expect(frozen.grad == nil)
            optimizer.step()
            #expect(trained.value.scalars != before.0)
            #expect(untouched.value.scalars == before.1)
            #expect(frozen.value.scalars == before.2)
            // State exists only for the parameter that was updated (flat index 0).
            let keys = optimizer.state().tensors.keys
            #expect(!keys.isEmpty)
            #expect(keys.allSatisfy { $0.hasPrefix("state.0.") })
        }
    }

    @Test func zeroGradForgetsAllGradients() throws {
        let (w, b) = try LeastSquares(Self.fixture()).parameters()
        let optimizer = try SGD(groups: twoGroups(w, b), learningRate: 0.1)
        (w.value.sum() + b.value.sum()).backward()
        #expect(w.grad != nil && b.grad != nil)
        optimizer.zeroGrad()
        #expect(w.grad == nil && b.grad == nil)
    }

    @Test func groupsResolveOverridesAndDefaults() throws {
        let (w, b) = try LeastSquares(Self.fixture()).parameters()
        let optimizer = try AdamW(
            groups: ParameterGroup.separatingNoDecay([b, w]), learningRate: 0.003, weightDecay: 0.05)
        #expect(optimizer.parameterGroups.count == 2)
        #expect(optimizer.parameterGroups[0].parameters.map(\.shape) == [[2, 3]])
        #expect(optimizer.parameterGroups[1].parameters.map(\.shape) == [[2]])
        #expect(optimizer.groupOptions.map(\.weightDecay) == [0.05, 0])
        #expect(optimizer.learningRates == [0.003, 0.003])
        #expect(optimizer.parameters.count == 2)
        optimizer.setLearningRate(0.001, ofGroup: 1)
        #expect(optimizer.learningRates == [0.003, 0.001])
        #expect(optimizer.momentum(ofGroup: 0) == 0.9)
    }

    @Test func stateSnapshotDoesNotChangeWithLaterSteps() throws {
        let problem = try LeastSquares(Self.fixture())
        let (w, b) = problem.parameters()
        let optimizer = try makeOptimizer("adam_amsgrad", w, b)
        problem.step(optimizer, w, b)
        let snapshot = optimizer.state()
        let saved = snapshot.tensors.mapValues(bits)
        #expect(
            Set(snapshot.tensors.keys) == [
                "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"
            ])
        #expect(snapshot.tensors["state.1.step"]!.shape == [])
        #expect(snapshot.tensors["state.1.step"]!.item == 1)
        problem.step(optimizer, w, b)
        #expect(snapshot.tensors.mapValues(bits) == saved)
        #expect(optimizer.state().tensors["state.0.step"]!.item == 2)
        #expect(snapshot.metadata.groups.map(\.parameterCount) == [1, 1])
        #expect(
            snapshot.metadata.groups[0].hyperParameters == [
                "lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.01, "amsgrad": 1
            ])
    }

    @Test func sgdStateNamesMomentumBuffers() throws {
        let problem = try LeastSquares(Self.fixture())
        let (w, b) = problem.parameters()
        let optimizer = try makeOptimizer("sgd_nesterov", w, b)
        #expect(optimizer.state().tensors.isEmpty)
        problem.step(optimizer, w, b)
        let state = optimizer.state()
        #expect(Set(state.tensors.keys) == ["state.0.momentum_buffer", "state.1.momentum_buffer"])
        #expect(state.metadata.optimizer == "SGD")
        #expect(
            state.metadata.groups[1].hyperParameters == [
                "lr": 0.2, "momentum": 0.9, "dampening": 0, "nesterov": 1, "weight_decay": 0
            ])
    }
}
