import Vision

/// One face found by ``MTCNN``.
///
/// Coordinates are the package's: continuous pixels, pixel `(x, y)` covering
/// `[x, x+1) x [y, y+1)`. facenet-pytorch's box `[x1, y1, x2, y2]` (kept in ``corners``) uses
/// the MATLAB original's convention, inclusive 1-based pixels: its crops take 0-based rows
/// `y1 - 1 ..< y2` (after truncation), and `bbreg` measures widths as `x2 - x1 + 1`. So the
/// region is `[x1 - 1, x2] x [y1 - 1, y2]`, and ``box`` is
/// `(x: x1 - 1, y: y1 - 1, width: x2 - x1 + 1, height: y2 - y1 + 1)` (Float32 arithmetic).
/// The landmarks need no change: facenet-pytorch computes them as `w * p + x1 - 1` with the
/// same `w = x2 - x1 + 1`, which is already this continuous system (`p = 0` the left edge,
/// `p = 1` the right edge of the region). Note that facenet-pytorch's own `extract_face` crops
/// `[x1, x2)`, one pixel right of and narrower than this region.
public struct DetectedFace: Sendable, Equatable {
    /// The face's region, in image pixels.
    public var box: BoundingBox
    /// The output network's face probability.
    public var score: Float
    /// Eyes (left, right in the image), nose, mouth corners (left, right), in image pixels.
    public var points5: [Point]
    /// facenet-pytorch's `[x1, y1, x2, y2]`, unchanged.
    public var corners: SIMD4<Float>

    /// A face from facenet-pytorch's box `[x1, y1, x2, y2]`, its score and its five landmarks in
    /// image pixels; ``box`` is derived from `corners` as described above.
    public init(corners: SIMD4<Float>, score: Float, points5: [Point]) {
        self.corners = corners
        self.box = BoundingBox(
            x: corners[0] - 1, y: corners[1] - 1,
            width: corners[2] - corners[0] + 1, height: corners[3] - corners[1] + 1)
        self.score = score
        self.points5 = points5
    }
}
