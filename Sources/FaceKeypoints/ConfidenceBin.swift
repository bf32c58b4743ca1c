/// How well a model's confidences predict its errors: the predicted points whose confidence
/// falls in `from..<to`, their count, their mean normalized error and the fraction of them off by
/// more than the evaluation's threshold. ``EvaluationReport/confidence`` holds one per bin of
/// ``edges``, for models with confidences (PIPNet).
public struct ConfidenceBin: Codable, Sendable, Equatable {
    /// The bin's lower edge, inclusive (nil: unbounded).
    public var from: Float?
    /// The bin's upper edge, exclusive (nil: unbounded).
    public var to: Float?
    /// Annotated points (of faces with a normalizer) whose confidence falls in the bin.
    public var points: Int
    /// Their mean error over their face's normalizer (nil for an empty bin).
    public var meanError: Float?
    /// The fraction of them whose normalized error exceeds the threshold (nil for an empty bin).
    public var failureRate: Float?

    enum CodingKeys: String, CodingKey {
        case from, to, points
        case meanError = "mean_error"
        case failureRate = "failure_rate"
    }

    /// The bins' inner edges: below one quarter, up to ``PhotoLandmarks/lowConfidence``, up to
    /// three quarters, and above.
    public static let edges: [Float] = [0.25, PhotoLandmarks.lowConfidence, 0.75]

    /// The bins for `predictions`, with failures beyond `threshold` (normalized error); nil when
    /// the predictions carry no confidences.
    public static func bins(for predictions: [KeypointPrediction], threshold: Float) -> [ConfidenceBin]? {
        guard predictions.contains(where: { $0.confidences != nil }) else { return nil }
        let lowers: [Float?] = [nil] + edges, uppers: [Float?] = edges + [nil]
        var errors = [[Float]](repeating: [], count: lowers.count)
        for prediction in predictions {
            guard let confidences = prediction.confidences else { continue }
            for point in prediction.truth.indices {
                guard let error = prediction.normalizedError(ofPoint: point) else { continue }
                let bin = edges.firstIndex { confidences[point] < $0 } ?? edges.count
                errors[bin].append(error)
            }
        }
        return errors.indices.map { bin in
            let values = errors[bin], count = Float(values.count)
            return ConfidenceBin(
                from: lowers[bin], to: uppers[bin], points: values.count,
                meanError: values.isEmpty ? nil : values.reduce(0, +) / count,
                failureRate: values.isEmpty ? nil : Float(values.filter { $0 > threshold }.count) / count)
        }
    }
}
