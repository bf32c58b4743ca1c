import NN
import Tensor

/// MTCNN's refinement network, as `facenet_pytorch.models.mtcnn.RNet` (facenet-pytorch
/// 2.6.0): scores 24x24 candidate crops as face or not and refines their boxes.
///
/// conv1 (3->28, 3x3), PReLU, 3x3 max pooling (stride 2, ceil mode), conv2 (28->48, 3x3),
/// PReLU, the same pooling, conv3 (48->64, 2x2), PReLU, then the features permuted to
/// `[N, W, H, C]` before flattening (as facenet-pytorch's `permute(0, 3, 2, 1)`, which matches
/// the original Caffe weights), dense4 (576->128), PReLU, and two heads: dense5_1 (128->2)
/// with a softmax and dense5_2 (128->4). State-dict names are facenet-pytorch's.
///
/// A new network has PyTorch-style random weights; load the trained ones with
/// ``MTCNNWeights/load()``. Input is RGB, normalized as `(pixel - 127.5) * 0.0078125`.
///
/// Shape: `[N, 3, 24, 24]` -> probabilities `[N, 2]` and regression `[N, 4]`.
public final class RNet: Module {
    /// A 3x3 convolution, 3 -> 28 channels (facenet-pytorch's `conv1`).
    public let conv1: Conv2d
    /// The PReLU after `conv1`, 28 slopes (facenet-pytorch's `prelu1`).
    public let prelu1: PReLU
    /// 3x3 max pooling, stride 2, ceil mode (facenet-pytorch's `pool1`).
    public let pool1: MaxPool2d
    /// A 3x3 convolution, 28 -> 48 channels (facenet-pytorch's `conv2`).
    public let conv2: Conv2d
    /// The PReLU after `conv2`, 48 slopes (facenet-pytorch's `prelu2`).
    public let prelu2: PReLU
    /// 3x3 max pooling, stride 2, ceil mode (facenet-pytorch's `pool2`).
    public let pool2: MaxPool2d
    /// A 2x2 convolution, 48 -> 64 channels (facenet-pytorch's `conv3`).
    public let conv3: Conv2d
    /// The PReLU after `conv3`, 64 slopes (facenet-pytorch's `prelu3`).
    public let prelu3: PReLU
    /// The fully connected layer, 576 -> 128 features (facenet-pytorch's `dense4`).
    /// It reads the 64x3x3 features permuted to `[N, W, H, C]` and flattened.
    public let dense4: Linear
    /// The PReLU after `dense4`, 128 slopes (facenet-pytorch's `prelu4`).
    public let prelu4: PReLU
    /// The classification head, 128 -> 2 features (facenet-pytorch's `dense5_1`).
    /// Its outputs are face / not-face scores.
    public let dense5_1: Linear
    /// The softmax over dim 1 that turns `dense5_1`'s scores into probabilities
    /// (facenet-pytorch's `softmax5_1`).
    public let softmax5_1: Softmax
    /// The box-regression head, 128 -> 4 features (facenet-pytorch's `dense5_2`).
    public let dense5_2: Linear

    /// An R-Net with PyTorch-style random weights (seed 0), in evaluation mode.
    public override init() {
        var generator = RandomGenerator(seed: 0)
        conv1 = Conv2d(3, 28, kernelSize: 3, using: &generator)
        prelu1 = PReLU(numParameters: 28)
        pool1 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        conv2 = Conv2d(28, 48, kernelSize: 3, using: &generator)
        prelu2 = PReLU(numParameters: 48)
        pool2 = MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true)
        conv3 = Conv2d(48, 64, kernelSize: 2, using: &generator)
        prelu3 = PReLU(numParameters: 64)
        dense4 = Linear(576, 128, using: &generator)
        prelu4 = PReLU(numParameters: 128)
        dense5_1 = Linear(128, 2, using: &generator)
        softmax5_1 = Softmax(dim: 1)
        dense5_2 = Linear(128, 4, using: &generator)
        super.init()
        eval()
    }

    /// Face probabilities (column 1 is "face"; each row sums to 1) and box regression offsets
    /// per crop.
    ///
    /// Shape: `[N, 3, 24, 24]` -> (`[N, 2]`, `[N, 4]`).
    public func outputs(_ input: Tensor) -> (probabilities: Tensor, regression: Tensor) {
        precondition(
            input.rank == 4 && input.shape[1...] == [3, 24, 24], "RNet: expected [N, 3, 24, 24], got \(input.shape)")
        var x = pool1(prelu1(conv1(input)))
        x = pool2(prelu2(conv2(x)))
        x = prelu3(conv3(x))
        x = prelu4(dense4(x.permuted([0, 3, 2, 1]).flattened(from: 1)))
        return (softmax5_1(dense5_1(x)), dense5_2(x))
    }

    /// Both outputs in one tensor: the probabilities (columns 0-1) then the regression
    /// (columns 2-5). Use ``outputs(_:)`` for them apart.
    ///
    /// Shape: `[N, 3, 24, 24]` -> `[N, 6]`.
    public override func forward(_ input: Tensor) -> Tensor {
        let (probabilities, regression) = outputs(input)
        return Tensor.concatenate([probabilities, regression], axis: 1)
    }
}
