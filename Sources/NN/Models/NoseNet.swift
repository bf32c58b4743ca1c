import Tensor

/// The part-1 network: finds the nose tip in a small grayscale face.
///
/// Three convolutions (12, 24, 32 channels; 5x5 then 3x3, no padding), each followed by ReLU
/// and 2x2 max pooling, then two fully connected layers. For the default 60x80 input the
/// features are 32x5x8 = 1280.
///
/// Shape: `[N, 1, inputHeight, inputWidth]` -> `[N, 2 * points]` (x, y pairs).
public final class NoseNet: Module {
    /// The three convolutions: 1->12 5x5, 12->24 3x3 and 24->32 3x3.
    public let conv1, conv2, conv3: Conv2d
    /// The 2x2 max pooling after each convolution.
    public let pool: MaxPool2d
    /// The fully connected layers: the flattened features to `hidden`, then `hidden` to `2 * points`.
    public let fc1, fc2: Linear
    /// The input's height and width in pixels, and the number of points predicted.
    public let inputHeight, inputWidth, points: Int

    /// Creates the network for inputs of the given size.
    ///
    /// - Parameters:
    ///   - inputHeight: the input's height in pixels.
    ///   - inputWidth: the input's width in pixels.
    ///   - points: the points predicted (two outputs each).
    ///   - hidden: `fc1`'s outputs.
    ///   - generator: the source of the initial weights.
    public init(
        inputHeight: Int = 60, inputWidth: Int = 80, points: Int = 1, hidden: Int = 128,
        using generator: inout RandomGenerator
    ) {
        (self.inputHeight, self.inputWidth, self.points) = (inputHeight, inputWidth, points)
        conv1 = Conv2d(1, 12, kernelSize: 5, using: &generator)
        conv2 = Conv2d(12, 24, kernelSize: 3, using: &generator)
        conv3 = Conv2d(24, 32, kernelSize: 3, using: &generator)
        pool = MaxPool2d(kernelSize: 2)
        let (h, w) = Self.featureSize(inputHeight: inputHeight, inputWidth: inputWidth)
        precondition(
            h > 0 && w > 0, "NoseNet: input \(inputHeight)x\(inputWidth) is too small for three conv+pool stages")
        fc1 = Linear(32 * h * w, hidden, using: &generator)
        fc2 = Linear(hidden, 2 * points, using: &generator)
    }

    /// The spatial size of the features fc1 reads for an input of this size (0 in a dimension
    /// when the input is too small for the three conv+pool stages).
    public static func featureSize(inputHeight: Int, inputWidth: Int) -> (height: Int, width: Int) {
        NN.featureSize(inputHeight, inputWidth, kernels: [5, 3, 3])
    }

    public override func forward(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 4 && input.shape[1...] == [1, inputHeight, inputWidth],
            "NoseNet: expected [N, 1, \(inputHeight), \(inputWidth)], got \(input.shape)")
        var x = pool(conv1(input, activation: .relu))
        x = pool(conv2(x, activation: .relu))
        x = pool(conv3(x, activation: .relu))
        return fc2(fc1(x.flattened(from: 1)).relu())
    }
}

/// Spatial size after unpadded convolutions of the given kernel sizes, each followed by 2x2
/// max pooling.
func featureSize(_ height: Int, _ width: Int, kernels: [Int]) -> (Int, Int) {
    kernels.reduce((height, width)) { size, k in ((size.0 - k + 1) / 2, (size.1 - k + 1) / 2) }
}
