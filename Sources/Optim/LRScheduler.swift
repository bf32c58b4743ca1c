import Foundation

/// What every learning-rate scheduler shares: the optimizer it drives, the learning rates it
/// last set, and a state that can be saved and restored with a checkpoint.
///
/// Schedulers mirror `torch.optim.lr_scheduler`: creating one sets the learning rates for
/// the first epoch, and each call to `step` (after the optimizer's step) moves to the next
/// epoch, or the next batch for ``OneCycleLR``. Most schedulers conform to
/// ``StepwiseLRScheduler`` (`step()`); ``ReduceLROnPlateau`` is stepped with a metric.
///
/// Saving and resuming:
///
/// ```swift
/// // save
/// let optimizerState = optimizer.state()
/// let schedulerState = try JSONEncoder().encode(scheduler.state())
/// // resume: build the optimizer and the scheduler exactly as before, then
/// try optimizer.load(optimizerState)
/// try scheduler.load(JSONDecoder().decode(SchedulerState.self, from: schedulerState))
/// ```
///
/// ``load(_:)`` also writes the saved learning rates back into the optimizer, so the order of
/// the two `load` calls does not matter.
public protocol LRScheduler: AnyObject {
    /// The optimizer whose learning rates this scheduler sets.
    var optimizer: any Optimizer { get }
    /// The index of the last epoch (or batch) stepped; 0 right after creation.
    var lastEpoch: Int { get }
    /// The learning rate of every group after the last step (`get_last_lr()`).
    var lastLearningRates: [Double] { get }
    /// A snapshot of the scheduler's progress.
    func state() -> SchedulerState
    /// Restores a snapshot taken by ``state()`` of the same kind of scheduler over an
    /// optimizer with the same number of groups, and sets the optimizer's learning rates to
    /// the saved ``SchedulerState/lastLearningRates``.
    /// - Throws: ``OptimizerError`` when the state belongs to another kind of scheduler or
    ///   another number of groups.
    func load(_ state: SchedulerState) throws
}

/// A scheduler that advances without any input: call ``step()`` once per epoch (once per
/// batch for ``OneCycleLR``), after `optimizer.step()`.
public protocol StepwiseLRScheduler: LRScheduler {
    /// Moves to the next epoch and sets the optimizer's learning rates for it.
    func step()
}

/// The saved progress of a learning-rate scheduler. `Codable`; its JSON reads back exactly
/// (doubles are written with round-trip precision).
public struct SchedulerState: Codable, Equatable, Sendable {
    /// The scheduler's type name, for example `"CosineAnnealingLR"` (checked on load).
    public var scheduler: String
    /// The index of the last epoch (or batch) stepped.
    public var lastEpoch: Int
    /// How many times `step` ran, counting the one at creation (PyTorch's `_step_count`).
    public var stepCount: Int
    /// The learning rate of every group when the scheduler was created.
    public var baseLearningRates: [Double]
    /// The learning rate of every group after the last step.
    public var lastLearningRates: [Double]
    /// ``ReduceLROnPlateau``: the best metric so far, `nil` before the first.
    public var best: Double?
    /// ``ReduceLROnPlateau``: epochs without improvement.
    public var badEpochs: Int
    /// ``ReduceLROnPlateau``: epochs left in the cool-down.
    public var cooldownCounter: Int

    /// Creates a state.
    public init(scheduler: String, lastEpoch: Int, stepCount: Int, baseLearningRates: [Double],
                lastLearningRates: [Double], best: Double? = nil, badEpochs: Int = 0, cooldownCounter: Int = 0) {
        self.scheduler = scheduler
        self.lastEpoch = lastEpoch
        self.stepCount = stepCount
        self.baseLearningRates = baseLearningRates
        self.lastLearningRates = lastLearningRates
        self.best = best
        self.badEpochs = badEpochs
        self.cooldownCounter = cooldownCounter
    }
}

/// The bookkeeping of an epoch-driven scheduler (PyTorch's `LRScheduler` base class).
struct SchedulerCore {
    let name: String
    var lastEpoch = -1
    var stepCount = 0
    var baseLearningRates: [Double]
    var lastLearningRates: [Double] = []

    init(name: String, optimizer: any Optimizer) {
        self.name = name
        baseLearningRates = optimizer.learningRates
    }

    /// Counts one step; returns whether it is the step made at creation.
    mutating func advance() -> Bool {
        stepCount += 1
        lastEpoch += 1
        return stepCount == 1
    }

    /// Sets the optimizer's learning rates and records them.
    mutating func apply(_ learningRates: [Double], to optimizer: any Optimizer) {
        for (group, learningRate) in learningRates.enumerated() {
            optimizer.setLearningRate(learningRate, ofGroup: group)
        }
        lastLearningRates = optimizer.learningRates
    }

