import Tensor

/// Flattens the axes from `startAxis` on, as `torch.nn.Flatten` (default: all but the batch).
/// Shape: `[N, C, H, W]` -> `[N, C * H * W]`.
public final class Flatten: Module {
    /// The first axis merged (PyTorch's `start_dim`); every axis from it to the last becomes one.
    public let startAxis: Int
    /// Creates a flatten from `startAxis` on; the default keeps the batch axis.
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public override func forward(_ input: Tensor) -> Tensor { input.flattened(from: startAxis) }
    public override var extraDescription: String { "start_dim=\(startAxis), end_dim=-1" }
}
