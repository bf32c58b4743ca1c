import Tensor

/// A non-trainable tensor that belongs to a module's state, such as BatchNorm's running
/// statistics. Saved in state dicts, never touched by optimizers.
public final class Buffer {
    public var value: Tensor
    public init(_ value: Tensor) { self.value = value.detached() }
}
