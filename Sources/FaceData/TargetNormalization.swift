import Vision

/// How keypoint targets are scaled for regression.
///
/// A point `p` in model-input pixels becomes `t = (p - size / 2) / (size / 2)` per axis, so the
/// input's corners are at -1 and +1 and its center at 0: targets are zero-centered with a
/// spread near 0.5, which suits a linear output layer trained with MSE from a zero-mean
/// initialization. Points pushed outside the input by augmentation get values beyond +-1
/// (they are kept, not clipped).
///
/// ```swift
/// let n = TargetNormalization(width: 224, height: 224)
/// n.normalize([Point(112, 56)])        // [0, -0.5]
/// n.denormalize([0, -0.5])             // [Point(112, 56)]
/// ```
public struct TargetNormalization: Sendable, Equatable {
    /// The model input's width in pixels.
    public var width: Int
    /// The model input's height in pixels.
    public var height: Int

    /// The normalization for a `width` x `height` model input (both positive).
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "TargetNormalization: expected a positive size, got \(width)x\(height)")
        self.width = width
        self.height = height
    }

    private var half: Point { Point(Float(width) / 2, Float(height) / 2) }

    /// `[x0, y0, x1, y1, ...]` for points in input pixels.
    public func normalize(_ points: [Point]) -> [Float] {
        let h = half
        return points.flatMap { p -> [Float] in
            let t = (p - h) / h
            return [t.x, t.y]
        }
    }

    /// The points in input pixels for `[x0, y0, x1, y1, ...]`.
    public func denormalize(_ values: [Float]) -> [Point] {
        precondition(
            values.count % 2 == 0,
            "TargetNormalization.denormalize: expected an even number of values, got \(values.count)")
        let h = half
        return stride(from: 0, to: values.count, by: 2).map { Point(values[$0], values[$0 + 1]) * h + h }
    }
}
