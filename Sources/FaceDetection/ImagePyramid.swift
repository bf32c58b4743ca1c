/// The scales of MTCNN's first stage, as facenet-pytorch's `detect_face` computes them.
///
/// The first scale maps the smallest face (`minimumFaceSize` pixels) onto the proposal
/// network's 12-pixel cell; each further scale is `factor` times the previous one, while the
/// shorter image side, scaled, stays at least 12 pixels. Level `k` is the image area-resampled to
/// `int(height * scale + 1)` x `int(width * scale + 1)`. All of it in Double, as Python does.
///
/// ```swift
/// let pyramid = ImagePyramid(width: 640, height: 480, minimumFaceSize: 20, factor: 0.709)
/// pyramid.levels.first   // (scale: 0.6, width: 385, height: 289)
/// ```
public struct ImagePyramid: Sendable, Equatable {
    /// One level: its scale and its size in pixels.
    public struct Level: Sendable, Equatable {
        /// The factor from image pixels to this level's pixels.
        public var scale: Double
        /// The level's width in pixels, `int(width * scale + 1)`.
        public var width: Int
        /// The level's height in pixels, `int(height * scale + 1)`.
        public var height: Int
    }

    /// The levels, largest first; empty when the image is too small for a
    /// `minimumFaceSize` face.
    public let levels: [Level]

    /// The pyramid for a `width` x `height` image.
    public init(width: Int, height: Int, minimumFaceSize: Int, factor: Double) {
        precondition(minimumFaceSize > 0, "ImagePyramid: minimumFaceSize must be positive, got \(minimumFaceSize)")
        precondition(factor > 0 && factor < 1, "ImagePyramid: factor must be in (0, 1), got \(factor)")
        let m = 12.0 / Double(minimumFaceSize)
        var shorter = Double(min(width, height)) * m
        var scale = m
        var levels: [Level] = []
        while shorter >= 12 {
            // Python's int() truncates toward zero; the operands are positive here.
            levels.append(
                Level(
                    scale: scale, width: Int(Double(width) * scale + 1),
                    height: Int(Double(height) * scale + 1)))
            scale *= factor
            shorter *= factor
        }
        self.levels = levels
    }
}
