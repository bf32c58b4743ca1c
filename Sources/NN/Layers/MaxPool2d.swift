import Tensor

/// Max pooling, as `torch.nn.MaxPool2d` (stride defaults to the kernel size). With `ceilMode`,
/// output sizes round up (a last, partial window), as `ceil_mode=True`; see
/// ``maxPool2d(_:kernel:stride:padding:ceilMode:)``.
/// Shape: `[N, C, H, W]` -> `[N, C, outH, outW]`.
public final class MaxPool2d: Module {
    /// The square window's side, the step between windows and the padding on each side (which
    /// never wins the maximum), in pixels.
    public let kernelSize, stride, padding: Int
    /// Whether output sizes round up, PyTorch's `ceil_mode`.
    public let ceilMode: Bool

    /// Creates a max pooling over square `kernelSize` windows; `stride` defaults to the kernel size,
    /// as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0, "MaxPool2d: kernel size and stride must be positive")
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
        self.ceilMode = ceilMode
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "MaxPool2d(\(kernelSize)): expected [N, C, H, W], got \(input.shape)")
        return maxPool2d(
            input, kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding),
            ceilMode: ceilMode)
    }

    public override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=1, ceil_mode=\(ceilMode ? "True" : "False")"
    }
}
