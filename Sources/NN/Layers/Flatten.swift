import Tensor

/// Flattens the axes from `startAxis` on, as `torch.nn.Flatten` (default: all but the batch).
/// Shape: `[N, C, H, W]` -> `[N, C * H * W]`.
public final class Flatten: Module {
    public let startAxis: Int
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public override func forward(_ input: Tensor) -> Tensor { input.flattened(from: startAxis) }
    public override var extraDescription: String { "start_dim=\(startAxis), end_dim=-1" }
}
