import Tensor

/// A 2-D convolution layer, as `torch.nn.Conv2d`, initialized as PyTorch does.
///
/// Shape: `[N, inChannels, H, W]` -> `[N, outChannels, outH, outW]`.
public final class Conv2d: Module {
    /// The kernels, shape `[outChannels, inChannels, kH, kW]`, PyTorch's layout.
    public let weight: Parameter
    /// One bias per output channel, shape `[outChannels]`; nil when created with `bias: false`.
    public let bias: Parameter?
    /// The input and output channel counts.
    public let inChannels, outChannels: Int
    /// The kernel size, stride, zero padding on each side and dilation, each as `(rows, columns)`.
    public let kernelSize, stride, padding, dilation: (Int, Int)
    /// Winograd's transformed kernels, kept in evaluation mode while the weight is unchanged.
    package let kernelCache = WinogradKernelCache()

    /// Creates a convolution from `inChannels` to `outChannels` channels, the sizes given as
    /// `(rows, columns)`, with the weight and bias drawn from `generator` as PyTorch initializes them.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), bias: Bool = true,
        using generator: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0 && stride.0 > 0 && stride.1 > 0,
            "Conv2d: channels, kernel size and stride must be positive, got \(inChannels)->\(outChannels), kernel \(kernelSize), stride \(stride)"
        )
        (self.inChannels, self.outChannels) = (inChannels, outChannels)
        (self.kernelSize, self.stride, self.padding, self.dilation) = (kernelSize, stride, padding, dilation)
        let shape = [outChannels, inChannels, kernelSize.0, kernelSize.1]
        weight = Parameter(Initializer.kaimingUniform(shape, using: &generator))
        self.bias =
            bias ? Parameter(Initializer.defaultBias(count: outChannels, weightShape: shape, using: &generator)) : nil
    }

    /// Square kernel, stride and padding.
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, bias: Bool = true, using generator: inout RandomGenerator
    ) {
        self.init(
            inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
            padding: (padding, padding), dilation: (dilation, dilation), bias: bias, using: &generator)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        forward(input, activation: .identity)
    }

    /// The convolution followed by `activation` in the same pass: `conv(x, activation: .relu)`
    /// computes `conv(x).relu()` exactly, faster and keeping one tensor less for backward.
    /// Shape: as ``forward(_:)``.
    public func forward(_ input: Tensor, activation: FusedActivation) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1] == inChannels,
            "\(self.summary): expected [N, \(inChannels), H, W], got \(input.shape)")
        if isTraining { kernelCache.removeAll() }
        return conv2d(
            input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation,
            activation: activation, algorithm: .automatic, kernelCache: isTraining ? nil : kernelCache)
    }

    /// Calls ``forward(_:activation:)``.
    public func callAsFunction(_ input: Tensor, activation: FusedActivation) -> Tensor {
        forward(input, activation: activation)
    }

    private var summary: String { "Conv2d(\(inChannels)->\(outChannels), \(kernelSize.0)x\(kernelSize.1))" }

    public override var extraDescription: String {
        var text =
            "\(inChannels), \(outChannels), kernel_size=(\(kernelSize.0), \(kernelSize.1)), stride=(\(stride.0), \(stride.1))"
        if padding != (0, 0) { text += ", padding=(\(padding.0), \(padding.1))" }
        if dilation != (1, 1) { text += ", dilation=(\(dilation.0), \(dilation.1))" }
        if bias == nil { text += ", bias=False" }
        return text
    }
}
