/// Multiplies the learning rates by `gamma` every epoch, as
/// `torch.optim.lr_scheduler.ExponentialLR`: `lr = base_lr * gamma^epoch`.
///
/// ```swift
/// let scheduler = try ExponentialLR(optimizer, gamma: 0.95)
/// ```
public final class ExponentialLR: LRSchedulerBase {
    /// The decay factor per epoch, `> 0`.
    public let gamma: Double

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when `gamma <= 0`.
    public init(_ optimizer: any Optimizer, gamma: Double) throws {
        try Check.positive(gamma, "ExponentialLR", "gamma")
        self.gamma = gamma
        super.init(name: "ExponentialLR", optimizer: optimizer)
    }

    override func learningRates(isFirst initial: Bool) -> [Double] {
        let current = optimizer.learningRates
        return initial ? current : current.map { $0 * gamma }
    }
}
