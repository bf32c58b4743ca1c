import FaceKeypoints
import Foundation
import Testing

/// The evaluation's confidence table: points land in their confidence's bin with their
/// normalized errors; absent points, faces without a normalizer and models without confidences
/// stay out; an empty bin has no figures and the report still encodes.
@Suite struct ConfidenceBinTests {
    @Test func pointsLandInTheirConfidencesBins() throws {
        let measured = KeypointPrediction(
            index: 0, identity: "a", predicted: [Point(1, 0), Point(10, 2), Point(0, 10), Point(5, 5)],
            truth: [Point(0, 0), Point(10, 0), Point(0, 10), .absent], normalizer: 10,
            confidences: [0.1, 0.6, 0.9, 0.05])
        let unnormalized = KeypointPrediction(
            index: 1, identity: "b", predicted: [Point(9, 9)], truth: [Point(0, 0)], normalizer: .nan,
            confidences: [0.3])
        let bins = try #require(ConfidenceBin.bins(for: [measured, unnormalized], threshold: 0.15))
        #expect(bins.map(\.points) == [1, 0, 1, 1])
        #expect(bins.map(\.from) == [nil, 0.25, 0.5, 0.75] && bins.map(\.to) == [0.25, 0.5, 0.75, nil])
        #expect(abs(try #require(bins[0].meanError) - 0.1) < 1e-6 && bins[0].failureRate == 0)
        #expect(bins[1].meanError == nil && bins[1].failureRate == nil)
        #expect(abs(try #require(bins[2].meanError) - 0.2) < 1e-6 && bins[2].failureRate == 1)
        #expect(bins[3].meanError == 0 && bins[3].failureRate == 0)

        let regression = KeypointPrediction(
            index: 0, identity: "a", predicted: [Point(1, 0)], truth: [Point(0, 0)], normalizer: 10)
        #expect(ConfidenceBin.bins(for: [regression], threshold: 0.08) == nil)

        let report = Evaluation.report([measured], scheme: .ibug68)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"confidence\":[") && json.contains("\"mean_error\""), "\(json)")
    }
}
