import Optim
import Tensor
import TestSupport
import Testing

/// A scheduler under test and how to step it at step `t`.
struct ScheduledRun {
    let scheduler: any LRScheduler
    let advance: (Int) -> Void
}

/// The optimizer each scheduler case of the fixture uses.
func schedulerCaseOptimizer(_ name: String) -> String {
    name == "onecycle_adamw" ? "adamw_nodecay_b" : "sgd_momentum_plain"
}

/// The scheduler of each fixture case, configured as in optim_fixtures.py, driving `optimizer`.
func makeScheduler(_ name: String, _ optimizer: any Optimizer, metrics: [Double]) throws -> ScheduledRun {
    func stepwise(_ scheduler: any StepwiseLRScheduler) -> ScheduledRun {
        ScheduledRun(scheduler: scheduler) { _ in scheduler.step() }
    }
    switch name {
    case "constant":
        return stepwise(try ConstantLR(optimizer, factor: 0.5, totalIters: 4))
    case "step":
        return stepwise(try StepLR(optimizer, stepSize: 5, gamma: 0.5))
    case "multistep":
        return stepwise(try MultiStepLR(optimizer, milestones: [3, 8, 8, 15], gamma: 0.5))
    case "exponential":
        return stepwise(try ExponentialLR(optimizer, gamma: 0.9))
    case "cosine":
        return stepwise(try CosineAnnealingLR(optimizer, tMax: 8, minLearningRate: 0.001))
    case "warmup_cosine":
        return stepwise(
            try WarmupCosineLR(
                optimizer, warmupEpochs: 5, totalEpochs: 15, warmupStartFactor: 0.1,
                minLearningRate: 0.001))
    case "onecycle_sgd":
        return stepwise(try OneCycleLR(optimizer, maxLearningRates: [0.2, 0.1], totalSteps: 20))
    case "onecycle_adamw":
        return stepwise(try OneCycleLR(optimizer, maxLearningRate: 0.05, totalSteps: 20))
    case "onecycle_linear3":
        return stepwise(
            try OneCycleLR(
                optimizer, maxLearningRate: 0.2, totalSteps: 20, pctStart: 0.25,
                annealStrategy: .linear, threePhase: true))
    case "plateau":
        let scheduler = try ReduceLROnPlateau(
            optimizer, factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1,
            minLearningRates: [0.01, 0.02])
        return ScheduledRun(scheduler: scheduler) { scheduler.step(metric: metrics[$0]) }
    case "plateau_max_abs":
        let scheduler = try ReduceLROnPlateau(
            optimizer, mode: .max, factor: 0.3, patience: 1, threshold: 0.02,
            thresholdMode: .absolute, minLearningRate: 0.001)
        return ScheduledRun(scheduler: scheduler) { scheduler.step(metric: 1 - metrics[$0]) }
    default:
        throw UnknownCase("no scheduler named \(name)")
    }
}

/// Learning-rate schedulers against `torch.optim.lr_scheduler` (Tests/Fixtures/
/// optim_schedulers.json): the learning rate (and momentum) of both groups at each of 20
/// steps, and the parameters after them.
@Suite struct SchedulerTests {
    static func fixture() throws -> Fixture { try Fixture.shared("optim_schedulers") }
    static let names = [
        "constant", "step", "multistep", "exponential", "cosine", "warmup_cosine", "onecycle_sgd",
        "onecycle_adamw", "onecycle_linear3", "plateau", "plateau_max_abs"
    ]

    @Test(arguments: names)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Self.fixture()
        let problem = try LeastSquares(fixture)
        let (w, b) = problem.parameters()
        let metrics = try fixture.tensor("metrics").scalars.map(Double.init)
        let optimizer = try makeOptimizer(schedulerCaseOptimizer(name), w, b)
        let run = try makeScheduler(name, optimizer, metrics: metrics)
        let expectedLR = try fixture.tensor("\(name).lr")
        let expectedMomentum = fixture.contains("\(name).momentum") ? try fixture.tensor("\(name).momentum") : nil
        for step in 0..<20 {
            let lr = Tensor(optimizer.learningRates.map { Float($0) })
            expectClose(lr, expectedLR[step], rtol: 1e-6, atol: 1e-12, "\(name) learning rates at step \(step)")
            if let expectedMomentum {
                let momentum = Tensor((0..<2).map { Float(optimizer.momentum(ofGroup: $0)!) })
                expectClose(momentum, expectedMomentum[step], rtol: 1e-6, atol: 0, "\(name) momentum at step \(step)")
            }
            problem.step(optimizer, w, b)
            run.advance(step)
            #expect(run.scheduler.lastLearningRates == optimizer.learningRates)
        }
        #expect(run.scheduler.lastEpoch == 20)
        expectClose(w.value, try fixture.tensor("\(name).w"), "\(name) final w")
        expectClose(b.value, try fixture.tensor("\(name).b"), "\(name) final b")
    }

    @Test func warmupCosineFollowsTheDocumentedFormula() throws {
        let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 1)
        let scheduler = try WarmupCosineLR(
            optimizer, warmupEpochs: 4, totalEpochs: 12, warmupStartFactor: 0.2,
            minLearningRate: 0.1)
        var rates = [optimizer.learningRates[0]]
        for _ in 0..<14 {
            scheduler.step()
            rates.append(optimizer.learningRates[0])
        }
        #expect(rates[0] == 0.2)
        #expect(Swift.abs(rates[2] - 0.6) < 1e-15)
        #expect(rates[4] == 1)  // peak right after the warm-up
        #expect(Swift.abs(rates[8] - 0.55) < 1e-15)  // half way down the cosine
        #expect(Swift.abs(rates[12] - 0.1) < 1e-15)
        #expect(rates[13] == 0.1 && rates[14] == 0.1)  // held at the minimum
        #expect(zip(rates[4...11], rates[5...12]).allSatisfy { $0 > $1 })
    }

    /// The last allowed step is `totalSteps`; one more stops the process with a message, as
    /// PyTorch raises.
    @Test func oneCycleRefusesToStepPastTheEnd() async throws {
        let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 1, momentum: 0.9)
        let scheduler = try OneCycleLR(optimizer, maxLearningRate: 1, totalSteps: 4, cycleMomentum: false)
        for _ in 0..<4 { scheduler.step() }
        #expect(scheduler.lastEpoch == 4)
        #expect(optimizer.momentum(ofGroup: 0) == 0.9)  // not cycled

        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 1)
            let scheduler = try OneCycleLR(optimizer, maxLearningRate: 1, totalSteps: 4)
            for _ in 0..<4 { scheduler.step() }
            scheduler.step()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(
            message.contains("OneCycleLR: tried to step 5 times; the specified number of total steps is 4"),
            "\(message)")
    }
}
