import Tensor

/// An exponential moving average of a model's parameters and buffers, as PyTorch's
/// `AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)`:
/// the first ``update(from:)`` copies the model, every later one moves each average towards
/// the model's value, `average = decay * average + (1 - decay) * value` (with `torch.lerp`'s
/// rounding). Validating and saving the average instead of the last weights smooths the
/// step-to-step noise of the weights and of BatchNorm's running statistics.
///
/// ```swift
/// let average = ExponentialMovingAverage(of: model, decay: 0.998)
/// // after every optimizer step:
/// average.update(from: model)
/// // to validate or save:
/// try average.copy(into: evaluationModel)
/// ```
///
/// BatchNorm's `num_batches_tracked` is copied, not averaged: it is a count (PyTorch averages
/// it in floating point and truncates it back to an integer).
public final class ExponentialMovingAverage {
    /// The weight of the old average in each update, in `0..<1`.
    public let decay: Float
    /// How many times ``update(from:)`` has run (PyTorch's `n_averaged`).
    public private(set) var updates: Int
    /// The averages by state-dict name, in the model's state-dict order.
    public private(set) var state: [(name: String, tensor: Tensor)]
    /// The averages keyed by state-dict name, as a state dict to load or save.
    public var tensors: [String: Tensor] { Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) }) }

    /// An average of `model`'s state, which the first ``update(from:)`` overwrites.
    /// `decay` must be in `0..<1`.
    public init(of model: Module, decay: Float) {
        precondition(decay >= 0 && decay < 1, "ExponentialMovingAverage: the decay must be in 0..<1, got \(decay)")
        self.decay = decay
        updates = 0
        state = model.stateDict()
    }

    /// Moves every average towards `model`'s current value (copies them at the first update).
    /// `model` must have the architecture the average was made of.
    public func update(from model: Module) {
        let current = model.stateDict()
        precondition(
            current.map(\.name) == state.map(\.name),
            "ExponentialMovingAverage.update: the model's state dict has other names")
        let weight = 1 - decay
        for index in state.indices {
            let value = current[index].tensor
            if updates == 0 || Self.isCount(state[index].name) {
                state[index].tensor = value
                continue
            }
            value.withUnsafeBufferPointer { source in
                state[index].tensor.withUnsafeMutableBufferPointer { average in
                    let a = average.baseAddress!, v = source.baseAddress!
                    parallelRanges(average.count) { range in
                        for i in range {
                            // torch.lerp(average, value, weight): its two branches, for the same rounding.
                            a[i] = weight < 0.5 ? a[i] + weight * (v[i] - a[i]) : v[i] - (v[i] - a[i]) * (1 - weight)
                        }
                    }
                }
            }
        }
        updates += 1
    }

    /// Writes the averages into `model`'s parameters and buffers.
    public func copy(into model: Module) throws {
        try model.loadStateDict(tensors, source: "exponential moving average")
    }

    /// Restores averages saved from `state` after `updates` updates (a resumed run's), checking
    /// that they fit the model the average was made of.
    public func restore(_ tensors: [String: Tensor], updates: Int, source: String) throws {
        precondition(updates >= 0, "ExponentialMovingAverage.restore: updates must be >= 0, got \(updates)")
        try StateDictError.check(tensors, fit: state.map { ($0.name, $0.tensor.shape) }, strict: true, source: source)
        state = state.map { ($0.name, tensors[$0.name]!) }
        self.updates = updates
    }

    private static func isCount(_ name: String) -> Bool { name.hasSuffix("num_batches_tracked") }
}
