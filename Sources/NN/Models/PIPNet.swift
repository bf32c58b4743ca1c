import Tensor

/// PIPNet (Jin et al. 2021, "Pixel-in-Pixel Net") on ResNet18's trunk: five 1x1 convolutions
/// on the stride-32 feature map, or with `stride: 16` on that map upsampled twice by a learned
/// transposed convolution (the reference's `deconv1`, 4x4, then `bn_deconv1` and a ReLU). Each
/// cell of the map scores whether a landmark lies in it (`cls_layer`), says where inside the
/// cell (`x_layer`, `y_layer`, in cells), and where that landmark's `neighbours` nearest
/// mean-face neighbours lie relative to the cell (`nb_x_layer`, `nb_y_layer`).
/// ``PIPNetMaps/decoded(neighbours:stride:)`` turns the maps into points and
/// ``pipNetLoss(_:_:scoreLoss:scoreWeight:offsetWeight:)`` trains them.
///
/// The state dict is the reference implementation's (`Pip_resnet18` with `net_stride=32` or
/// 16): torchvision's ResNet18 names without `avgpool` and `fc` (`conv1.weight`, `bn1.*`,
/// `layer1.0.conv1.weight`, ...), at stride 16 `deconv1.weight` and `bn_deconv1.*`, then
/// `cls_layer`, `x_layer`, `y_layer`, `nb_x_layer` and `nb_y_layer` (weight and bias each), so a
/// PyTorch module written the same way loads it with `strict=True`. The heads and `deconv1`
/// start as the reference's: weights normal with standard deviation 0.001, biases 0
/// (`bn_deconv1` as every batch norm: weight 1, bias 0); the trunk as
/// ``resnet18(inputChannels:outputs:stemPadding:using:)``'s.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let model = PIPNet(inputChannels: 1, points: 68, neighbours: 10, using: &generator)
/// let maps = model.maps(Tensor.randomNormal([2, 1, 256, 256], using: &generator))   // 8 x 8 cells
/// ```
///
/// Shape: `[N, inputChannels, H, W]` -> the five maps (``maps(_:)``), or all of them joined
/// along the channels by ``forward(_:)``: `[N, 3 points + 2 points neighbours, H / stride, W / stride]`.
public final class PIPNet: Module {
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
    /// At stride 16, the upsampling of the trunk's map (`deconv1`) and its batch norm (`bn_deconv1`); nil at 32.
    public let upsampling: ConvTranspose2d?
    /// At stride 16, the batch norm after `upsampling` (`bn_deconv1`), followed by a ReLU; nil at 32.
    public let upsamplingNorm: BatchNorm2d?
    /// The score map of each point: `cls_layer`.
    public let scoreLayer: Conv2d
    /// The offsets of each point inside its cell: `x_layer`, `y_layer`.
    public let offsetXLayer, offsetYLayer: Conv2d
    /// The offsets of each point's neighbours from its cell: `nb_x_layer`, `nb_y_layer`.
    public let neighbourXLayer, neighbourYLayer: Conv2d
    /// The input's channel count, the number of points, and the neighbours each point predicts
    /// (PIPNet's `num_nb`).
    public let inputChannels, points, neighbours: Int
    /// Input pixels per cell of the maps: 32 or 16.
    public let stride: Int

