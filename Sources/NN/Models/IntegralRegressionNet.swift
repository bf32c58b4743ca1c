import Tensor

/// Integral regression (Sun et al. 2018) on ResNet18's trunk: a head upsamples the stride-32
/// feature map twice to stride-8 heatmaps, one per point, and ``softArgmax(_:)`` reads each
/// map's expected position, so the network regresses coordinates (normalized to `[-1, 1]`,
/// `x0, y0, x1, y1, ...`) while keeping the spatial layout of a heatmap model.
///
/// The state dict is torchvision's ResNet18 names without `avgpool` and `fc` (`conv1.weight`,
/// `bn1.*`, `layer1.0.conv1.weight`, ...), then the head as a `torch.nn.Sequential`:
/// `Upsample(2)`, `Conv2d(512, 256, 3)`, `BatchNorm2d(256)`, `ReLU`, `Upsample(2)`,
/// `Conv2d(256, 128, 3)`, `BatchNorm2d(128)`, `ReLU`, `Conv2d(128, points, 1)`, the convolutions
/// without bias: `head.1.weight`, `head.2.*`, `head.5.weight`, `head.6.*`, `head.8.weight` (the last
/// has none because a constant added to a map leaves its softmax unchanged). The trunk starts
/// as ``resnet18(inputChannels:outputs:stemPadding:using:)``'s, the 3x3 convolutions as ``Conv2d``'s
/// default, the last one with weights normal of standard deviation 0.001 (as ``PIPNet``'s heads).
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let model = IntegralRegressionNet(inputChannels: 1, points: 68, using: &generator)
/// let points = model(Tensor.randomNormal([2, 1, 256, 256], using: &generator))   // [2, 136]
/// ```
///
/// Shape: `[N, inputChannels, H, W]` -> `[N, 2 points]` (``heatmaps(_:)``: `[N, points, H / 8,
/// W / 8]`), `H` and `W` multiples of 32.
public final class IntegralRegressionNet: Module {
    // ResNet18's trunk, the modules of a ``ResNet`` taken over under their own names.
    /// The stem's 7x7 stride-2 convolution to 64 channels.
    public let conv1: Conv2d
    /// The stem's batch norm.
    public let bn1: BatchNorm2d
    /// The stem's ReLU (torchvision's `relu`), run fused into `bn1`.
    public let relu: ReLU
    /// The stem's 3x3 stride-2 max pooling.
    public let maxpool: MaxPool2d
    /// ResNet18's four stages of two ``BasicBlock``s: 64, 128, 256 and 512 channels at strides 4, 8,
    /// 16 and 32.
    public let layer1, layer2, layer3, layer4: Sequential
    /// Stride 32 to stride 8, then one map per point.
    public let head: Sequential
    /// The input's channel count and the number of points.
    public let inputChannels, points: Int
    /// Input pixels per cell of the heatmaps.
    public let stride = 8

    /// - Parameters:
    ///   - inputChannels: 1 for grey images, 3 for colour.
    ///   - points: the landmarks (one heatmap each).
    ///   - generator: the source of the initial weights.
    public init(inputChannels: Int = 3, points: Int, using generator: inout RandomGenerator) {
        precondition(points > 0, "IntegralRegressionNet: expected points > 0, got \(points)")
        (self.inputChannels, self.points) = (inputChannels, points)
        let trunk = resnet18(inputChannels: inputChannels, outputs: 1, using: &generator)
        (conv1, bn1, relu, maxpool) = (trunk.conv1, trunk.bn1, trunk.relu, trunk.maxpool)
        (layer1, layer2, layer3, layer4) = (trunk.layer1, trunk.layer2, trunk.layer3, trunk.layer4)
        let wide = Conv2d(512, 256, kernelSize: 3, padding: 1, bias: false, using: &generator)
        let narrow = Conv2d(256, 128, kernelSize: 3, padding: 1, bias: false, using: &generator)
        let last = Conv2d(128, points, kernelSize: 1, bias: false, using: &generator)
        last.weight.assign(Tensor.randomNormal(last.weight.shape, std: 0.001, using: &generator))
        head = Sequential(
            Upsample(scale: 2), wide, BatchNorm2d(256), ReLU(), Upsample(scale: 2), narrow, BatchNorm2d(128), ReLU(),
            last)
    }

    /// torchvision's names for the trunk, then `head`.
    public override var namedChildren: [(name: String, module: Module)] {
        [
            ("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool),
            ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4), ("head", head)
        ]
    }

    /// One heatmap per point, before the softmax.
    ///
    /// Shape: `[N, inputChannels, H, W]` -> `[N, points, H / 8, W / 8]`.
    public func heatmaps(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1] == inputChannels,
            "IntegralRegressionNet: expected [N, \(inputChannels), H, W], got \(input.shape)")
        precondition(
            input.shape[2] % 32 == 0 && input.shape[3] % 32 == 0,
            "IntegralRegressionNet: input sides must be multiples of 32, got \(input.shape[2]) x \(input.shape[3])")
        let features = ResNet.trunk(
            input, conv1: conv1, bn1: bn1, maxpool: maxpool, stages: [layer1, layer2, layer3, layer4])
        return head(features)
    }

    /// The expected position of each point, ``softArgmax(_:)`` of its heatmap.
    ///
    /// Shape: `[N, inputChannels, H, W]` -> `[N, 2 points]`, `x0, y0, x1, y1, ...` in `[-1, 1]`.
    public override func forward(_ input: Tensor) -> Tensor {
        softArgmax(heatmaps(input))
    }
}
