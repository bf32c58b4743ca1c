import Tensor
import Vision

/// One model input with its targets.
///
/// - `input`: `[C, H, W]`, pixels normalized as the dataset's ``InputFormat`` says.
/// - `target`: `[2K]`, `[x0, y0, x1, y1, ...]` normalized by ``TargetNormalization``.
public struct Sample: Sendable {
    public var input: Tensor
    public var target: Tensor
    public var info: SampleInfo

    public init(input: Tensor, target: Tensor, info: SampleInfo) {
        self.input = input; self.target = target; self.info = info
    }

    /// The target keypoints in model-input pixels.
    public var keypoints: [Point] { info.keypoints }
}
