#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A keypoint or any other position in continuous pixel coordinates: `x` to the right, `y`
/// down, `(0, 0)` the top-left corner of the top-left pixel, so pixel `(col, row)` has its
/// center at `(col + 0.5, row + 0.5)`. See `Docs/Coordinates.md`.
public typealias Point = SIMD2<Float>

/// A 2-D affine map of continuous pixel coordinates,
/// `x' = a*x + b*y + tx`, `y' = c*x + d*y + ty` (the 2x3 matrix `[[a, b, tx], [c, d, ty]]`).
///
/// Every geometric image operation (crop, resize, flip, rotate, scale, shift, and their
/// compositions) is one of these. The same value maps keypoints (``apply(_:)-(Point)``) and
/// warps images (``Image/warped(by:width:height:fill:antialias:)``, which samples the source
/// through the inverse), so pixels and points cannot drift apart.
///
/// ```swift
/// let box = BoundingBox(x: 120, y: 80, width: 200, height: 200)
/// let t = Affine2D.rotation(degrees: 10, about: box.center)
///     .then(.mapping(box, toWidth: 96, height: 96))
/// let face = image.warped(by: t, width: 96, height: 96)
/// let targets = t.apply(keypoints)
/// ```
public struct Affine2D: Sendable, Equatable, CustomStringConvertible {
    /// The first row of the matrix: `x' = a*x + b*y + tx` (`tx` in pixels).
    public var a: Float, b: Float, tx: Float
    /// The second row of the matrix: `y' = c*x + d*y + ty` (`ty` in pixels).
    public var c: Float, d: Float, ty: Float

    /// The map `[[a, b, tx], [c, d, ty]]`.
    public init(a: Float, b: Float, tx: Float, c: Float, d: Float, ty: Float) {
        self.a = a
        self.b = b
        self.tx = tx
        self.c = c
        self.d = d
        self.ty = ty
    }

    /// Leaves every point where it is.
    public static let identity = Affine2D(a: 1, b: 0, tx: 0, c: 0, d: 1, ty: 0)

    /// Moves points by `(dx, dy)`.
    public static func translation(dx: Float, dy: Float) -> Affine2D {
        Affine2D(a: 1, b: 0, tx: dx, c: 0, d: 1, ty: dy)
    }

    /// Scales by `sx`, `sy` about `center` (default: the origin, the top-left image corner).
    public static func scale(sx: Float, sy: Float, about center: Point = .zero) -> Affine2D {
        Affine2D(a: sx, b: 0, tx: center.x - sx * center.x, c: 0, d: sy, ty: center.y - sy * center.y)
    }

    /// Scales uniformly by `factor` about `center`.
    public static func scale(_ factor: Float, about center: Point = .zero) -> Affine2D {
        scale(sx: factor, sy: factor, about: center)
    }

    /// Rotates by `degrees` about `center`; positive angles turn counter-clockwise on screen
    /// (as torchvision's and PIL's `rotate`), even though `y` points down.
    public static func rotation(degrees: Float, about center: Point = .zero) -> Affine2D {
        let radians = Double(degrees) * .pi / 180
        let cosine = Float(cos(radians)), sine = Float(sin(radians))
        // Counter-clockwise on screen with y down: x' = cx + cos*dx + sin*dy, y' = cy - sin*dx + cos*dy.
        return Affine2D(
            a: cosine, b: sine, tx: center.x - cosine * center.x - sine * center.y,
            c: -sine, d: cosine, ty: center.y + sine * center.x - cosine * center.y)
    }

    /// Mirrors left-right within an image of `width` columns: `x' = width - x`. Pixel column
    /// `i` goes to column `width - 1 - i`. (Mirroring faces also swaps left and right keypoint
    /// labels; that reindexing is the dataset's business.)
    public static func horizontalFlip(width: Int) -> Affine2D {
        Affine2D(a: -1, b: 0, tx: Float(width), c: 0, d: 1, ty: 0)
    }

