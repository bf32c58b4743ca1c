import Testing

@testable import Vision

@Suite("Keypoint metrics")
struct MetricsTests {
    @Test("mean Euclidean and absolute errors by hand")
    func basicErrors() {
        let target = [Point(0, 0), Point(10, 0), Point(0, 10)]
        let predicted = [Point(3, 4), Point(10, 0), Point(0, 7)]
        // Distances 5, 0, 3 -> mean 8/3; |dx|+|dy| = 7, 0, 3 over 6 coordinates -> 10/6.
        #expect(abs(KeypointMetrics.meanEuclideanError(predicted, target) - 8.0 / 3) < 1e-6)
        #expect(abs(KeypointMetrics.meanAbsoluteError(predicted, target) - 10.0 / 6) < 1e-6)
        #expect(KeypointMetrics.pointErrors(predicted, target) == [5, 0, 3])
    }

    @Test("NME by inter-ocular distance and by box size")
    func normalizedErrors() {
        var target = (0..<68).map { Point(Float($0 % 10) * 10, Float($0 / 10) * 5) }  // box 90 x 30
        target[36] = Point(20, 10)
        target[45] = Point(80, 10)  // 60 apart
        let predicted = target.map { $0 + Point(3, 4) }  // every error 5
        #expect(abs(KeypointMetrics.interOcularDistance(target) - 60) < 1e-5)
        #expect(abs(KeypointMetrics.normalizedMeanError(predicted, target, by: .interOcular) - 5.0 / 60) < 1e-6)
        let box = (Float(90) * 30).squareRoot()
        #expect(abs(KeypointMetrics.boxSize(target) - box) < 1e-4)
        #expect(abs(KeypointMetrics.normalizedMeanError(predicted, target, by: .boxSize) - 5 / box) < 1e-6)
        #expect(abs(KeypointMetrics.normalizedMeanError(predicted, target, by: .distance(10)) - 0.5) < 1e-6)
    }

    @Test("failure rate, AUC and CED by hand")
    func curves() {
        let errors: [Float] = [0.02, 0.04, 0.06, 0.10]
        #expect(KeypointMetrics.failureRate(errors, threshold: 0.08) == 0.25)
        // AUC@0.08 = mean(max(0, 0.08 - e)) / 0.08 = (0.06 + 0.04 + 0.02 + 0) / 4 / 0.08 = 0.375.
        #expect(abs(KeypointMetrics.areaUnderCurve(errors, threshold: 0.08) - 0.375) < 1e-6)
        #expect(KeypointMetrics.areaUnderCurve([0, 0], threshold: 0.08) == 1)
        #expect(KeypointMetrics.areaUnderCurve([0.5], threshold: 0.08) == 0)
        let curve = KeypointMetrics.cumulativeErrorCurve(errors, threshold: 0.08, steps: 4)
        #expect(curve.count == 5)
        #expect(curve.map(\.y) == [0, 0.25, 0.5, 0.75, 0.75])
        #expect(abs(curve[2].x - 0.04) < 1e-7)
        // The trapezoid area under a fine CED approaches the exact AUC.
        let fine = KeypointMetrics.cumulativeErrorCurve(errors, threshold: 0.08, steps: 8000)
        var area: Float = 0
        for (p, q) in zip(fine, fine.dropFirst()) { area += (q.x - p.x) * (p.y + q.y) / 2 }
        #expect(abs(area / 0.08 - 0.375) < 1e-3)
    }
}
