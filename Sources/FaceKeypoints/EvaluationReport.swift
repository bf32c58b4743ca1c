import Foundation

/// The accuracy figures of a set of predictions.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// Faces evaluated (missed ones included).
    public var images: Int
    /// Images in the normalized figures (NME, failure rate, AUC): those with a normalizer
    /// (a face missing a point of the normalizing pair has none).
    public var normalizedImages: Int
    /// Mean Euclidean error per point, in pixels of the original photos.
    public var meanErrorPx: Float
    /// Mean absolute coordinate error, in pixels.
    public var meanAbsoluteErrorPx: Float
    /// Mean normalized error (NME): per-image mean error over ``normalization``, averaged.
    public var nme: Float
    /// The standard error of ``nme`` as an estimate from these faces (the sample standard
    /// deviation of the per-image errors over the square root of their number; nil below two
    /// images): how far another draw of as many faces would likely move it. On 121 faces of
    /// 300-W, about 0.001.
    public var nmeStandardError: Float?
    /// Fraction of images whose normalized error exceeds ``threshold``.
    public var failureRate: Float
    /// Area under the cumulative error curve up to ``threshold``, in `0...1`.
    public var auc: Float
    /// The normalized error beyond which a face fails, in NME units: the limit of ``failureRate``
    /// and ``auc`` (`keypoints evaluate --threshold`, 0.08 by default).
    public var threshold: Float
    /// What NME divides by: `inter-ocular` (68 points: outer eye corners 36 and 45),
    /// `box-size` (sqrt of the ground-truth points' box area) or `crop-width` (one point).
    public var normalization: String
    /// Faces the detector did not find (with detector boxes; nil otherwise): counted as
    /// failures in ``failureRate`` and ``auc``, left out of the errors and ``nme``.
    public var missed: Int?
    /// For models with confidences (PIPNet; nil otherwise): the points' errors by confidence
    /// (``ConfidenceBin/edges``), failures beyond ``threshold``.
    public var confidence: [ConfidenceBin]?

    enum CodingKeys: String, CodingKey {
        case images, threshold, normalization, nme, auc, missed, confidence
        case normalizedImages = "normalized_images"
        case nmeStandardError = "nme_standard_error"
        case meanErrorPx = "mean_error_px"
        case meanAbsoluteErrorPx = "mae_px"
        case failureRate = "failure_rate"
    }
}
