import Tensor

/// Softmax along one axis, as `torch.nn.Softmax(dim)`; see ``softmax(_:dim:)``.
///
/// Shape: unchanged; each slice along `dim` sums to 1 (`dim: 1` on `[N, C, H, W]` or `[N, C]`
/// gives class probabilities per position or per sample).
public final class Softmax: Module {
    /// The axis along which each slice sums to 1.
    public let dim: Int
    /// Creates a softmax along axis `dim`.
    public init(dim: Int) { self.dim = dim }
    public override func forward(_ input: Tensor) -> Tensor { softmax(input, dim: dim) }
    public override var extraDescription: String { "dim=\(dim)" }
}
