import Tensor

/// Average pooling, as `torch.nn.AvgPool2d` (zero padding counts towards the divisor).
/// Shape: `[N, C, H, W]` -> `[N, C, outH, outW]`.
public final class AvgPool2d: Module {
    /// The square window's side, the step between windows and the zero padding on each side, in pixels.
    public let kernelSize, stride, padding: Int

    /// Creates an average pooling over square `kernelSize` windows; `stride` defaults to the kernel
    /// size, as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0, "AvgPool2d: kernel size and stride must be positive")
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "AvgPool2d(\(kernelSize)): expected [N, C, H, W], got \(input.shape)")
        return avgPool2d(input, kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
    }

    public override var extraDescription: String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}
