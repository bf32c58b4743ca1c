import Tensor

/// Updates a list of ``Parameter``s from their gradients, as `torch.optim.Optimizer` does.
///
/// An optimizer holds references to the parameters it trains (never a copy of the model),
/// organised in one or more ``ParameterGroup``s that each carry their own hyper-parameters
/// (for example no weight decay on biases and BatchNorm scales). Per-parameter state such as
/// momentum buffers is created the first time a parameter is updated.
///
/// A training step:
///
/// ```swift
/// let optimizer = try AdamW(model.parameters(), learningRate: 1e-3, weightDecay: 1e-2)
/// for batch in batches {
///     optimizer.zeroGrad()
///     let loss = lossFunction(model(batch.images), batch.targets)
///     loss.backward()
///     optimizer.step()
/// }
/// ```
///
/// ``step()`` skips parameters whose gradient is `nil` and frozen parameters
/// (`requiresGrad == false`), as PyTorch does. Its state round-trips through
/// ``state()`` and ``load(_:)`` so that a resumed run continues bit for bit.
public protocol Optimizer: AnyObject {
    /// The optimizer's name as used in messages and saved states: `"SGD"`, `"Adam"`, `"AdamW"`.
    var name: String { get }

    /// The parameter groups given at construction, in order. The flat index of a parameter
    /// (used in ``OptimizerState`` keys such as `state.3.exp_avg`) counts through the groups
    /// in this order, as `torch.optim.Optimizer.state_dict()` does.
    var parameterGroups: [ParameterGroup] { get }

    /// The current learning rate of group `group`.
    func learningRate(ofGroup group: Int) -> Double

    /// Sets the learning rate of group `group` (what a scheduler does every step).
    /// `learningRate` must be finite; it is not otherwise checked, because a schedule's
    /// arithmetic may legitimately round to a value a hair below zero.
    func setLearningRate(_ learningRate: Double, ofGroup group: Int)

    /// The momentum-like coefficient that one-cycle schedules cycle: SGD's `momentum`, Adam's
    /// `beta1`. `nil` when the optimizer has none.
    func momentum(ofGroup group: Int) -> Double?

    /// Sets the momentum-like coefficient of group `group` (SGD's `momentum`, Adam's `beta1`).
    func setMomentum(_ momentum: Double, ofGroup group: Int)

    /// Applies one update to every parameter that has a gradient and requires one.
    func step()

    /// Forgets the gradients of all parameters (`zero_grad(set_to_none=True)`).
    func zeroGrad()

    /// A snapshot of the hyper-parameters of every group and of the per-parameter state.
    ///
    /// The snapshot is a value: later steps do not change it (tensors are copied on write).
    func state() -> OptimizerState

    /// Restores a snapshot taken by ``state()`` of an optimizer of the same kind over the same
    /// parameter layout (group count, parameters per group and their shapes). Hyper-parameters
    /// (learning rates, momentum, ...) are restored too, as `load_state_dict` does.
    ///
    /// - Throws: ``OptimizerError`` naming the key or group that does not fit. The optimizer
    ///   is left unchanged when loading fails.
    func load(_ state: OptimizerState) throws
}

extension Optimizer {
    /// All parameters of all groups, in flat-index order.
    public var parameters: [Parameter] { parameterGroups.flatMap(\.parameters) }

    /// The learning rate of every group, in group order.
    public var learningRates: [Double] { (0..<parameterGroups.count).map { learningRate(ofGroup: $0) } }

    /// Forgets the gradients of all parameters (`zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in parameterGroups {
            for parameter in group.parameters { parameter.zeroGrad() }
        }
    }
}
