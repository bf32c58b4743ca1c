import NN
import Tensor

/// MTCNN's proposal network, as `facenet_pytorch.models.mtcnn.PNet` (facenet-pytorch 2.6.0):
/// a fully convolutional network that scores every 12x12 window (stride 2) of an image as
/// face or not and regresses its box.
///
/// conv1 (3->10, 3x3), PReLU, 2x2 max pooling (stride 2, ceil mode), conv2 (10->16, 3x3),
/// PReLU, conv3 (16->32, 3x3), PReLU, then two 1x1 heads: conv4_1 (32->2) followed by a
/// softmax over the channels, and conv4_2 (32->4). State-dict names are facenet-pytorch's
/// (`conv1.weight`, `prelu1.weight`, ..., `conv4_2.bias`).
///
/// A new network has PyTorch-style random weights; load the trained ones with
/// ``MTCNNWeights/load()``. Input is RGB, normalized as `(pixel - 127.5) * 0.0078125`; the
/// caller normalizes.
///
/// Shape: `[N, 3, H, W]` (H, W >= 12) -> probabilities `[N, 2, H', W']` and regression
/// `[N, 4, H', W']` with `H' = ceil((H - 2) / 2) - 4` (likewise `W'`).
public final class PNet: Module {
    /// A 3x3 convolution, 3 -> 10 channels (facenet-pytorch's `conv1`).
    public let conv1: Conv2d
    /// The PReLU after `conv1`, 10 slopes (facenet-pytorch's `prelu1`).
    public let prelu1: PReLU
    /// 2x2 max pooling, stride 2, ceil mode (facenet-pytorch's `pool1`).
    public let pool1: MaxPool2d
    /// A 3x3 convolution, 10 -> 16 channels (facenet-pytorch's `conv2`).
    public let conv2: Conv2d
    /// The PReLU after `conv2`, 16 slopes (facenet-pytorch's `prelu2`).
    public let prelu2: PReLU
    /// A 3x3 convolution, 16 -> 32 channels (facenet-pytorch's `conv3`).
    public let conv3: Conv2d
    /// The PReLU after `conv3`, 32 slopes (facenet-pytorch's `prelu3`).
    public let prelu3: PReLU
    /// The classification head: a 1x1 convolution, 32 -> 2 channels of face / not-face scores
    /// (facenet-pytorch's `conv4_1`).
    public let conv4_1: Conv2d
    /// The softmax over dim 1 that turns `conv4_1`'s scores into probabilities
    /// (facenet-pytorch's `softmax4_1`).
    public let softmax4_1: Softmax
    /// The box-regression head: a 1x1 convolution, 32 -> 4 channels (facenet-pytorch's `conv4_2`).
    public let conv4_2: Conv2d

    /// A P-Net with PyTorch-style random weights (seed 0), in evaluation mode.
    public override init() {
        var generator = RandomGenerator(seed: 0)
        conv1 = Conv2d(3, 10, kernelSize: 3, using: &generator)
        prelu1 = PReLU(numParameters: 10)
        pool1 = MaxPool2d(kernelSize: 2, stride: 2, ceilMode: true)
        conv2 = Conv2d(10, 16, kernelSize: 3, using: &generator)
        prelu2 = PReLU(numParameters: 16)
        conv3 = Conv2d(16, 32, kernelSize: 3, using: &generator)
        prelu3 = PReLU(numParameters: 32)
        conv4_1 = Conv2d(32, 2, kernelSize: 1, using: &generator)
        softmax4_1 = Softmax(dim: 1)
        conv4_2 = Conv2d(32, 4, kernelSize: 1, using: &generator)
        super.init()
        eval()
    }

    /// Face probabilities (channel 1 is "face", channel 0 "not a face"; they sum to 1) and box
    /// regression offsets for every window position.
    ///
    /// Shape: `[N, 3, H, W]` -> (`[N, 2, H', W']`, `[N, 4, H', W']`).
    public func outputs(_ input: Tensor) -> (probabilities: Tensor, regression: Tensor) {
        precondition(
            input.rank == 4 && input.shape[1] == 3 && input.shape[2] >= 12 && input.shape[3] >= 12,
            "PNet: expected [N, 3, H, W] with H, W >= 12, got \(input.shape)")
        var x = prelu1(conv1(input))
        x = pool1(x)
        x = prelu2(conv2(x))
        x = prelu3(conv3(x))
        return (softmax4_1(conv4_1(x)), conv4_2(x))
    }

    /// Both outputs in one tensor: the probabilities (channels 0-1) then the regression
    /// (channels 2-5), concatenated along the channels. Use ``outputs(_:)`` for them apart.
    ///
    /// Shape: `[N, 3, H, W]` -> `[N, 6, H', W']`.
    public override func forward(_ input: Tensor) -> Tensor {
        let (probabilities, regression) = outputs(input)
        return Tensor.concatenate([probabilities, regression], axis: 1)
    }
}
