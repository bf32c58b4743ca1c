import Foundation
import Testing
import FaceKeypoints

/// The evaluation's error summary: each point's normalized error averaged over the faces that
/// annotate it and have a normalizer, missed faces as infinite errors, the mean face in each
/// face's box frame, and a file that reads back.
@Suite struct ErrorSummaryTests {
    @Test func pointsAverageOverTheFacesThatMeasureThem() throws {
        let first = KeypointPrediction(index: 0, identity: "a", predicted: [Point(1, 0), Point(10, 2), Point(3, 3)],
                                       truth: [Point(0, 0), Point(10, 0), .absent], normalizer: 10)
        let second = KeypointPrediction(index: 1, identity: "b", predicted: [Point(0, 3), Point(10, 0), Point(0, 10)],
                                        truth: [Point(0, 0), Point(10, 0), Point(0, 10)], normalizer: 10)
        let unnormalized = KeypointPrediction(index: 2, identity: "c", predicted: [Point(9, 9), Point(9, 9), Point(9, 9)],
                                              truth: [Point(0, 0), Point(10, 0), Point(0, 10)], normalizer: .nan)
        #expect(first.normalizedError(ofPoint: 1) == 0.2 && first.normalizedError(ofPoint: 2) == nil)
        #expect(unnormalized.normalizedError(ofPoint: 0) == nil)

        let summary = ErrorSummary(label: "test", predictions: [first, second, unnormalized], normalization: "inter-ocular", missed: 1)
        #expect(abs(summary.points[0] - 0.2) < 1e-6)    // (0.1 + 0.3) / 2
        #expect(abs(summary.points[1] - 0.1) < 1e-6)    // (0.2 + 0) / 2
        #expect(summary.points[2] == 0)                 // only the second face annotates and measures it
        #expect(summary.faces.count == 4 && summary.faces[3] == .infinity && summary.faces[2].isNaN)
        #expect(summary.meanFace[0] == [0, 0] && summary.meanFace[1] == [1, 0])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ErrorSummaryTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("errors.json")
        try summary.write(to: url)
        let again = try ErrorSummary(contentsOf: url)
        #expect(again.points == summary.points && again.faces[3] == .infinity && again.faces[2].isNaN)
    }
}
