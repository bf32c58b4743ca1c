import Tensor

/// torchvision's ResNet basic block: two 3x3 convolutions with batch norm, plus the input
/// (through `downsample` when the shape changes).
///
/// Shape: `[N, inPlanes, H, W]` -> `[N, planes, H / stride, W / stride]`.
public final class BasicBlock: Module {
    /// The first 3x3 convolution, with the block's stride.
    public let conv1: Conv2d
    /// The batch norm after `conv1`.
    public let bn1: BatchNorm2d
    /// torchvision's `relu` module; the ReLUs after `bn1` and after the sum run fused into the
    /// batch norms.
    public let relu: ReLU
    /// The second 3x3 convolution, stride 1.
    public let conv2: Conv2d
    /// The batch norm after `conv2`, before the input is added.
    public let bn2: BatchNorm2d
    /// A 1x1 convolution with the block's stride and a batch norm, which match the input to the
    /// output when the stride or the channel count changes; nil otherwise.
    public let downsample: Sequential?

    /// Creates a block from `inPlanes` to `planes` channels whose first convolution has `stride`,
    /// with the weights drawn from `generator`.
    public init(inPlanes: Int, planes: Int, stride: Int = 1, using generator: inout RandomGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &generator)
        bn1 = BatchNorm2d(planes)
        relu = ReLU(inplace: true)
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false, using: &generator)
        bn2 = BatchNorm2d(planes)
        downsample =
            stride != 1 || inPlanes != planes
            ? Sequential(
                Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false, using: &generator),
                BatchNorm2d(planes))
            : nil
    }

    public override func forward(_ input: Tensor) -> Tensor {
        // relu(bn1(conv1(x))), then relu(bn2(conv2(.)) + identity), each fused into one pass.
        let out = bn1(conv1(input), activation: .relu)
        return bn2(conv2(out), adding: downsample?(input) ?? input, activation: .relu)
    }
}