    func state() -> SchedulerState {
        SchedulerState(scheduler: name, lastEpoch: lastEpoch, stepCount: stepCount,
                       baseLearningRates: baseLearningRates, lastLearningRates: lastLearningRates)
    }

    mutating func load(_ state: SchedulerState, optimizer: any Optimizer) throws {
        try SchedulerCore.check(state, name: name, groups: optimizer.parameterGroups.count)
        lastEpoch = state.lastEpoch
        stepCount = state.stepCount
        baseLearningRates = state.baseLearningRates
        apply(state.lastLearningRates, to: optimizer)
    }

    static func check(_ state: SchedulerState, name: String, groups: Int) throws {
        guard state.scheduler == name else {
            throw OptimizerError("\(name).load: the saved state was written by \(state.scheduler)")
        }
        guard state.baseLearningRates.count == groups, state.lastLearningRates.count == groups else {
            throw OptimizerError("\(name).load: the saved state has \(state.lastLearningRates.count) learning rates, the optimizer has \(groups) parameter groups")
        }
        guard state.lastLearningRates.allSatisfy(\.isFinite) else {
            throw OptimizerError("\(name).load: the saved learning rates are not finite: \(state.lastLearningRates)")
        }
    }
}

// MARK: - Constant

/// Multiplies the learning rates by `factor` for the first `totalIters` epochs, then restores
/// them, as `torch.optim.lr_scheduler.ConstantLR` (defaults `factor` 1/3, `totalIters` 5).
/// With `factor: 1` the learning rate stays constant, which is the same as using no
/// scheduler at all.
///
/// ```swift
/// let scheduler = try ConstantLR(optimizer, factor: 0.5, totalIters: 3)
/// ```
public final class ConstantLR: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    /// The multiplier applied during the first `totalIters` epochs, in `(0, 1]`.
    public let factor: Double
    /// The epoch at which the learning rate returns to its base value.
    public let totalIters: Int
    private var core: SchedulerCore

    /// Creates the scheduler and multiplies the optimizer's learning rates by `factor`.
    /// - Throws: ``OptimizerError`` when `factor` is outside `(0, 1]` or `totalIters < 0`.
    public init(_ optimizer: any Optimizer, factor: Double = 1.0 / 3, totalIters: Int = 5) throws {
        guard factor > 0, factor <= 1 else { throw OptimizerError.invalid("ConstantLR", "factor", factor, allowed: "in (0, 1]") }
        try Check.nonNegative(totalIters, "ConstantLR", "totalIters")
        self.optimizer = optimizer
        self.factor = factor
        self.totalIters = totalIters
        core = SchedulerCore(name: "ConstantLR", optimizer: optimizer)
        step()
    }

    public var lastEpoch: Int { core.lastEpoch }
    public var lastLearningRates: [Double] { core.lastLearningRates }

    public func step() {
        _ = core.advance()
        let current = optimizer.learningRates
        let next: [Double]
        if core.lastEpoch == 0 {
            next = current.map { $0 * factor }
        } else if core.lastEpoch != totalIters {
            next = current
        } else {
            next = current.map { $0 * (1.0 / factor) }
        }
        core.apply(next, to: optimizer)
    }

    public func state() -> SchedulerState { core.state() }
    public func load(_ state: SchedulerState) throws { try core.load(state, optimizer: optimizer) }
}

// MARK: - Step

/// Multiplies the learning rates by `gamma` every `stepSize` epochs, as
/// `torch.optim.lr_scheduler.StepLR`: `lr = base_lr * gamma^(epoch / stepSize)`.
///
/// ```swift
/// let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<90 { train(); scheduler.step() }
/// ```
public final class StepLR: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    /// Epochs between decays, `> 0`.
    public let stepSize: Int
    /// The decay factor, `> 0`.
    public let gamma: Double
    private var core: SchedulerCore

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when `stepSize <= 0` or `gamma <= 0`.
    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        try Check.positive(stepSize, "StepLR", "stepSize")
        try Check.positive(gamma, "StepLR", "gamma")
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        core = SchedulerCore(name: "StepLR", optimizer: optimizer)
        step()
    }

    public var lastEpoch: Int { core.lastEpoch }
    public var lastLearningRates: [Double] { core.lastLearningRates }

    public func step() {
        _ = core.advance()
        let current = optimizer.learningRates
        if core.lastEpoch == 0 || core.lastEpoch % stepSize != 0 {
            core.apply(current, to: optimizer)
        } else {
            core.apply(current.map { $0 * gamma }, to: optimizer)
        }
    }

    public func state() -> SchedulerState { core.state() }
    public func load(_ state: SchedulerState) throws { try core.load(state, optimizer: optimizer) }
}

