import Foundation

/// One image's prediction next to its ground truth, both in the original photo's pixels.
public struct KeypointPrediction: Sendable {
    /// The sample's index in its dataset.
    public let index: Int
    /// The sample's identity (file name, face number).
    public let identity: String
    /// The model's points, in the original photo's pixels.
    public let predicted: [Point]
    /// The annotated points, in the original photo's pixels (NaN for a point the annotation leaves out).
    public let truth: [Point]
    /// What this image's normalized error is divided by (see ``Evaluation/normalizer(truth:region:scheme:)``);
    /// NaN when a point of the normalizing pair is absent.
    public let normalizer: Float
    /// Each predicted point's confidence (``KeypointEstimate/confidences``; nil for regression models).
    public let confidences: [Float]?

    /// A prediction from its parts.
    public init(
        index: Int, identity: String, predicted: [Point], truth: [Point], normalizer: Float, confidences: [Float]? = nil
    ) {
        self.index = index
        self.identity = identity
        self.predicted = predicted
        self.truth = truth
        self.normalizer = normalizer
        self.confidences = confidences
    }

    /// The predicted and true points where the truth is annotated (absent points left out).
    public var annotated: (predicted: [Point], truth: [Point]) {
        let kept = truth.indices.filter { truth[$0].isPresent }
        return (kept.map { predicted[$0] }, kept.map { truth[$0] })
    }
    /// Mean Euclidean error over the annotated points, in pixels.
    public var meanError: Float { KeypointMetrics.meanEuclideanError(annotated.predicted, annotated.truth) }
    /// ``meanError`` divided by ``normalizer`` (NaN without a normalizer).
    public var normalizedError: Float { meanError / normalizer }

    /// Point `point`'s error over ``normalizer``; nil when the point is not annotated or the
    /// face has no normalizer.
    public func normalizedError(ofPoint point: Int) -> Float? {
        guard truth[point].isPresent, normalizer.isFinite && normalizer > 0 else { return nil }
        let d = predicted[point] - truth[point]
        return (d * d).sum().squareRoot() / normalizer
    }
}
