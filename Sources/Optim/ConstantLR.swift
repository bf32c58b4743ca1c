/// Multiplies the learning rates by `factor` for the first `totalIters` epochs, then restores
/// them, as `torch.optim.lr_scheduler.ConstantLR` (defaults `factor` 1/3, `totalIters` 5).
/// With `factor: 1` the learning rate stays constant, which is the same as using no
/// scheduler at all.
///
/// ```swift
/// let scheduler = try ConstantLR(optimizer, factor: 0.5, totalIters: 3)
/// ```
public final class ConstantLR: LRSchedulerBase {
    /// The multiplier applied during the first `totalIters` epochs, in `(0, 1]`.
    public let factor: Double
    /// The epoch at which the learning rate returns to its base value.
    public let totalIters: Int

    /// Creates the scheduler and multiplies the optimizer's learning rates by `factor`.
    /// - Throws: ``OptimizerError`` when `factor` is outside `(0, 1]` or `totalIters < 0`.
    public init(_ optimizer: any Optimizer, factor: Double = 1.0 / 3, totalIters: Int = 5) throws {
        guard factor > 0, factor <= 1 else {
            throw OptimizerError.invalid("ConstantLR", "factor", factor, allowed: "in (0, 1]")
        }
        try Check.nonNegative(totalIters, "ConstantLR", "totalIters")
        self.factor = factor
        self.totalIters = totalIters
        super.init(name: "ConstantLR", optimizer: optimizer)
    }

    override func learningRates(isFirst: Bool) -> [Double] {
        let current = optimizer.learningRates
        if lastEpoch == 0 { return current.map { $0 * factor } }
        if lastEpoch != totalIters { return current }
        return current.map { $0 * (1.0 / factor) }
    }
}