// MARK: - Multi-step

/// Multiplies the learning rates by `gamma` at each milestone epoch, as
/// `torch.optim.lr_scheduler.MultiStepLR` (a milestone listed twice decays twice).
///
/// ```swift
/// let scheduler = try MultiStepLR(optimizer, milestones: [30, 80], gamma: 0.1)
/// ```
public final class MultiStepLR: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    /// The epochs at which the learning rates decay.
    public let milestones: [Int]
    /// The decay factor, `> 0`.
    public let gamma: Double
    private let counts: [Int: Int]
    private var core: SchedulerCore

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when a milestone is negative or `gamma <= 0`.
    public init(_ optimizer: any Optimizer, milestones: [Int], gamma: Double = 0.1) throws {
        for milestone in milestones { try Check.nonNegative(milestone, "MultiStepLR", "every milestone") }
        try Check.positive(gamma, "MultiStepLR", "gamma")
        self.optimizer = optimizer
        self.milestones = milestones.sorted()
        self.gamma = gamma
        counts = milestones.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        core = SchedulerCore(name: "MultiStepLR", optimizer: optimizer)
        step()
    }

    public var lastEpoch: Int { core.lastEpoch }
    public var lastLearningRates: [Double] { core.lastLearningRates }

    public func step() {
        _ = core.advance()
        let current = optimizer.learningRates
        if let count = counts[core.lastEpoch] {
            let factor = Foundation.pow(gamma, Double(count))
            core.apply(current.map { $0 * factor }, to: optimizer)
        } else {
            core.apply(current, to: optimizer)
        }
    }

    public func state() -> SchedulerState { core.state() }
    public func load(_ state: SchedulerState) throws { try core.load(state, optimizer: optimizer) }
}

// MARK: - Exponential

/// Multiplies the learning rates by `gamma` every epoch, as
/// `torch.optim.lr_scheduler.ExponentialLR`: `lr = base_lr * gamma^epoch`.
///
/// ```swift
/// let scheduler = try ExponentialLR(optimizer, gamma: 0.95)
/// ```
public final class ExponentialLR: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    /// The decay factor per epoch, `> 0`.
    public let gamma: Double
    private var core: SchedulerCore

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when `gamma <= 0`.
    public init(_ optimizer: any Optimizer, gamma: Double) throws {
        try Check.positive(gamma, "ExponentialLR", "gamma")
        self.optimizer = optimizer
        self.gamma = gamma
        core = SchedulerCore(name: "ExponentialLR", optimizer: optimizer)
        step()
    }

    public var lastEpoch: Int { core.lastEpoch }
    public var lastLearningRates: [Double] { core.lastLearningRates }

    public func step() {
        let initial = core.advance()
        let current = optimizer.learningRates
        core.apply(initial ? current : current.map { $0 * gamma }, to: optimizer)
    }

    public func state() -> SchedulerState { core.state() }
    public func load(_ state: SchedulerState) throws { try core.load(state, optimizer: optimizer) }
}

// MARK: - Cosine annealing

/// Cosine annealing from each group's base learning rate down to `minLearningRate` over
/// `tMax` epochs, as `torch.optim.lr_scheduler.CosineAnnealingLR`:
///
/// ```text
/// lr(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2
/// ```
///
/// Like PyTorch, it computes this recursively from the current learning rate, so it composes
/// with other changes, and past `tMax` it rises again along the same cosine (no restart).
///
/// ```swift
/// let scheduler = try CosineAnnealingLR(optimizer, tMax: epochs)
/// ```
public final class CosineAnnealingLR: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    /// The half-period in epochs, `> 0`.
    public let tMax: Int
    /// The lowest learning rate (`eta_min`), `>= 0`.
    public let minLearningRate: Double
    private var core: SchedulerCore

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when `tMax <= 0` or `minLearningRate < 0`.
    public init(_ optimizer: any Optimizer, tMax: Int, minLearningRate: Double = 0) throws {
        try Check.positive(tMax, "CosineAnnealingLR", "tMax")
        try Check.nonNegative(minLearningRate, "CosineAnnealingLR", "minLearningRate")
        self.optimizer = optimizer
        self.tMax = tMax
        self.minLearningRate = minLearningRate
        core = SchedulerCore(name: "CosineAnnealingLR", optimizer: optimizer)
        step()
    }

    public var lastEpoch: Int { core.lastEpoch }
    public var lastLearningRates: [Double] { core.lastLearningRates }

    public func step() {
        let initial = core.advance()
        let current = optimizer.learningRates
        let epoch = Double(core.lastEpoch), period = Double(tMax), etaMin = minLearningRate
        let next: [Double]
        if initial {
            next = current
        } else if (core.lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            next = zip(current, core.baseLearningRates).map { lr, base in lr + (base - etaMin) * (1 - cos(Double.pi / period)) / 2 }
        } else {
            let ratio = (1 + cos(Double.pi * epoch / period)) / (1 + cos(Double.pi * (epoch - 1) / period))
            next = current.map { ratio * ($0 - etaMin) + etaMin }
        }
        core.apply(next, to: optimizer)
    }

    public func state() -> SchedulerState { core.state() }
    public func load(_ state: SchedulerState) throws { try core.load(state, optimizer: optimizer) }
}

