import Foundation

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
public final class CosineAnnealingLR: LRSchedulerBase {
    /// The half-period in epochs, `> 0`.
    public let tMax: Int
    /// The lowest learning rate (`eta_min`), `>= 0`.
    public let minLearningRate: Double

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when `tMax <= 0` or `minLearningRate < 0`.
    public init(_ optimizer: any Optimizer, tMax: Int, minLearningRate: Double = 0) throws {
        try Check.positive(tMax, "CosineAnnealingLR", "tMax")
        try Check.nonNegative(minLearningRate, "CosineAnnealingLR", "minLearningRate")
        self.tMax = tMax
        self.minLearningRate = minLearningRate
        super.init(name: "CosineAnnealingLR", optimizer: optimizer)
    }

    override func learningRates(isFirst initial: Bool) -> [Double] {
        let current = optimizer.learningRates
        let epoch = Double(lastEpoch), period = Double(tMax), etaMin = minLearningRate
        if initial { return current }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            return zip(current, baseLearningRates).map { lr, base in
                lr + (base - etaMin) * (1 - cos(Double.pi / period)) / 2
            }
        }
        let ratio = (1 + cos(Double.pi * epoch / period)) / (1 + cos(Double.pi * (epoch - 1) / period))
        return current.map { ratio * ($0 - etaMin) + etaMin }
    }
}
