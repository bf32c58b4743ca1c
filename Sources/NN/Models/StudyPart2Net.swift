import Tensor

/// The part-2 network exactly as the original study printed it: five unpadded convolutions
/// (1->16 5x5, 16->32, 32->64, 64->128, 128->256 3x3), each followed by ReLU and 2x2 max
/// pooling, then fc1 3840->768, fc2 768->384, fc3 384->2*points. For the default 180x240
/// input the features are 256x3x5 = 3840.
///
/// Shape: `[N, 1, inputHeight, inputWidth]` -> `[N, 2 * points]`.
public final class StudyPart2Net: Module {
    /// The five convolutions: 1->16 5x5, then 16->32, 32->64, 64->128 and 128->256 3x3.
    public let conv1, conv2, conv3, conv4, conv5: Conv2d
    /// The 2x2 max pooling after each convolution.
    public let pool: MaxPool2d
    /// The fully connected layers: the flattened features to 768, 768 to 384, then 384 to `2 * points`.
    public let fc1, fc2, fc3: Linear
    /// The input's height and width in pixels, and the number of points predicted.
    public let inputHeight, inputWidth, points: Int

    /// Creates the network for `inputHeight` x `inputWidth` inputs and `points` points, with the
    /// weights drawn from `generator`.
    public init(inputHeight: Int = 180, inputWidth: Int = 240, points: Int = 58, using generator: inout RandomGenerator)
    {
        (self.inputHeight, self.inputWidth, self.points) = (inputHeight, inputWidth, points)
        conv1 = Conv2d(1, 16, kernelSize: 5, using: &generator)
        conv2 = Conv2d(16, 32, kernelSize: 3, using: &generator)
        conv3 = Conv2d(32, 64, kernelSize: 3, using: &generator)
        conv4 = Conv2d(64, 128, kernelSize: 3, using: &generator)
        conv5 = Conv2d(128, 256, kernelSize: 3, using: &generator)
        pool = MaxPool2d(kernelSize: 2)
        let (h, w) = Self.featureSize(inputHeight: inputHeight, inputWidth: inputWidth)
        precondition(
            h > 0 && w > 0, "StudyPart2Net: input \(inputHeight)x\(inputWidth) is too small for five conv+pool stages")
        fc1 = Linear(256 * h * w, 768, using: &generator)
        fc2 = Linear(768, 384, using: &generator)
        fc3 = Linear(384, 2 * points, using: &generator)
    }

    /// The spatial size of the features fc1 reads for an input of this size (0 in a dimension
    /// when the input is too small for the five conv+pool stages).
    public static func featureSize(inputHeight: Int, inputWidth: Int) -> (height: Int, width: Int) {
        NN.featureSize(inputHeight, inputWidth, kernels: [5, 3, 3, 3, 3])
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1...] == [1, inputHeight, inputWidth],
            "StudyPart2Net: expected [N, 1, \(inputHeight), \(inputWidth)], got \(input.shape)")
        var x = input
        for conv in [conv1, conv2, conv3, conv4, conv5] { x = pool(conv(x, activation: .relu)) }
        x = fc1(x.flattened(from: 1)).relu()
        return fc3(fc2(x).relu())
    }
}

@available(
    *, deprecated, renamed: "StudyPart2Net",
    message: "renamed: FaceNet is also the name of a well-known face-recognition network"
)
public typealias FaceNet = StudyPart2Net
