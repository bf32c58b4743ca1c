import Foundation
import Optim
import Tensor
import TestSupport
import Testing

/// Saving an optimizer and its scheduler after 10 steps and resuming in fresh objects gives
/// the same bits after 10 more steps as 20 uninterrupted steps.
@Suite struct ResumeTests {
    static func fixture() throws -> Fixture { try Fixture.shared("optim_schedulers") }
    static func metrics() throws -> [Double] { try fixture().tensor("metrics").scalars.map(Double.init) }

    /// Everything observable after a run, as exact bits.
    struct Outcome: Equatable {
        var w: [UInt32]
        var b: [UInt32]
        var learningRates: [UInt64]
        var momenta: [UInt64]
        var state: [String: [UInt32]]
        var metadata: OptimizerState.Metadata
        var scheduler: SchedulerState
    }

    static func outcome(_ optimizer: any Optimizer, _ run: ScheduledRun, _ w: Parameter, _ b: Parameter) -> Outcome {
        let state = optimizer.state()
        return Outcome(
            w: bits(w.value), b: bits(b.value),
            learningRates: optimizer.learningRates.map(\.bitPattern),
            momenta: (0..<2).map { optimizer.momentum(ofGroup: $0)?.bitPattern ?? 0 },
            state: state.tensors.mapValues(bits), metadata: state.metadata,
            scheduler: run.scheduler.state())
    }

    /// (optimizer case, scheduler case): every optimizer and every scheduler at least once.
    static let combinations: [(String, String)] = [
        ("sgd_nesterov", "cosine"), ("adam_amsgrad", "onecycle_sgd"), ("adamw", "plateau"), ("adam", "warmup_cosine"),
        ("sgd_momentum", "step"), ("adamw", "onecycle_linear3"), ("sgd_plain", "constant"), ("adam", "multistep"),
        ("sgd_nesterov", "exponential"), ("adamw_nodecay_b", "onecycle_adamw"), ("adam_amsgrad", "plateau_max_abs")
    ]

    @Test(arguments: combinations)
    func resumedRunContinuesBitForBit(_ optimizerName: String, _ schedulerName: String) throws {
        let problem = try LeastSquares(Self.fixture())
        let metrics = try Self.metrics()

        // 20 uninterrupted steps.
        let (w, b) = problem.parameters()
        let optimizer = try makeOptimizer(optimizerName, w, b)
        let run = try makeScheduler(schedulerName, optimizer, metrics: metrics)
        for step in 0..<20 {
            problem.step(optimizer, w, b)
            run.advance(step)
        }
        let expected = Self.outcome(optimizer, run, w, b)

        // 10 steps, then save everything through the formats a checkpoint uses.
        let (w1, b1) = problem.parameters()
        let first = try makeOptimizer(optimizerName, w1, b1)
        let firstRun = try makeScheduler(schedulerName, first, metrics: metrics)
        for step in 0..<10 {
            problem.step(first, w1, b1)
            firstRun.advance(step)
        }
        let savedWeights = (w1.value.scalars, b1.value.scalars)
        let savedState = first.state()
        let savedTensors = savedState.tensors.mapValues { ($0.shape, $0.scalars) }
        let savedMetadata = try savedState.encodedMetadata()
        let savedScheduler = try JSONEncoder().encode(firstRun.scheduler.state())
        // Keep stepping the first run: the saved copies must not change.
        for step in 10..<12 {
            problem.step(first, w1, b1)
            firstRun.advance(step)
        }

        // Resume in fresh objects, built exactly as before.
        let w2 = Parameter(Tensor(shape: w1.shape, values: savedWeights.0))
        let b2 = Parameter(Tensor(shape: b1.shape, values: savedWeights.1))
        let second = try makeOptimizer(optimizerName, w2, b2)
        let secondRun = try makeScheduler(schedulerName, second, metrics: metrics)
        let tensors = savedTensors.mapValues { Tensor(shape: $0.0, values: $0.1) }
        try second.load(OptimizerState(encodedMetadata: savedMetadata, tensors: tensors))
        try secondRun.scheduler.load(JSONDecoder().decode(SchedulerState.self, from: savedScheduler))
        for step in 10..<20 {
            problem.step(second, w2, b2)
            secondRun.advance(step)
        }
        let resumed = Self.outcome(second, secondRun, w2, b2)
        #expect(resumed == expected, "\(optimizerName) + \(schedulerName): resumed run differs")
    }

    @Test func loadOrderDoesNotMatter() throws {
        // Loading the scheduler before the optimizer, or building the scheduler after loading
        // the optimizer, gives the same continuation.
        let problem = try LeastSquares(Self.fixture())
        let metrics = try Self.metrics()
        let (w, b) = problem.parameters()
        let optimizer = try makeOptimizer("adam", w, b)
        let run = try makeScheduler("constant", optimizer, metrics: metrics)
        for step in 0..<3 {
            problem.step(optimizer, w, b)
            run.advance(step)
        }
        let optimizerState = optimizer.state(), schedulerState = run.scheduler.state()
        let weights = (w.value, b.value)
        for step in 3..<8 {
            problem.step(optimizer, w, b)
            run.advance(step)
        }
        let expected = Self.outcome(optimizer, run, w, b)

        let (w2, b2) = (Parameter(weights.0), Parameter(weights.1))
        let second = try makeOptimizer("adam", w2, b2)
        try second.load(optimizerState)
        let secondRun = try makeScheduler("constant", second, metrics: metrics)  // multiplies the lr again...
        try secondRun.scheduler.load(schedulerState)  // ...and loading the scheduler puts it back
        for step in 3..<8 {
            problem.step(second, w2, b2)
            secondRun.advance(step)
        }
        #expect(Self.outcome(second, secondRun, w2, b2) == expected)
    }

    @Test func metadataJSONRoundTripsExactly() throws {
        let awkward = [0.1, 1.0 / 3, 2.5e-7, 0.0012345678901234567, 1e-300, 123456.789]
        let metadata = OptimizerState.Metadata(
            optimizer: "SGD",
            groups: awkward.map {
                OptimizerState.Group(parameterCount: 1, hyperParameters: ["lr": $0])
            })
        let json = try OptimizerState(metadata: metadata, tensors: [:]).encodedMetadata()
        let decoded = try OptimizerState(encodedMetadata: json, tensors: [:]).metadata
        #expect(decoded.groups.map { $0.hyperParameters["lr"]!.bitPattern } == awkward.map(\.bitPattern))
        #expect(json.hasPrefix("{\"groups\":"))
    }
}
