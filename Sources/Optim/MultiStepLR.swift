import Foundation

/// Multiplies the learning rates by `gamma` at each milestone epoch, as
/// `torch.optim.lr_scheduler.MultiStepLR` (a milestone listed twice decays twice).
///
/// ```swift
/// let scheduler = try MultiStepLR(optimizer, milestones: [30, 80], gamma: 0.1)
/// ```
public final class MultiStepLR: LRSchedulerBase {
    /// The epochs at which the learning rates decay.
    public let milestones: [Int]
    /// The decay factor, `> 0`.
    public let gamma: Double
    private let counts: [Int: Int]

    /// Creates the scheduler.
    /// - Throws: ``OptimizerError`` when a milestone is negative or `gamma <= 0`.
    public init(_ optimizer: any Optimizer, milestones: [Int], gamma: Double = 0.1) throws {
        for milestone in milestones { try Check.nonNegative(milestone, "MultiStepLR", "every milestone") }
        try Check.positive(gamma, "MultiStepLR", "gamma")
        self.milestones = milestones.sorted()
        self.gamma = gamma
        counts = milestones.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        super.init(name: "MultiStepLR", optimizer: optimizer)
    }

    override func learningRates(isFirst: Bool) -> [Double] {
        let current = optimizer.learningRates
        guard let count = counts[lastEpoch] else { return current }
        let factor = Foundation.pow(gamma, Double(count))
        return current.map { $0 * factor }
    }
}
