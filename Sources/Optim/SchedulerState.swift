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
    public init(
        scheduler: String, lastEpoch: Int, stepCount: Int, baseLearningRates: [Double],
        lastLearningRates: [Double], best: Double? = nil, badEpochs: Int = 0, cooldownCounter: Int = 0
    ) {
        self.scheduler = scheduler
        self.lastEpoch = lastEpoch
        self.stepCount = stepCount
        self.baseLearningRates = baseLearningRates
        self.lastLearningRates = lastLearningRates
        self.best = best
        self.badEpochs = badEpochs
        self.cooldownCounter = cooldownCounter
    }

    /// Throws unless this state was written by the scheduler `name` over `groups` parameter groups.
    func check(name: String, groups: Int) throws {
        guard scheduler == name else {
            throw OptimizerError("\(name).load: the saved state was written by \(scheduler)")
        }
        guard baseLearningRates.count == groups, lastLearningRates.count == groups else {
            throw OptimizerError(
                "\(name).load: the saved state has \(lastLearningRates.count) learning rates, the optimizer has \(groups) parameter groups"
            )
        }
        guard lastLearningRates.allSatisfy(\.isFinite) else {
            throw OptimizerError("\(name).load: the saved learning rates are not finite: \(lastLearningRates)")
        }
    }
}
