import Foundation
import Testing

@testable import Vision

@Suite("Affine transforms move pixels and keypoints together")
struct TransformTests {
    /// A gray image with a Gaussian blob centered exactly on `center` (continuous coordinates).
    func blob(at center: Point, width: Int = 64, height: Int = 48, sigma: Float = 1.5) -> Image {
        var image = Image(width: width, height: height, channels: 1)
        for y in 0..<height {
            for x in 0..<width {
                let d = Point(Float(x) + 0.5, Float(y) + 0.5) - center
                image[x, y, 0] = exp(-(d * d).sum() / (2 * sigma * sigma))
            }
        }
        return image
    }

    /// The intensity-weighted centroid of the image, in continuous coordinates.
    func centroid(_ image: Image) -> Point {
        var total: Float = 0, sum = Point.zero
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = image[x, y, 0]
                total += v
                sum += v * Point(Float(x) + 0.5, Float(y) + 0.5)
            }
        }
        return sum / total
    }

    func distance(_ a: Point, _ b: Point) -> Float { ((a - b) * (a - b)).sum().squareRoot() }

    static let keypoint = Point(27.3, 21.6)
    static let center = Point(32, 24)

    @Test(
        "a dot stays under its mapped keypoint after each warp",
        arguments: [
            ("rotation 30", Affine2D.rotation(degrees: 30, about: center)),
            ("rotation -75", Affine2D.rotation(degrees: -75, about: Point(20, 30))),
            ("scale up", Affine2D.scale(1.4, about: center)),
            ("scale down", Affine2D.scale(0.6, about: center)),
            ("shift", Affine2D.translation(dx: 3.5, dy: -2.25)),
            ("crop", Affine2D.crop(x: 10, y: 5)),
            ("flip", Affine2D.horizontalFlip(width: 64)),
            (
                "composed",
                Affine2D.rotation(degrees: 12, about: center).then(.scale(sx: 1.2, sy: 0.9)).then(
                    .translation(dx: -4, dy: 3))
            ),
            ("box to 32x32", Affine2D.mapping(BoundingBox(x: 14, y: 8, width: 30, height: 30), toWidth: 32, height: 32))
        ])
    func dotFollowsKeypoint(name: String, transform: Affine2D) {
        let image = blob(at: Self.keypoint)
        let warped = image.warped(by: transform, width: 64, height: 48)
        let expected = transform.apply(Self.keypoint)
        let found = centroid(warped)
        #expect(distance(found, expected) < 0.15, "\(name): dot at \(found), keypoint mapped to \(expected)")
    }

    @Test("resize, crop and flip operations agree with their transforms")
    func dedicatedOperations() {
        let image = blob(at: Self.keypoint)
        let resized = image.resized(width: 40, height: 36)
        let resize = Affine2D.resize(fromWidth: 64, fromHeight: 48, toWidth: 40, toHeight: 36)
        #expect(distance(centroid(resized), resize.apply(Self.keypoint)) < 0.15)

        let cropped = image.cropped(x: 12, y: 6, width: 40, height: 36)
        #expect(distance(centroid(cropped), Affine2D.crop(x: 12, y: 6).apply(Self.keypoint)) < 0.05)

        let flipped = image.flippedHorizontally()
        #expect(distance(centroid(flipped), Affine2D.horizontalFlip(width: 64).apply(Self.keypoint)) < 0.05)
        let flippedV = image.flippedVertically()
        #expect(distance(centroid(flippedV), Affine2D.verticalFlip(height: 48).apply(Self.keypoint)) < 0.05)
    }

    @Test("flipping twice is the identity")
    func flipTwice() {
        let image = gradientImage(width: 9, height: 5)
        #expect(image.flippedHorizontally().flippedHorizontally() == image)
        #expect(image.flippedHorizontally() != image)
        let flip = Affine2D.horizontalFlip(width: 9)
        #expect(flip.then(flip) == .identity)
        // Pixel column 0 maps to column 8 (centers 0.5 -> 8.5).
        #expect(flip.apply(Point(0.5, 2)) == Point(8.5, 2))
        #expect(image.warped(by: flip, width: 9, height: 5) == image.flippedHorizontally())
    }

    @Test("a transform composed with its inverse is the identity")
    func inverse() {
        let t = Affine2D.rotation(degrees: 37, about: Point(100, 80)).then(.scale(sx: 1.7, sy: 0.8)).then(
            .translation(dx: -12, dy: 5))
        #expect(t.then(t.inverse).isApproximatelyEqual(to: .identity, tolerance: 1e-5))
        #expect(t.inverse.then(t).isApproximatelyEqual(to: .identity, tolerance: 1e-5))
        let points = [Point(3, 4), Point(250, 17.5)]
        for (p, q) in zip(points, t.inverse.apply(t.apply(points))) { #expect(distance(p, q) < 1e-3) }
    }

    @Test("composition order, rotation direction, box mapping")
    func conventions() {
        let shift = Affine2D.translation(dx: 10, dy: 0), double = Affine2D.scale(2)
        #expect(shift.then(double).apply(Point(1, 1)) == Point(22, 2))
        #expect(double.then(shift).apply(Point(1, 1)) == Point(12, 2))
        // Counter-clockwise on screen: a point right of the center moves up (smaller y).
        let up = Affine2D.rotation(degrees: 90, about: Point(10, 10)).apply(Point(15, 10))
        #expect(distance(up, Point(10, 5)) < 1e-5)
        let box = BoundingBox(x: 10, y: 20, width: 50, height: 100)
        let map = Affine2D.mapping(box, toWidth: 25, height: 25)
        #expect(distance(map.apply(Point(10, 20)), .zero) < 1e-5)
        #expect(distance(map.apply(Point(60, 120)), Point(25, 25)) < 1e-5)
        #expect(map.apply(box) == BoundingBox(x: 0, y: 0, width: 25, height: 25))
    }

    @Test("identity warp is exact; outside reads the fill value")
    func warpEdges() {
        let image = gradientImage(width: 7, height: 6)
        #expect(image.warped(by: .identity, width: 7, height: 6) == image)
        let shifted = image.warped(by: .translation(dx: 3, dy: 0), width: 7, height: 6, fill: 0.5)
        #expect(shifted[0, 2, 1] == 0.5 && shifted[2, 2, 0] == 0.5)
        #expect(shifted[3, 2, 0] == image[0, 2, 0])
    }

    @Test("crop with padding outside the image")
    func cropPadding() {
        let image = Image(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6].map { $0 / 10 })
        let crop = image.cropped(x: -1, y: 1, width: 3, height: 2, fill: 0)
        #expect(crop.pixels == [0, 0.4, 0.5, 0, 0, 0])
        #expect(image.cropped(x: 10, y: 10, width: 2, height: 2, fill: 1).pixels == [1, 1, 1, 1])
    }
}
