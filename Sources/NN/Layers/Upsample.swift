import Tensor

/// Nearest-neighbour upsampling by an integer factor, as
/// `torch.nn.Upsample(scale_factor=scale, mode='nearest')`; see ``upsampleNearest(_:scale:)``.
/// No parameters.
///
/// Shape: `[N, C, H, W]` -> `[N, C, H * scale, W * scale]`.
public final class Upsample: Module {
    /// The factor each spatial side grows by, PyTorch's `scale_factor`.
    public let scale: Int

    /// Creates an upsampling by the positive integer factor `scale`.
    public init(scale: Int) {
        precondition(scale > 0, "Upsample: scale must be positive, got \(scale)")
        self.scale = scale
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "Upsample(\(scale)): expected [N, C, H, W], got \(input.shape)")
        return upsampleNearest(input, scale: scale)
    }

    public override var extraDescription: String { "scale_factor=\(Double(scale)), mode='nearest'" }
}
