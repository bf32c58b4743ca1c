import Vision

/// What a sample is and how it maps back to its photograph.
///
/// ```swift
/// // prediction: the model's 2K outputs for this sample
/// let inPhoto = info.originalKeypoints(fromPrediction: prediction)   // original pixels
/// ```
public struct SampleInfo: Sendable, Equatable {
    /// The sample's index in its dataset.
    public var index: Int
    /// The image file the sample came from (and `#n` for the n-th face when an image holds several).
    public var identity: String
    /// Original image pixels -> model-input pixels (including any augmentation).
    public var transform: Affine2D
    /// How the targets are scaled from model-input pixels.
    public var normalization: TargetNormalization
    /// Whether the sample was mirrored (its points were then reordered by the mirror map).
    public var flipped: Bool
    /// The reordering applied after mirroring (an involution), or nil.
    public var permutation: [Int]?
    /// The target keypoints in model-input pixels.
    public var keypoints: [Point]

    /// The info of sample `index`; by default the sample is not mirrored and its points keep their
    /// order.
    public init(
        index: Int, identity: String, transform: Affine2D, normalization: TargetNormalization,
        flipped: Bool = false, permutation: [Int]? = nil, keypoints: [Point]
    ) {
        self.index = index
        self.identity = identity
        self.transform = transform
        self.normalization = normalization
        self.flipped = flipped
        self.permutation = permutation
        self.keypoints = keypoints
    }

    /// Model outputs (normalized, `[x0, y0, ...]`) mapped back to the original photograph's
    /// pixels and point order.
    public func originalKeypoints(fromPrediction values: [Float]) -> [Point] {
        originalKeypoints(fromInputPoints: normalization.denormalize(values))
    }

    /// Points in model-input pixels mapped back to original pixels and point order.
    public func originalKeypoints(fromInputPoints points: [Point]) -> [Point] {
        let original = transform.inverse.apply(points)
        guard let permutation else { return original }
        return permutation.map { original[$0] }  // an involution undoes itself
    }
}
