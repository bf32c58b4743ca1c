import Tensor

/// Max pooling, as `torch.nn.MaxPool2d` (stride defaults to the kernel size).
/// Shape: `[N, C, H, W]` -> `[N, C, outH, outW]`.
public final class MaxPool2d: Module {
    public let kernelSize, stride, padding: Int

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0, "MaxPool2d: kernel size and stride must be positive")
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "MaxPool2d(\(kernelSize)): expected [N, C, H, W], got \(input.shape)")
        return maxPool2d(input, kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
    }

    public override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=1, ceil_mode=False"
    }
}

/// Average pooling, as `torch.nn.AvgPool2d` (zero padding counts towards the divisor).
/// Shape: `[N, C, H, W]` -> `[N, C, outH, outW]`.
public final class AvgPool2d: Module {
    public let kernelSize, stride, padding: Int

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

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`.
/// Shape: `[N, C, H, W]` -> `[N, C, outputSize.0, outputSize.1]`.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: (Int, Int)

    public init(outputSize: (Int, Int)) {
        precondition(outputSize.0 > 0 && outputSize.1 > 0, "AdaptiveAvgPool2d: output size must be positive, got \(outputSize)")
        self.outputSize = outputSize
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "AdaptiveAvgPool2d: expected [N, C, H, W], got \(input.shape)")
        return adaptiveAvgPool2d(input, outputSize: outputSize)
    }

    public override var extraDescription: String { "output_size=(\(outputSize.0), \(outputSize.1))" }
}