// MARK: - Warm-up then cosine

/// A linear warm-up followed by cosine annealing, computed in closed form from each group's
/// base learning rate `base` (the rate when the scheduler was created). At epoch `t`:
///
/// ```text
/// t <  W:       lr = base * (s + (1 - s) * t / W)
/// W <= t <= T:  lr = eta_min + (base - eta_min) * (1 + cos(pi * (t - W) / (T - W))) / 2
/// t >  T:       lr = eta_min
/// ```
///
/// with `W = warmupEpochs`, `T = totalEpochs`, `s = warmupStartFactor` and
/// `eta_min = minLearningRate`. The learning rate climbs linearly from `s * base` to `base`
/// over the first `W` epochs, then follows a half cosine down to `eta_min` at epoch `T`, and
/// stays there. This is the same schedule as PyTorch's
/// `SequentialLR([LinearLR(start_factor=s, total_iters=W), CosineAnnealingLR(T_max=T-W,
/// eta_min=eta_min)], milestones=[W])`. Step it once per epoch, or once per batch with the
/// counts given in batches.
///
/// ```swift
/// let scheduler = try WarmupCosineLR(optimizer, warmupEpochs: 5, totalEpochs: 100)
/// ```
public final class WarmupCosineLR: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    /// Length of the linear warm-up `W`, `>= 0`.
    public let warmupEpochs: Int
    /// The epoch `T` at which the cosine reaches `minLearningRate`, `> warmupEpochs`.
    public let totalEpochs: Int
    /// The fraction `s` of the base learning rate used at epoch 0, in `[0, 1]`.
    public let warmupStartFactor: Double
    /// The final learning rate `eta_min`, `>= 0`.
    public let minLearningRate: Double
    private var core: SchedulerCore

    /// Creates the scheduler and sets the learning rates of epoch 0.
    /// - Throws: ``OptimizerError`` for a negative warm-up, `totalEpochs <= warmupEpochs`,
    ///   `warmupStartFactor` outside `[0, 1]` or a negative `minLearningRate`.
    public init(_ optimizer: any Optimizer, warmupEpochs: Int, totalEpochs: Int, warmupStartFactor: Double = 0.1,
                minLearningRate: Double = 0) throws {
        try Check.nonNegative(warmupEpochs, "WarmupCosineLR", "warmupEpochs")
        guard totalEpochs > warmupEpochs else {
            throw OptimizerError.invalid("WarmupCosineLR", "totalEpochs", totalEpochs, allowed: "> warmupEpochs (\(warmupEpochs))")
        }
        try Check.unitClosed(warmupStartFactor, "WarmupCosineLR", "warmupStartFactor")
        try Check.nonNegative(minLearningRate, "WarmupCosineLR", "minLearningRate")
        self.optimizer = optimizer
        self.warmupEpochs = warmupEpochs
        self.totalEpochs = totalEpochs
        self.warmupStartFactor = warmupStartFactor
        self.minLearningRate = minLearningRate
        core = SchedulerCore(name: "WarmupCosineLR", optimizer: optimizer)
        step()
    }

    public var lastEpoch: Int { core.lastEpoch }
    public var lastLearningRates: [Double] { core.lastLearningRates }

    /// The learning rate at epoch `epoch` for a group whose base learning rate is `base`.
    public func learningRate(atEpoch epoch: Int, base: Double) -> Double {
        let t = Double(epoch), w = Double(warmupEpochs), total = Double(totalEpochs)
        if epoch < warmupEpochs {
            return base * (warmupStartFactor + (1 - warmupStartFactor) * t / w)
        }
        if epoch > totalEpochs { return minLearningRate }
        return minLearningRate + (base - minLearningRate) * (1 + cos(Double.pi * (t - w) / (total - w))) / 2
    }

    public func step() {
        _ = core.advance()
        core.apply(core.baseLearningRates.map { learningRate(atEpoch: core.lastEpoch, base: $0) }, to: optimizer)
    }

    public func state() -> SchedulerState { core.state() }
    public func load(_ state: SchedulerState) throws { try core.load(state, optimizer: optimizer) }
}
