import Vision

/// One image's points read from a model's output, in model-input pixels.
public struct KeypointEstimate: Sendable, Equatable {
    /// The points, in the model's point order.
    public var points: [Point]
    /// Each point's confidence in `0...1`: PIPNet's peak score (trained towards 1 at the
    /// point's cell and 0 elsewhere) clipped to that range, as the raw peak can pass 1 (1.30
    /// was seen) or fall below 0; nil for regression models, which have none.
    public var confidences: [Float]?

    /// An estimate of `points` with their `confidences` (nil for regression models).
    public init(points: [Point], confidences: [Float]?) {
        self.points = points
        self.confidences = confidences
    }
}
