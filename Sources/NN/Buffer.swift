import Tensor

/// A non-trainable tensor that belongs to a module's state, such as BatchNorm's running
/// statistics. Saved in state dicts, never touched by optimizers.
public final class Buffer {
    /// The tensor held, such as a running mean.
    public var value: Tensor
    /// Creates a buffer holding `value`, cut from the autograd graph.
    public init(_ value: Tensor) { self.value = value.detached() }
}
