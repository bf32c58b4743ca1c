/// Multiplies the learning rates by `gamma` every `stepSize` epochs, as
/// `torch.optim.lr_scheduler.StepLR`: `lr = base_lr * gamma^(epoch / stepSize)`.
///
/// ```swift
/// let scheduler = try StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<90 { train(); scheduler.step() }
/// ```
public final class StepLR: LRSchedulerBase {
    /// Epochs between decays, `> 0`.
    public let stepSize: Int
    /// The decay factor, `> 0`.
    public let gamma: Double

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when `stepSize <= 0` or `gamma <= 0`.
    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        try Check.positive(stepSize, "StepLR", "stepSize")
        try Check.positive(gamma, "StepLR", "gamma")
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(name: "StepLR", optimizer: optimizer)
    }

    override func learningRates(isFirst: Bool) -> [Double] {
        let current = optimizer.learningRates
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return current }
        return current.map { $0 * gamma }
    }
}
