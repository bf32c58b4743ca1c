import FaceKeypoints
import Foundation
import Testing

/// The report's standard error of the NME: the sample standard deviation of the per-face
/// errors over the square root of their number, over the faces with a normalizer only.
@Suite struct EvaluationReportTests {
    /// One face whose single point is `error` normalizers from the truth (NaN: no normalizer).
    func face(_ index: Int, error: Float, normalizer: Float = 10) -> KeypointPrediction {
        KeypointPrediction(
            index: index, identity: "\(index)", predicted: [Point(error * 10, 0)], truth: [Point(0, 0)],
            normalizer: normalizer)
    }

    @Test func standardErrorOfTheMeanNormalizedError() throws {
        let faces = [
            face(0, error: 0.01), face(1, error: 0.02), face(2, error: 0.06), face(3, error: 0.5, normalizer: .nan)
        ]
        let report = Evaluation.report(faces, scheme: .ibug68)
        #expect(abs(report.nme - 0.03) < 1e-6)
        // Deviations -0.02, -0.01, 0.03: variance 0.0014 / 2, over 3 faces.
        let expected = (0.0007 / 3.0).squareRoot()
        #expect(abs(Double(report.nmeStandardError ?? .nan) - expected) < 1e-6)
        #expect(String(decoding: try JSONEncoder().encode(report), as: UTF8.self).contains("\"nme_standard_error\""))
        #expect(Evaluation.report([face(0, error: 0.01)], scheme: .ibug68).nmeStandardError == nil)
    }
}
