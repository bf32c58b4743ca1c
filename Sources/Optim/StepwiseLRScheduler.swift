/// A scheduler that advances without any input: call ``step()`` once per epoch (once per
/// batch for ``OneCycleLR``), after `optimizer.step()`.
public protocol StepwiseLRScheduler: LRScheduler {
    /// Moves to the next epoch and sets the optimizer's learning rates for it.
    func step()
}
