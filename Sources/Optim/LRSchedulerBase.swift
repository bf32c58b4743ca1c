/// What the stepwise schedulers share, as PyTorch's `LRScheduler` base class: the optimizer,
/// the step count, applying learning rates, saving and loading. Each scheduler overrides
/// ``learningRates(isFirst:)``; there are no subclasses outside Optim.
public class LRSchedulerBase: StepwiseLRScheduler {
    public let optimizer: any Optimizer
    public private(set) var lastEpoch = -1
    public private(set) var lastLearningRates: [Double] = []
    /// The learning rate of every group when the scheduler was created.
    private(set) var baseLearningRates: [Double]
    /// How many times `step` ran, counting the one at creation (PyTorch's `_step_count`).
    private var stepCount = 0
    private let name: String

    /// Records the optimizer's learning rates as the base ones and makes the first step.
    init(name: String, optimizer: any Optimizer) {
        self.name = name
        self.optimizer = optimizer
        baseLearningRates = optimizer.learningRates
        step()
    }

    /// The learning rates of epoch ``lastEpoch``; `isFirst` on the step made at creation.
    func learningRates(isFirst: Bool) -> [Double] { optimizer.learningRates }

    public func step() {
        stepCount += 1
        lastEpoch += 1
        apply(learningRates(isFirst: stepCount == 1))
    }

    /// Sets the optimizer's learning rates and records them.
    private func apply(_ learningRates: [Double]) {
        for (group, learningRate) in learningRates.enumerated() {
            optimizer.setLearningRate(learningRate, ofGroup: group)
        }
        lastLearningRates = optimizer.learningRates
    }

    public func state() -> SchedulerState {
        SchedulerState(
            scheduler: name, lastEpoch: lastEpoch, stepCount: stepCount,
            baseLearningRates: baseLearningRates, lastLearningRates: lastLearningRates)
    }

    public func load(_ state: SchedulerState) throws {
        try state.check(name: name, groups: optimizer.parameterGroups.count)
        lastEpoch = state.lastEpoch
        stepCount = state.stepCount
        baseLearningRates = state.baseLearningRates
        apply(state.lastLearningRates)
    }
}
