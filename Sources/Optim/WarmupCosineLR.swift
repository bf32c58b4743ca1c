import Foundation

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
public final class WarmupCosineLR: LRSchedulerBase {
    /// Length of the linear warm-up `W`, `>= 0`.
    public let warmupEpochs: Int
    /// The epoch `T` at which the cosine reaches `minLearningRate`, `> warmupEpochs`.
    public let totalEpochs: Int
    /// The fraction `s` of the base learning rate used at epoch 0, in `[0, 1]`.
    public let warmupStartFactor: Double
    /// The final learning rate `eta_min`, `>= 0`.
    public let minLearningRate: Double

    /// Creates the scheduler and sets the learning rates of epoch 0.
    /// - Throws: ``OptimizerError`` for a negative warm-up, `totalEpochs <= warmupEpochs`,
    ///   `warmupStartFactor` outside `[0, 1]` or a negative `minLearningRate`.
    public init(
        _ optimizer: any Optimizer, warmupEpochs: Int, totalEpochs: Int, warmupStartFactor: Double = 0.1,
        minLearningRate: Double = 0
    ) throws {
        try Check.nonNegative(warmupEpochs, "WarmupCosineLR", "warmupEpochs")
        guard totalEpochs > warmupEpochs else {
            throw OptimizerError.invalid(
                "WarmupCosineLR", "totalEpochs", totalEpochs, allowed: "> warmupEpochs (\(warmupEpochs))")
        }
        try Check.unitClosed(warmupStartFactor, "WarmupCosineLR", "warmupStartFactor")
        try Check.nonNegative(minLearningRate, "WarmupCosineLR", "minLearningRate")
        self.warmupEpochs = warmupEpochs
        self.totalEpochs = totalEpochs
        self.warmupStartFactor = warmupStartFactor
        self.minLearningRate = minLearningRate
        super.init(name: "WarmupCosineLR", optimizer: optimizer)
    }

    /// The learning rate at epoch `epoch` for a group whose base learning rate is `base`.
    public func learningRate(atEpoch epoch: Int, base: Double) -> Double {
        let t = Double(epoch), w = Double(warmupEpochs), total = Double(totalEpochs)
        if epoch < warmupEpochs {
            return base * (warmupStartFactor + (1 - warmupStartFactor) * t / w)
        }
        if epoch > totalEpochs { return minLearningRate }
        return minLearningRate + (base - minLearningRate) * (1 + cos(Double.pi * (t - w) / (total - w))) / 2
    }

    override func learningRates(isFirst: Bool) -> [Double] {
        baseLearningRates.map { learningRate(atEpoch: lastEpoch, base: $0) }
    }
}
