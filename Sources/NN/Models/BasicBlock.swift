import Tensor

/// torchvision's ResNet basic block: two 3x3 convolutions with batch norm, plus the input
/// (through `downsample` when the shape changes).
///
/// Shape: `[N, inPlanes, H, W]` -> `[N, planes, H / stride, W / stride]`.
public final class BasicBlock: Module {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let relu: ReLU
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let downsample: Sequential?

    public init(inPlanes: Int, planes: Int, stride: Int = 1, using generator: inout RandomGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &generator)
        bn1 = BatchNorm2d(planes)
        relu = ReLU(inplace: true)
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false, using: &generator)
        bn2 = BatchNorm2d(planes)
        downsample = stride != 1 || inPlanes != planes
            ? Sequential(Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false, using: &generator), BatchNorm2d(planes))
            : nil
    }

    public override func forward(_ input: Tensor) -> Tensor {
        // relu(bn1(conv1(x))), then relu(bn2(conv2(.)) + identity), each fused into one pass.
        let out = bn1(conv1(input), activation: .relu)
        return bn2(conv2(out), adding: downsample?(input) ?? input, activation: .relu)
    }
}
