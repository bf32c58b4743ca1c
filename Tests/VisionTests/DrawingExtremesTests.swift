import Foundation
import Testing

@testable import Vision

/// Boxes and points of any size (a `--box 0,0,1e20,1e20`, a model whose outputs are 1e30) are
/// clipped, never converted to `Int` unchecked: no trap, and a huge box costs one pass over
/// the image, not one over the box.
@Suite("Drawing extreme boxes and points")
struct DrawingExtremesTests {
    /// The outline as the original loop drew it (every pixel of the box's edges, then clipped
    /// to the image and, for a band thicker than the box, to the box), for boxes small enough to
    /// loop over.
    static func referenceRectangle(_ box: BoundingBox, thickness: Int, width: Int, height: Int) -> Set<[Int]> {
        let x0 = Int(box.x.rounded()), y0 = Int(box.y.rounded()), x1 = Int(box.maxX.rounded()) - 1,
            y1 = Int(box.maxY.rounded()) - 1
        var pixels = Set<[Int]>()
        guard x1 >= x0 && y1 >= y0 else { return pixels }
        for t in 0..<max(thickness, 1) {
            for x in x0...x1 {
                pixels.insert([x, y0 + t])
                pixels.insert([x, y1 - t])
            }
            for y in y0...y1 {
                pixels.insert([x0 + t, y])
                pixels.insert([x1 - t, y])
            }
        }
        return pixels.filter {
            (0..<width).contains($0[0]) && (0..<height).contains($0[1]) && (x0...x1).contains($0[0])
                && (y0...y1).contains($0[1])
        }
    }

    static func painted(_ image: Image) -> Set<[Int]> {
        var pixels = Set<[Int]>()
        for y in 0..<image.height { for x in 0..<image.width where image[x, y, 0] > 0 { pixels.insert([x, y]) } }
        return pixels
    }

    @Test(
        "rectangles draw the pixels of the original rule, clipped, for boxes inside, across and around the image",
        arguments: [
            (BoundingBox(x: 3, y: 2, width: 10, height: 7), 1), (BoundingBox(x: 3, y: 2, width: 10, height: 7), 3),
            (BoundingBox(x: -5, y: -4, width: 12, height: 30), 2), (BoundingBox(x: 15, y: 10, width: 40, height: 3), 1),
            (BoundingBox(x: -20, y: -20, width: 60, height: 60), 4),
            (BoundingBox(x: 2.4, y: 3.6, width: 4.2, height: 2.1), 9),
            (BoundingBox(x: 30, y: 30, width: 5, height: 5), 2)
        ])
    func rectangles(box: BoundingBox, thickness: Int) {
        var image = Image(width: 24, height: 16, channels: 1)
        image.drawRectangle(box, color: .white, thickness: thickness)
        #expect(Self.painted(image) == Self.referenceRectangle(box, thickness: thickness, width: 24, height: 16))
    }

    @Test("boxes and points far outside Int's range, infinite and NaN draw what is visible and never trap")
    func extremes() {
        var image = Image(width: 32, height: 24, color: .black)
        for box in [
            BoundingBox(x: 0, y: 0, width: 1e20, height: 1e20),
            BoundingBox(x: -1e30, y: -1e30, width: 2e30, height: 2e30),
            BoundingBox(x: 0, y: 0, width: .infinity, height: 5), BoundingBox(x: .nan, y: 0, width: 5, height: 5),
            BoundingBox(x: 1e7, y: 1e7, width: 1e7, height: 1e7)
        ] {
            image.drawRectangle(box, color: .yellow, thickness: Int.max / 2)
            image.fillRectangle(box, color: .yellow)
        }
        for point in [
            Point(1e30, 1e30), Point(-1e30, 5), Point(5, .infinity), Point(.nan, .nan),
            Point(Float.greatestFiniteMagnitude, 0)
        ] {
            image.fillCircle(center: point, radius: 3, color: .red)
            // the first libFuzzer finding of the drawing harness
            for radius in [-1e30, -.infinity, .infinity, .nan] as [Float] {
                image.fillCircle(center: Point(5, 5), radius: radius, color: .red)
                image.drawCircle(center: Point(5, 5), radius: radius, color: .red, thickness: radius)
            }
            image.drawCircle(center: point, radius: 1e30, color: .red, thickness: 1e30)
            image.drawLine(from: point, to: Point(5, 5), color: .red)
            image.drawLine(from: point, to: point, color: .red)
            image.drawLine(from: point, to: Point(5, 5), color: .red, thickness: 3)
        }
        // The box from the origin to 1e20 has its top and left edges in the image, filled by its thickness.
        var edge = Image(width: 32, height: 24, channels: 1)
        edge.drawRectangle(BoundingBox(x: 0, y: 0, width: 1e20, height: 1e20), color: .white, thickness: 2)
        #expect(edge[0, 23, 0] == 1 && edge[31, 1, 0] == 1 && edge[2, 2, 0] == 0 && edge[31, 23, 0] == 0)
    }
}
