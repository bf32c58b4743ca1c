import Tensor

/// A 2-D transposed convolution layer, as `torch.nn.ConvTranspose2d` (no groups, no
/// dilation), initialized as PyTorch does; see ``convTranspose2d(_:weight:bias:stride:padding:outputPadding:)``.
/// The weight is `[inChannels, outChannels, kH, kW]`, PyTorch's layout.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let upsample = ConvTranspose2d(512, 512, kernelSize: 4, stride: 2, padding: 1, bias: false, using: &generator)
/// let larger = upsample(Tensor.zeros([1, 512, 7, 7]))   // [1, 512, 14, 14]
/// ```
///
/// Shape: `[N, inChannels, H, W]` -> `[N, outChannels, (H - 1) * stride - 2 * padding + kH + outputPadding, ...]`.
public final class ConvTranspose2d: Module {
    /// The kernels, shape `[inChannels, outChannels, kH, kW]`, PyTorch's layout.
    public let weight: Parameter
    /// One bias per output channel, shape `[outChannels]`; nil when created with `bias: false`.
    public let bias: Parameter?
    /// The input and output channel counts.
    public let inChannels, outChannels: Int
    /// The kernel size, stride, padding (removed from each side of the output) and output padding
    /// (added to the bottom and right, smaller than the stride), each as `(rows, columns)`.
    public let kernelSize, stride, padding, outputPadding: (Int, Int)

    /// Creates a transposed convolution from `inChannels` to `outChannels` channels, the sizes given
    /// as `(rows, columns)`, with the weight and bias drawn from `generator` as PyTorch initializes them.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), bias: Bool = true,
        using generator: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0 && stride.0 > 0 && stride.1 > 0,
            "ConvTranspose2d: channels, kernel size and stride must be positive, got \(inChannels)->\(outChannels), kernel \(kernelSize), stride \(stride)"
        )
        precondition(
            outputPadding.0 >= 0 && outputPadding.0 < stride.0 && outputPadding.1 >= 0 && outputPadding.1 < stride.1,
            "ConvTranspose2d: output padding \(outputPadding) must be smaller than the stride \(stride)")
        (self.inChannels, self.outChannels) = (inChannels, outChannels)
        (self.kernelSize, self.stride, self.padding, self.outputPadding) = (kernelSize, stride, padding, outputPadding)
        // PyTorch computes the fan-in of this [in, out, kH, kW] weight from its second dimension, as Initializer does.
        let shape = [inChannels, outChannels, kernelSize.0, kernelSize.1]
        weight = Parameter(Initializer.kaimingUniform(shape, using: &generator))
        self.bias =
            bias ? Parameter(Initializer.defaultBias(count: outChannels, weightShape: shape, using: &generator)) : nil
    }

    /// Square kernel, stride and padding.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        outputPadding: Int = 0, bias: Bool = true, using generator: inout RandomGenerator
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), outputPadding: (outputPadding, outputPadding), bias: bias, using: &generator)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1] == inChannels,
            "ConvTranspose2d(\(inChannels)->\(outChannels), \(kernelSize.0)x\(kernelSize.1)): expected [N, \(inChannels), H, W], got \(input.shape)"
        )
        return convTranspose2d(
            input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
            outputPadding: outputPadding)
    }

    public override var extraDescription: String {
        var text =
            "\(inChannels), \(outChannels), kernel_size=(\(kernelSize.0), \(kernelSize.1)), stride=(\(stride.0), \(stride.1))"
        if padding != (0, 0) { text += ", padding=(\(padding.0), \(padding.1))" }
        if outputPadding != (0, 0) { text += ", output_padding=(\(outputPadding.0), \(outputPadding.1))" }
        if bias == nil { text += ", bias=False" }
        return text
    }
}
