import NN
import Tensor

/// MTCNN's output network, as `facenet_pytorch.models.mtcnn.ONet` (facenet-pytorch 2.6.0):
/// scores 48x48 crops, refines their boxes and places five facial landmarks.
///
/// conv1 (3->32, 3x3), PReLU, 3x3 max pooling (stride 2, ceil mode), conv2 (32->64, 3x3),
/// PReLU, the same pooling, conv3 (64->64, 3x3), PReLU, 2x2 max pooling (stride 2, ceil mode),
/// conv4 (64->128, 2x2), PReLU, then the features permuted to `[N, W, H, C]` before flattening
/// (facenet-pytorch's `permute(0, 3, 2, 1)`), dense5 (1152->256), PReLU, and three heads:
/// dense6_1 (256->2) with a softmax, dense6_2 (256->4) and dense6_3 (256->10). State-dict
/// names are facenet-pytorch's.
///
/// A new network has PyTorch-style random weights; load the trained ones with
/// ``MTCNNWeights/load()``. Input is RGB, normalized as `(pixel - 127.5) * 0.0078125`.
///
/// Shape: `[N, 3, 48, 48]` -> probabilities `[N, 2]`, regression `[N, 4]`, landmarks `[N, 10]`.
public final class ONet: Module {
    /// A 3x3 convolution, 3 -> 32 channels (facenet-pytorch's `conv1`).
    public let conv1: Conv2d
    /// The PReLU after `conv1`, 32 slopes (facenet-pytorch's `prelu1`).
    public let prelu1: PReLU
    /// 3x3 max pooling, stride 2, ceil mode (facenet-pytorch's `pool1`).
    public let pool1: MaxPool2d
    /// A 3x3 convolution, 32 -> 64 channels (facenet-pytorch's `conv2`).
    public let conv2: Conv2d
    /// The PReLU after `conv2`, 64 slopes (facenet-pytorch's `prelu2`).
    public let prelu2: PReLU
    /// 3x3 max pooling, stride 2, ceil mode (facenet-pytorch's `pool2`).
    public let pool2: MaxPool2d
    /// A 3x3 convolution, 64 -> 64 channels (facenet-pytorch's `conv3`).
    public let conv3: Conv2d
    /// The PReLU after `conv3`, 64 slopes (facenet-pytorch's `prelu3`).
    public let prelu3: PReLU
    /// 2x2 max pooling, stride 2, ceil mode (facenet-pytorch's `pool3`).
    public let pool3: MaxPool2d
    /// A 2x2 convolution, 64 -> 128 channels (facenet-pytorch's `conv4`).
    public let conv4: Conv2d
    /// The PReLU after `conv4`, 128 slopes (facenet-pytorch's `prelu4`).
    public let prelu4: PReLU
    /// The fully connected layer, 1152 -> 256 features (facenet-pytorch's `dense5`).
    /// It reads the 128x3x3 features permuted to `[N, W, H, C]` and flattened.
    public let dense5: Linear
    /// The PReLU after `dense5`, 256 slopes (facenet-pytorch's `prelu5`).
    public let prelu5: PReLU
    /// The classification head, 256 -> 2 features (facenet-pytorch's `dense6_1`).
    /// Its outputs are face / not-face scores.
    public let dense6_1: Linear
    /// The softmax over dim 1 that turns `dense6_1`'s scores into probabilities
    /// (facenet-pytorch's `softmax6_1`).
    public let softmax6_1: Softmax
    /// The box-regression head, 256 -> 4 features (facenet-pytorch's `dense6_2`).
    public let dense6_2: Linear
    /// The landmark head, 256 -> 10 features (facenet-pytorch's `dense6_3`).
    /// Its outputs are the five x coordinates, then the five y coordinates.
    public let dense6_3: Linear

    /// An O-Net with PyTorch-style random weights (seed 0), in evaluation mode.
    public override init() {
        var generator = RandomGenerator(seed: 0)
        conv1 = Conv2d(3, 32, kernelSize: 3, using: &generator)
        prelu1 = PReLU(numParameters: 32)
        pool1 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        conv2 = Conv2d(32, 64, kernelSize: 3, using: &generator)
        prelu2 = PReLU(numParameters: 64)
        pool2 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        conv3 = Conv2d(64, 64, kernelSize: 3, using: &generator)
        prelu3 = PReLU(numParameters: 64)
        pool3 = MaxPool2d(kernelSize: 2, stride: 2, ceilMode: true)
        conv4 = Conv2d(64, 128, kernelSize: 2, using: &generator)
        prelu4 = PReLU(numParameters: 128)
        dense5 = Linear(1152, 256, using: &generator)
        prelu5 = PReLU(numParameters: 256)
        dense6_1 = Linear(256, 2, using: &generator)
        softmax6_1 = Softmax(dim: 1)
        dense6_2 = Linear(256, 4, using: &generator)
        dense6_3 = Linear(256, 10, using: &generator)
        super.init()
        eval()
    }

    /// Face probabilities (column 1 is "face"; each row sums to 1), box regression offsets and
    /// five landmarks per crop (facenet-pytorch's order: the five x coordinates, then the five
    /// y coordinates, each relative to the crop's box).
    ///
    /// Shape: `[N, 3, 48, 48]` -> (`[N, 2]`, `[N, 4]`, `[N, 10]`).
    public func outputs(_ input: Tensor) -> (probabilities: Tensor, regression: Tensor, landmarks: Tensor) {
        precondition(
            input.rank == 4 && input.shape[1...] == [3, 48, 48], "ONet: expected [N, 3, 48, 48], got \(input.shape)")
        var x = pool1(prelu1(conv1(input)))
        x = pool2(prelu2(conv2(x)))
        x = pool3(prelu3(conv3(x)))
        x = prelu4(conv4(x))
        x = prelu5(dense5(x.permuted([0, 3, 2, 1]).flattened(from: 1)))
        return (softmax6_1(dense6_1(x)), dense6_2(x), dense6_3(x))
    }

    /// All outputs in one tensor: probabilities (columns 0-1), regression (2-5) and landmarks
    /// (6-15). Use ``outputs(_:)`` for them apart.
    ///
    /// Shape: `[N, 3, 48, 48]` -> `[N, 16]`.
    public override func forward(_ input: Tensor) -> Tensor {
        let (probabilities, regression, landmarks) = outputs(input)
        return Tensor.concatenate([probabilities, regression, landmarks], axis: 1)
    }
}
