/// The points of one image decoded from a ``PIPNet``'s maps by
/// ``PIPNetMaps/decoded(neighbours:stride:)``, in input pixels (the package's convention: `(0, 0)`
/// is the top-left corner of the top-left pixel).
public struct PIPNetPrediction: Sendable, Equatable {
    /// Each point: the mean of its own estimate and its neighbours' estimates of it.
    public let points: [SIMD2<Float>]
    /// Each point's own estimate: its peak cell plus its offsets, before merging.
    public let ownPoints: [SIMD2<Float>]
    /// Each point's peak score (the reference's `max_cls`): the score maps are trained towards
    /// 1 at the point's cell and 0 elsewhere, so it reads as a probability, mostly in `[0, 1]`.
    /// No sigmoid or softmax, as the reference.
    public let confidences: [Float]
    /// Each point's peak cell, `row * width + column`.
    public let cells: [Int]
}
