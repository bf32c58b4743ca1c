import Tensor

/// The three MTCNN networks, as closures, so that the pipeline (``MTCNN``) does not depend on
/// how they are built. Inputs are normalized as facenet-pytorch does,
/// `(pixel - 127.5) * 0.0078125` with pixels in `0...255`, RGB, NCHW.
///
/// ```swift
/// let stages = MTCNNStages(proposal: { pnet($0) }, refine: { rnet($0) }, output: { onet($0) })
/// ```
public struct MTCNNStages: Sendable {
    /// The proposal network (P-Net), fully convolutional.
    ///
    /// Shape: `[N, 3, H, W]` -> probabilities `[N, 2, H', W']` (softmaxed over dim 1; channel 1
    /// is "face"), regression `[N, 4, H', W']`. Cell `(i, j)` covers the 12x12 input window at
    /// `(2j, 2i)`.
    public var proposal: @Sendable (Tensor) -> (probabilities: Tensor, regression: Tensor)
    /// The refinement network (R-Net).
    ///
    /// Shape: `[N, 3, 24, 24]` -> probabilities `[N, 2]`, regression `[N, 4]`.
    public var refine: @Sendable (Tensor) -> (probabilities: Tensor, regression: Tensor)
    /// The output network (O-Net).
    ///
    /// Shape: `[N, 3, 48, 48]` -> probabilities `[N, 2]`, regression `[N, 4]`, landmarks
    /// `[N, 10]` (x1...x5 then y1...y5, each relative to the crop, as facenet-pytorch).
    public var output: @Sendable (Tensor) -> (probabilities: Tensor, regression: Tensor, landmarks: Tensor)

    /// The stages from the three networks' forward closures.
    public init(
        proposal: @escaping @Sendable (Tensor) -> (probabilities: Tensor, regression: Tensor),
        refine: @escaping @Sendable (Tensor) -> (probabilities: Tensor, regression: Tensor),
        output: @escaping @Sendable (Tensor) -> (probabilities: Tensor, regression: Tensor, landmarks: Tensor)
    ) {
        self.proposal = proposal
        self.refine = refine
        self.output = output
    }
}
