import FaceDetection
import Foundation
import TestSupport
import Testing
import Vision

/// The shipped detector finds the faces facenet-pytorch 2.6.0's MTCNN finds on real photos of
/// the shared data (Tests/Fixtures/mtcnn_detections.json, scripts/fixtures/mtcnn_detect_fixtures.py):
/// the same number of faces, each box with IoU >= 0.9 against its reference, the five points
/// within 2 px.
@Suite struct PretrainedMTCNNTests {
    struct Reference: Decodable {
        struct Face: Decodable {
            let box: [Float]
            let score: Float
            let points: [[Float]]
        }
        struct Photo: Decodable {
            let width: Int
            let height: Int
            let faces: [Face]
        }
        let photos: [String: Photo]
    }

    /// Intersection over union of two `[x1, y1, x2, y2]` boxes.
    static func iou(_ a: SIMD4<Float>, _ b: [Float]) -> Float {
        let width = max(0, min(a[2], b[2]) - max(a[0], b[0])), height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let intersection = width * height
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
        return union > 0 ? intersection / union : 0
    }

    @Test func findsTheFacesFacenetPytorchFinds() throws {
        let url = Fixture.directory.appendingPathComponent("mtcnn_detections.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let detector = try MTCNN.pretrained()
        var compared = 0, worstIoU: Float = 1, worstPoint: Float = 0
        for (photo, expected) in reference.photos.sorted(by: { $0.key < $1.key }) {
            let image = try Image(contentsOf: TestData.root.appendingPathComponent(photo), applyOrientation: false)
            #expect(image.width == expected.width && image.height == expected.height, "\(photo)")
            let faces = try detector.faces(in: image)
            #expect(
                faces.count == expected.faces.count,
                "\(photo): \(faces.count) faces, facenet-pytorch \(expected.faces.count)")
            for face in expected.faces {
                let match = try #require(
                    faces.max { Self.iou($0.corners, face.box) < Self.iou($1.corners, face.box) }, "\(photo): no face")
                let overlap = Self.iou(match.corners, face.box)
                #expect(overlap >= 0.9, "\(photo): box \(match.corners) vs \(face.box), IoU \(overlap)")
                for (point, expectedPoint) in zip(match.points5, face.points) {
                    let distance =
                        ((point.x - expectedPoint[0]) * (point.x - expectedPoint[0]) + (point.y - expectedPoint[1])
                            * (point.y - expectedPoint[1]))
                        .squareRoot()
                    #expect(distance <= 2, "\(photo): point \(point) vs \(expectedPoint)")
                    worstPoint = max(worstPoint, distance)
                }
                #expect(abs(match.score - face.score) < 0.01, "\(photo): score \(match.score) vs \(face.score)")
                worstIoU = min(worstIoU, overlap)
                compared += 1
            }
        }
        print(
            "MTCNN against facenet-pytorch: \(compared) faces in \(reference.photos.count) photos, lowest IoU \(worstIoU), largest point distance \(worstPoint) px"
        )
        #expect(compared >= 30)
    }
}
