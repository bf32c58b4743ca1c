import FaceDetection
import Foundation
import TestSupport
import Testing
import Vision

/// A photo over the pyramid's pixel limit is searched in a copy scaled down to the limit, and
/// its faces come back in the photo's own pixels: a 10000x10000 decompression bomb costs the
/// memory of 12 megapixels, not 100.
@Suite struct PyramidPixelLimitTests {
    @Test func aPhotoOverTheLimitIsSearchedScaledDownAndItsFacesMappedBack() throws {
        let photo = try Image(
            contentsOf: TestData.root.appendingPathComponent("dlib_examples/2008_002470.jpg"), applyOrientation: false)
        var detector = try MTCNN.pretrained()
        let original = try detector.faces(in: photo)
        #expect(original.count == 6)
        // Twice the size, four times the pixels; the limit is the original's pixel count.
        let large = photo.resized(width: 2 * photo.width, height: 2 * photo.height)
        detector.pyramidPixelLimit = photo.width * photo.height
        let found = try detector.faces(in: large)
        #expect(found.count == original.count)
        for face in original {
            let doubled = BoundingBox(
                x: 2 * face.box.x, y: 2 * face.box.y, width: 2 * face.box.width, height: 2 * face.box.height)
            let best = found.map { $0.box.intersectionOverUnion(with: doubled) }.max() ?? 0
            #expect(best > 0.8, "face \(face.box): best IoU \(best) with the doubled box")
            let match = found.max {
                $0.box.intersectionOverUnion(with: doubled) < $1.box.intersectionOverUnion(with: doubled)
            }!
            for (point, expected) in zip(match.points5, face.points5) {
                let distance = ((point - 2 * expected) * (point - 2 * expected)).sum().squareRoot()
                #expect(distance < 0.1 * doubled.width, "point \(point) against \(2 * expected)")
            }
        }
        #expect(MTCNN.maximumPyramidPixelCount == 12_000_000)
    }
}
