/// Divides the learning rates when a metric stops improving, as
/// `torch.optim.lr_scheduler.ReduceLROnPlateau`. Call ``step(metric:)`` once per epoch with
/// the validation loss (or another metric).
///
/// After more than `patience` epochs without improvement each group's learning rate becomes
/// `max(lr * factor, minLearningRate)` (ignored when the change is below `eps`), and the
/// next `cooldown` epochs do not count as bad. In `.min` mode with `.relative` threshold a
/// metric improves when `metric < best * (1 - threshold)`; with `.absolute`, when
/// `metric < best - threshold` (mirrored for `.max`).
///
/// ```swift
/// let scheduler = try ReduceLROnPlateau(optimizer, factor: 0.5, patience: 5)
/// for epoch in 0..<epochs {
///     train()
///     scheduler.step(metric: validationLoss())
/// }
/// ```
public final class ReduceLROnPlateau: LRScheduler {
    /// Whether lower or higher metrics are better.
    public enum Mode: String, Sendable, Codable {
        /// Lower is better (a loss).
        case min
        /// Higher is better (an accuracy).
        case max
    }

    /// How `threshold` defines a significant improvement.
    public enum ThresholdMode: String, Sendable, Codable {
        /// Relative to the best value (`rel`).
        case relative
        /// In the metric's units (`abs`).
        case absolute
    }

    public let optimizer: any Optimizer
    /// Lower or higher is better.
    public let mode: Mode
    /// The learning-rate multiplier on a plateau, in `[0, 1)`.
    public let factor: Double
    /// Bad epochs tolerated before reducing, `>= 0`.
    public let patience: Int
    /// The minimal significant change, `>= 0`.
    public let threshold: Double
    /// Relative or absolute threshold.
    public let thresholdMode: ThresholdMode
    /// Epochs to wait after a reduction, `>= 0`.
    public let cooldown: Int
    /// A lower bound for each group's learning rate.
    public let minLearningRates: [Double]
    /// Reductions smaller than this are ignored.
    public let eps: Double

    /// The best metric so far (`+infinity` in `.min` mode, `-infinity` in `.max` mode before
    /// the first step).
    public private(set) var best: Double
    /// Epochs since the last improvement.
    public private(set) var badEpochs = 0
    /// Epochs left in the cool-down.
    public private(set) var cooldownCounter = 0
    public private(set) var lastEpoch = 0
    public private(set) var lastLearningRates: [Double]
    private let baseLearningRates: [Double]

    /// Creates the scheduler with one `minLearningRate` for all groups. Defaults are PyTorch's.
    /// - Throws: ``OptimizerError`` for an invalid setting.
    public convenience init(
        _ optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
        minLearningRate: Double = 0, eps: Double = 1e-8
    ) throws {
        try self.init(
            optimizer, mode: mode, factor: factor, patience: patience, threshold: threshold,
            thresholdMode: thresholdMode, cooldown: cooldown,
            minLearningRates: Array(repeating: minLearningRate, count: optimizer.parameterGroups.count), eps: eps)
    }

    /// Creates the scheduler with a `minLearningRate` per group.
    /// - Throws: ``OptimizerError`` when `factor` is outside `[0, 1)`, `patience`, `cooldown`,
    ///   `threshold`, `eps` or a minimum is negative, or the number of minimums differs from
    ///   the number of groups.
    public init(
        _ optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
        minLearningRates: [Double], eps: Double = 1e-8
    ) throws {
        let name = "ReduceLROnPlateau"
        try Check.unitHalfOpen(factor, name, "factor")
        try Check.nonNegative(patience, name, "patience")
        try Check.nonNegative(threshold, name, "threshold")
        try Check.nonNegative(cooldown, name, "cooldown")
        try Check.nonNegative(eps, name, "eps")
        let groups = optimizer.parameterGroups.count
        guard minLearningRates.count == groups else {
            throw OptimizerError.invalid(
                name, "the number of minimum learning rates", minLearningRates.count,
                allowed: "the number of parameter groups (\(groups))")
        }
        for rate in minLearningRates { try Check.nonNegative(rate, name, "minLearningRate") }
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLearningRates = minLearningRates
        self.eps = eps
        best = mode == .min ? .infinity : -.infinity
        lastLearningRates = optimizer.learningRates
        baseLearningRates = lastLearningRates
    }

    private func isBetter(_ value: Double, than best: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return value < best * (1.0 - threshold)
        case (.min, .absolute): return value < best - threshold
        case (.max, .relative): return value > best * (threshold + 1.0)
        case (.max, .absolute): return value > best + threshold
        }
    }

    /// Records the metric of the epoch that just ended and reduces the learning rates after
    /// too many epochs without improvement.
    public func step(metric: Double) {
        lastEpoch += 1
        if isBetter(metric, than: best) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            for group in 0..<optimizer.parameterGroups.count {
                let old = optimizer.learningRate(ofGroup: group)
                let new = Swift.max(old * factor, minLearningRates[group])
                if old - new > eps { optimizer.setLearningRate(new, ofGroup: group) }
            }
            cooldownCounter = cooldown
            badEpochs = 0
        }
        lastLearningRates = optimizer.learningRates
    }

    public func state() -> SchedulerState {
        SchedulerState(
            scheduler: "ReduceLROnPlateau", lastEpoch: lastEpoch, stepCount: lastEpoch,
            baseLearningRates: baseLearningRates, lastLearningRates: lastLearningRates,
            best: best.isFinite ? best : nil, badEpochs: badEpochs, cooldownCounter: cooldownCounter)
    }

    public func load(_ state: SchedulerState) throws {
        try state.check(name: "ReduceLROnPlateau", groups: optimizer.parameterGroups.count)
        lastEpoch = state.lastEpoch
        best = state.best ?? (mode == .min ? .infinity : -.infinity)
        badEpochs = state.badEpochs
        cooldownCounter = state.cooldownCounter
        for (group, rate) in state.lastLearningRates.enumerated() { optimizer.setLearningRate(rate, ofGroup: group) }
        lastLearningRates = optimizer.learningRates
    }
}