    /// Mirrors top-bottom within an image of `height` rows: `y' = height - y`.
    public static func verticalFlip(height: Int) -> Affine2D {
        Affine2D(a: 1, b: 0, tx: 0, c: 0, d: -1, ty: Float(height))
    }

    /// Cropping at `(x, y)`: the crop's top-left corner becomes the origin.
    public static func crop(x: Float, y: Float) -> Affine2D {
        translation(dx: -x, dy: -y)
    }

    /// Resizing an image from `fromWidth x fromHeight` to `toWidth x toHeight`: image corners
    /// map to image corners (as PIL's and torchvision's resize, i.e. `align_corners=False`).
    public static func resize(fromWidth: Int, fromHeight: Int, toWidth: Int, toHeight: Int) -> Affine2D {
        scale(sx: Float(toWidth) / Float(fromWidth), sy: Float(toHeight) / Float(fromHeight))
    }

    /// Maps `box` onto a `width x height` image: crop to the box, then resize.
    public static func mapping(_ box: BoundingBox, toWidth width: Int, height: Int) -> Affine2D {
        crop(x: box.x, y: box.y).then(.scale(sx: Float(width) / box.width, sy: Float(height) / box.height))
    }

    /// This transform followed by `next`: `(self.then(next)).apply(p) == next.apply(self.apply(p))`.
    public func then(_ next: Affine2D) -> Affine2D {
        Affine2D(
            a: next.a * a + next.b * c, b: next.a * b + next.b * d, tx: next.a * tx + next.b * ty + next.tx,
            c: next.c * a + next.d * c, d: next.c * b + next.d * d, ty: next.c * tx + next.d * ty + next.ty)
    }

    /// The determinant of the linear part (the area scale factor; negative for mirrors).
    public var determinant: Float { a * d - b * c }

    /// The transform that undoes this one. Stops with a precondition for a singular map.
    public var inverse: Affine2D {
        // Solve in Double so composing with the inverse is identity to Float precision.
        let (da, db, dc, dd) = (Double(a), Double(b), Double(c), Double(d))
        let det = da * dd - db * dc
        precondition(det != 0 && det.isFinite, "Affine2D.inverse: singular transform \(self)")
        let ia = dd / det, ib = -db / det, ic = -dc / det, id = da / det
        let itx = -(ia * Double(tx) + ib * Double(ty)), ity = -(ic * Double(tx) + id * Double(ty))
        return Affine2D(a: Float(ia), b: Float(ib), tx: Float(itx), c: Float(ic), d: Float(id), ty: Float(ity))
    }

    /// The image of one point.
    public func apply(_ p: Point) -> Point {
        Point(a * p.x + b * p.y + tx, c * p.x + d * p.y + ty)
    }

    /// The images of several points (keypoints), in order.
    public func apply(_ points: [Point]) -> [Point] {
        points.map { apply($0) }
    }

    /// The bounding box of a box's four mapped corners.
    public func apply(_ box: BoundingBox) -> BoundingBox {
        BoundingBox(enclosing: [
            apply(Point(box.x, box.y)), apply(Point(box.x + box.width, box.y)),
            apply(Point(box.x, box.y + box.height)), apply(Point(box.x + box.width, box.y + box.height))
        ])
    }

    /// How much the map stretches the source's x and y directions (the column norms of the
    /// linear part); below 1 means shrinking.
    public var axisScales: (x: Float, y: Float) {
        ((a * a + c * c).squareRoot(), (b * b + d * d).squareRoot())
    }

    /// Whether every coefficient is within `tolerance` of `other`'s.
    public func isApproximatelyEqual(to other: Affine2D, tolerance: Float = 1e-5) -> Bool {
        Swift.abs(a - other.a) <= tolerance && Swift.abs(b - other.b) <= tolerance
            && Swift.abs(tx - other.tx) <= tolerance
            && Swift.abs(c - other.c) <= tolerance && Swift.abs(d - other.d) <= tolerance
            && Swift.abs(ty - other.ty) <= tolerance
    }

    public var description: String { "Affine2D([[\(a), \(b), \(tx)], [\(c), \(d), \(ty)]])" }
}
