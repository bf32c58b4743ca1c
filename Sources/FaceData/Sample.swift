import Tensor
import Vision

/// One model input with its targets.
///
/// - `input`: `[C, H, W]`, pixels normalized as the dataset's ``InputFormat`` says.
/// - `target`: `[2K]`, `[x0, y0, x1, y1, ...]` normalized by ``TargetNormalization``.
public struct Sample: Sendable {
    /// The model input, pixels normalized as the dataset's ``InputFormat`` says.
    ///
    /// Shape: `[C, H, W]`.
    public var input: Tensor
    /// The keypoint targets `[x0, y0, x1, y1, ...]`, normalized by ``TargetNormalization``.
    ///
    /// Shape: `[2K]`.
    public var target: Tensor
    /// What the sample is and how it maps back to its photograph.
    public var info: SampleInfo

    /// A sample from its input, targets and info.
    public init(input: Tensor, target: Tensor, info: SampleInfo) {
        self.input = input
        self.target = target
        self.info = info
    }

    /// The target keypoints in model-input pixels.
    public var keypoints: [Point] { info.keypoints }
}
