import FaceKeypoints
import Foundation
import Testing

/// The evaluation's error summary: each point's normalized error averaged over the faces that
/// annotate it and have a normalizer, missed faces as infinite errors, the mean face in each
/// face's box frame, and a file that reads back.
@Suite struct ErrorSummaryTests {
    @Test func pointsAverageOverTheFacesThatMeasureThem() throws {
        let first = KeypointPrediction(
            index: 0, identity: "a", predicted: [Point(1, 0), Point(10, 2), Point(3, 3)],
            truth: [Point(0, 0), Point(10, 0), .absent], normalizer: 10)
        let second = KeypointPrediction(
            index: 1, identity: "b", predicted: [Point(0, 3), Point(10, 0), Point(0, 10)],
            truth: [Point(0, 0), Point(10, 0), Point(0, 10)], normalizer: 10)
        let unnormalized = KeypointPrediction(
            index: 2, identity: "c", predicted: [Point(9, 9), Point(9, 9), Point(9, 9)],
            truth: [Point(0, 0), Point(10, 0), Point(0, 10)], normalizer: .nan)
        #expect(first.normalizedError(ofPoint: 1) == 0.2 && first.normalizedError(ofPoint: 2) == nil)
        #expect(unnormalized.normalizedError(ofPoint: 0) == nil)

        let summary = ErrorSummary(
            label: "test", predictions: [first, second, unnormalized], normalization: "inter-ocular", missed: 1)
        #expect(abs(summary.points[0] - 0.2) < 1e-6)  // (0.1 + 0.3) / 2
        #expect(abs(summary.points[1] - 0.1) < 1e-6)  // (0.2 + 0) / 2
        #expect(summary.points[2] == 0)  // only the second face annotates and measures it
        #expect(summary.faces.count == 4 && summary.faces[3] == .infinity && summary.faces[2].isNaN)
        #expect(summary.meanFace[0] == [0, 0] && summary.meanFace[1] == [1, 0])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ErrorSummaryTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("errors.json")
        try summary.write(to: url)
        let again = try ErrorSummary(contentsOf: url)
        #expect(again.points == summary.points && again.faces[3] == .infinity && again.faces[2].isNaN)
        #expect(again.identities == ["a", "b", "c"])
    }

    /// One face of one point, `error` normalizers from the truth.
    func face(_ identity: String, error: Float) -> KeypointPrediction {
        KeypointPrediction(
            index: 0, identity: identity, predicted: [Point(error * 10, 0)], truth: [Point(0, 0)], normalizer: 10)
    }

    /// Two evaluations pair face by face by identity, in any order, over the faces both
    /// measured; a file without identities (written before they were kept) pairs with none.
    @Test func evaluationsPairByFace() throws {
        let baseline = ErrorSummary(
            label: "A", predictions: [face("x", error: 0.03), face("y", error: 0.05), face("z", error: 0.04)],
            normalization: "inter-ocular", missed: 1)
        let other = ErrorSummary(
            label: "B", predictions: [face("z", error: 0.045), face("w", error: 0.9), face("x", error: 0.04)],
            normalization: "inter-ocular")
        let difference = try #require(other.difference(from: baseline))
        #expect(difference.faces == 2)  // x and z; y and w are in one file only
        #expect(abs(difference.mean - 0.0075) < 1e-6)  // (0.01 + 0.005) / 2
        #expect(abs(difference.standardError - 0.0025) < 1e-6)  // sd 0.0035355 over sqrt(2)
        #expect(abs(baseline.nme.mean - 0.04) < 1e-6 && baseline.nme.standardError != nil)  // the missed face left out

        let old =
            #"{"label":"old","normalization":"inter-ocular","faces":[0.03,0.05],"points":[0.04],"meanFace":[[0,0]]}"#
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ErrorSummaryTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("old.json")
        try Data(old.utf8).write(to: url)
        let oldSummary = try ErrorSummary(contentsOf: url)
        #expect(oldSummary.identities == nil && other.difference(from: oldSummary) == nil)
        let mismatched = folder.appendingPathComponent("mismatched.json")
        try Data(old.replacingOccurrences(of: #""faces""#, with: #""identities":["a","b","c"],"faces""#).utf8).write(
            to: mismatched)
        #expect {
            try ErrorSummary(contentsOf: mismatched)
        } throws: { error in
            "\(error)".contains("mismatched.json")
                && "\(error)".contains("\"identities\" names 3 faces, but \"faces\" has 2 errors")
        }

        // `keypoints plot` prints each file's NME and the pairs' difference from the first file.
        let first = folder.appendingPathComponent("a.json"), second = folder.appendingPathComponent("b.json")
        try baseline.write(to: first)
        try other.write(to: second)
        let result = try CommandRunner.run(["plot", first.path, second.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(
            result.output.contains(
                "(B): NME 0.3283 ± 0.2858; minus the first file's on the same 2 faces: +0.0075 ± 0.0025"),
            "\(result.output)")
    }
}
