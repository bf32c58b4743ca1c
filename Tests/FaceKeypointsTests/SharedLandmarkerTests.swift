import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// One ``FaceLandmarker`` shared by several tasks, as a server's handlers share it, gives every
/// task exactly the results of one call at a time (Docs/Concurrency.md). Examples/SharedLandmarker runs
/// the same check on more photos, in release mode and under Thread Sanitizer.
@Suite struct SharedLandmarkerTests {
    @Test func eightTasksSharingOneLandmarkerGetTheSerialResults() async throws {
        let photo = try Image(contentsOf: TestData.root.appendingPathComponent("dlib_examples/2008_001322.jpg"))
        let landmarker = try FaceLandmarker()
        let serial = try await landmarker.faces(in: photo)  // one call at a time
        #expect(!serial.isEmpty)
        let shared = try await withThrowingTaskGroup(of: [FaceLandmarks].self) { group in
            for _ in 0..<8 { group.addTask { try await landmarker.faces(in: photo) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Identical, not close: a matrix product is split by its shape and the thread count alone,
        // never by what other tasks run (Docs/Concurrency.md).
        #expect(shared.count == 8 && shared.allSatisfy { $0 == serial })
    }

    /// Given boxes skip the detector; a landmarker without one refuses the detector's source
    /// with a message that says what to do, and whole-image models see the whole photo.
    @Test func boxSourcesWithoutADetector() throws {
        let photo = try Image(contentsOf: TestData.root.appendingPathComponent("dlib_examples/2008_001322.jpg"))
        let landmarker = FaceLandmarker(detector: nil, model: try KeypointModel.shippedLandmarks())
        let error = #expect(throws: KeypointInputError.self) { try landmarker.faces(in: photo) }
        #expect(error?.message.contains("give the face boxes") == true)
        let whole = try landmarker.faces(in: photo, boxes: .wholeImage)
        #expect(
            whole.count == 1
                && whole[0].box == BoundingBox(x: 0, y: 0, width: Float(photo.width), height: Float(photo.height)))
        #expect(whole[0].score == nil && whole[0].points5 == nil && whole[0].points.count == 68)
        let box = BoundingBox(x: 10, y: 20, width: 80, height: 90)
        let given = try landmarker.faces(in: photo, boxes: .boxes([box, box]))
        #expect(given.count == 2 && given.allSatisfy { $0.box == box } && given[0] == given[1])
        #expect(try landmarker.faces(in: photo, boxes: .boxes([])).isEmpty)
    }
}
