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
