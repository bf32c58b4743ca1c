import Synchronization
import Tensor

/// An activation applied in the same pass as the operation producing its input (fused),
/// computing exactly `op(x).relu()` with one pass less and one saved tensor less.
public enum FusedActivation: Sendable, Equatable {
    /// No activation: the operation's own output.
    case identity
    /// `max(x, 0)` (NaN stays NaN, as in PyTorch); the gradient passes where the output is
    /// positive, as `Tensor.relu()`.
    case relu
}
