import Tensor

/// torchvision's ResNet with basic blocks, with the same structure, parameter names and
/// initialization (convolutions Kaiming-normal with fan-out, batch norm weight 1 and bias
/// 0), so a torchvision state dict loads unchanged. Use ``resnet18(inputChannels:outputs:stemPadding:using:)``.
///
/// Shape: `[N, inputChannels, H, W]` -> `[N, outputs]`.
public final class ResNet: Module {
    /// The stem's 7x7 stride-2 convolution to 64 channels.
    public let conv1: Conv2d
    /// The stem's batch norm.
    public let bn1: BatchNorm2d
    /// The stem's ReLU (torchvision's `relu`), run fused into `bn1`.
    public let relu: ReLU
    /// The stem's 3x3 stride-2 max pooling.
    public let maxpool: MaxPool2d
    /// The four stages of ``BasicBlock``s (`blocks[i]` each): 64, 128, 256 and 512 channels at
    /// strides 4, 8, 16 and 32.
    public let layer1, layer2, layer3, layer4: Sequential
    /// The average pooling of the stride-32 map to 1x1.
    public let avgpool: AdaptiveAvgPool2d
    /// The final linear layer, 512 features to `outputs`.
    public let fc: Linear
    /// The input's channel count.
    public let inputChannels: Int

    /// - Parameters:
    ///   - blocks: basic blocks per stage (`[2, 2, 2, 2]` for ResNet18).
    ///   - inputChannels: 1 for grey images, 3 for colour.
    ///   - outputs: the final linear layer's outputs (136 for 68 points).
    ///   - stemPadding: the 7x7 stem convolution's padding, torchvision's 3 unless given (the
    ///     study's part 3 used 2); `0...3`.
    ///   - generator: the source of the initial weights.
    public init(
        blocks: [Int], inputChannels: Int = 3, outputs: Int = 1000, stemPadding: Int = 3,
        using generator: inout RandomGenerator
    ) {
        precondition(
            blocks.count == 4 && blocks.allSatisfy { $0 > 0 }, "ResNet: expected 4 positive stage sizes, got \(blocks)")
        precondition((0...3).contains(stemPadding), "ResNet: expected a stem padding in 0...3, got \(stemPadding)")
        self.inputChannels = inputChannels
        conv1 = Conv2d(
            inputChannels, 64, kernelSize: 7, stride: 2, padding: stemPadding, bias: false, using: &generator)
        bn1 = BatchNorm2d(64)
        relu = ReLU(inplace: true)
        maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        var inPlanes = 64
        func stage(_ planes: Int, _ count: Int, stride: Int, _ generator: inout RandomGenerator) -> Sequential {
            var layers: [Module] = []
            for index in 0..<count {
                layers.append(
                    BasicBlock(inPlanes: inPlanes, planes: planes, stride: index == 0 ? stride : 1, using: &generator))
                inPlanes = planes
            }
            return Sequential(layers)
        }
        layer1 = stage(64, blocks[0], stride: 1, &generator)
        layer2 = stage(128, blocks[1], stride: 2, &generator)
        layer3 = stage(256, blocks[2], stride: 2, &generator)
        layer4 = stage(512, blocks[3], stride: 2, &generator)
        avgpool = AdaptiveAvgPool2d(outputSize: (1, 1))
        fc = Linear(512, outputs, using: &generator)
        super.init()
        for (_, module) in namedModules() {
            if let conv = module as? Conv2d {
                conv.weight.assign(Initializer.kaimingNormal(conv.weight.shape, mode: .fanOut, using: &generator))
            }
        }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        fc(avgpool(features(input)).flattened(from: 1))
    }

    /// The trunk without `avgpool` and `fc`: the stem and the four stages, the stride-32
    /// feature map that heads other than classification (PIPNet's) read.
    ///
    /// Shape: `[N, inputChannels, H, W]` -> `[N, 512, H', W']` with `H' = ⌈H / 32⌉` for sizes
    /// divisible by 32 (`[N, 512, 7, 7]` for 224 x 224).
    public func features(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1] == inputChannels,
            "ResNet: expected [N, \(inputChannels), H, W], got \(input.shape)")
        return Self.trunk(input, conv1: conv1, bn1: bn1, maxpool: maxpool, stages: [layer1, layer2, layer3, layer4])
    }

    /// The trunk's computation on given modules: `maxpool(relu(bn1(conv1(x))))`, then the
    /// stages in order. ``features(_:)`` and ``PIPNet`` (which holds the same modules under the
    /// same names, without `avgpool` and `fc`) both run it.
    static func trunk(
        _ input: Tensor, conv1: Conv2d, bn1: BatchNorm2d, maxpool: MaxPool2d, stages: [Sequential]
    ) -> Tensor {
        let stem = maxpool(bn1(conv1(input), activation: .relu))
        return stages.reduce(stem) { features, stage in stage(features) }
    }
}

/// ResNet18 as torchvision builds it, for `inputChannels` (1 for grayscale) and `outputs`
/// (136 for 68 keypoints), with torchvision's stem padding 3 unless `stemPadding` is given.
public func resnet18(
    inputChannels: Int = 3, outputs: Int = 1000, stemPadding: Int = 3, using generator: inout RandomGenerator
) -> ResNet {
    ResNet(
        blocks: [2, 2, 2, 2], inputChannels: inputChannels, outputs: outputs, stemPadding: stemPadding,
        using: &generator)
}
