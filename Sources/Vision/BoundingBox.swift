/// An axis-aligned rectangle in continuous pixel coordinates (`x`, `y` its top-left corner).
public struct BoundingBox: Sendable, Equatable, CustomStringConvertible {
    /// The top-left corner (`x`, `y`) and the size, in pixels.
    public var x: Float, y: Float, width: Float, height: Float

    /// The box with its top-left corner at (`x`, `y`) and size `width` x `height`, in pixels.
    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The tightest box around `points` (zero-size at the origin when there are none).
    public init(enclosing points: [Point]) {
        guard let first = points.first else {
            self.init(x: 0, y: 0, width: 0, height: 0)
            return
        }
        var low = first, high = first
        for p in points {
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        self.init(x: low.x, y: low.y, width: high.x - low.x, height: high.y - low.y)
    }

    /// The middle of the box.
    public var center: Point { Point(x + width / 2, y + height / 2) }
    /// The right edge.
    public var maxX: Float { x + width }
    /// The bottom edge.
    public var maxY: Float { y + height }

    /// The box grown by `factor` about its center (1.2 adds 10% on each side).
    public func scaled(by factor: Float) -> BoundingBox {
        BoundingBox(
            x: center.x - width * factor / 2, y: center.y - height * factor / 2, width: width * factor,
            height: height * factor)
    }

    /// The smallest square with the same center that contains the box.
    public func squared() -> BoundingBox {
        let side = Swift.max(width, height)
        return BoundingBox(x: center.x - side / 2, y: center.y - side / 2, width: side, height: side)
    }

    /// The area of the intersection over the area of the union (0 when they do not overlap).
    public func intersectionOverUnion(with other: BoundingBox) -> Float {
        let w = Swift.min(maxX, other.maxX) - Swift.max(x, other.x),
            h = Swift.min(maxY, other.maxY) - Swift.max(y, other.y)
        guard w > 0, h > 0 else { return 0 }
        let union = width * height + other.width * other.height - w * h
        return union > 0 ? w * h / union : 0
    }

    public var description: String { "BoundingBox(x: \(x), y: \(y), width: \(width), height: \(height))" }
}