    /// - Parameters:
    ///   - inputChannels: 1 for grey images, 3 for colour.
    ///   - points: the landmarks (score maps and offset maps per landmark).
    ///   - neighbours: the mean-face neighbours each landmark predicts (PIPNet's `num_nb`, 10).
    ///   - stride: input pixels per cell, the reference's `net_stride`: 32 (the trunk's map) or 16.
    ///   - generator: the source of the initial weights.
    public init(
        inputChannels: Int = 3, points: Int, neighbours: Int = 10, stride: Int = 32,
        using generator: inout RandomGenerator
    ) {
        precondition(
            points > 0 && neighbours > 0 && neighbours < points,
            "PIPNet: expected points > neighbours > 0, got \(points) points and \(neighbours) neighbours")
        precondition(stride == 32 || stride == 16, "PIPNet: expected stride 32 or 16, got \(stride)")
        (self.inputChannels, self.points, self.neighbours, self.stride) = (inputChannels, points, neighbours, stride)
        let trunk = resnet18(inputChannels: inputChannels, outputs: 1, using: &generator)
        (conv1, bn1, relu, maxpool) = (trunk.conv1, trunk.bn1, trunk.relu, trunk.maxpool)
        (layer1, layer2, layer3, layer4) = (trunk.layer1, trunk.layer2, trunk.layer3, trunk.layer4)
        if stride == 16 {
            let deconvolution = ConvTranspose2d(
                512, 512, kernelSize: 4, stride: 2, padding: 1, bias: false, using: &generator)
            deconvolution.weight.assign(Tensor.randomNormal(deconvolution.weight.shape, std: 0.001, using: &generator))
            (upsampling, upsamplingNorm) = (deconvolution, BatchNorm2d(512))
        } else {
            (upsampling, upsamplingNorm) = (nil, nil)
        }
        func head(_ outputs: Int, _ generator: inout RandomGenerator) -> Conv2d {
            let layer = Conv2d(512, outputs, kernelSize: 1, using: &generator)
            layer.weight.assign(Tensor.randomNormal(layer.weight.shape, std: 0.001, using: &generator))
            layer.bias?.assign(Tensor.zeros([outputs]))
            return layer
        }
        scoreLayer = head(points, &generator)
        offsetXLayer = head(points, &generator)
        offsetYLayer = head(points, &generator)
        neighbourXLayer = head(points * neighbours, &generator)
        neighbourYLayer = head(points * neighbours, &generator)
    }

    /// The reference's names: the trunk's as torchvision's, the rest as `Pip_resnet18`'s.
    public override var namedChildren: [(name: String, module: Module)] {
        var children: [(name: String, module: Module)] = [
            ("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool),
            ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4)
        ]
        if let upsampling, let upsamplingNorm { children += [("deconv1", upsampling), ("bn_deconv1", upsamplingNorm)] }
        return children + [
            ("cls_layer", scoreLayer), ("x_layer", offsetXLayer), ("y_layer", offsetYLayer),
            ("nb_x_layer", neighbourXLayer), ("nb_y_layer", neighbourYLayer)
        ]
    }

    /// The five maps of a batch.
    ///
    /// Shape: `[N, inputChannels, H, W]` -> ``PIPNetMaps`` of `[N, points, H / stride, W / stride]` and
    /// `[N, points * neighbours, H / stride, W / stride]` maps (`H` and `W` multiples of 32).
    public func maps(_ input: Tensor) -> PIPNetMaps {
        precondition(
            input.rank == 4 && input.shape[1] == inputChannels,
            "PIPNet: expected [N, \(inputChannels), H, W], got \(input.shape)")
        var features = ResNet.trunk(
            input, conv1: conv1, bn1: bn1, maxpool: maxpool, stages: [layer1, layer2, layer3, layer4])
        if let upsampling, let upsamplingNorm { features = upsamplingNorm(upsampling(features)).relu() }
        return PIPNetMaps(
            scores: scoreLayer(features), offsetX: offsetXLayer(features), offsetY: offsetYLayer(features),
            neighbourX: neighbourXLayer(features), neighbourY: neighbourYLayer(features), neighbours: neighbours)
    }

    /// The five maps joined along the channels, in the order scores, x offsets, y offsets,
    /// neighbour x offsets, neighbour y offsets (``maps(_:)`` keeps them apart).
    ///
    /// Shape: `[N, inputChannels, H, W]` -> `[N, 3 points + 2 points neighbours, H / stride, W / stride]`.
    public override func forward(_ input: Tensor) -> Tensor {
        let maps = maps(input)
        return Tensor.concatenate([maps.scores, maps.offsetX, maps.offsetY, maps.neighbourX, maps.neighbourY], axis: 1)
    }
}
