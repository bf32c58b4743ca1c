import Tensor

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
/// Shape: `[N, C, H, W]` -> `[N, C, outputSize.0, outputSize.1]`.
public final class AdaptiveAvgPool2d: Module {
    /// The output's `(height, width)`, PyTorch's `output_size`.
    public let outputSize: (Int, Int)

    /// Creates a pooling to `outputSize`, `(height, width)`, both positive.
    public init(outputSize: (Int, Int)) {
        precondition(
            outputSize.0 > 0 && outputSize.1 > 0, "AdaptiveAvgPool2d: output size must be positive, got \(outputSize)")
        self.outputSize = outputSize
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "AdaptiveAvgPool2d: expected [N, C, H, W], got \(input.shape)")
        return adaptiveAvgPool2d(input, outputSize: outputSize)
    }

    public override var extraDescription: String { "output_size=(\(outputSize.0), \(outputSize.1))" }
}
