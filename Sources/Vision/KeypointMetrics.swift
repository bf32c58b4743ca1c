/// Accuracy measures for predicted keypoints, as used in the facial landmark literature.
///
/// All functions take predicted and ground-truth points in the same coordinate system (any
/// unit: pixels, or normalized) and in the same order. Per-image normalized errors feed
/// ``failureRate(_:threshold:)``, ``areaUnderCurve(_:threshold:)`` and
/// ``cumulativeErrorCurve(_:threshold:steps:)``.
///
/// ```swift
/// let errors = zip(predictions, targets).map { KeypointMetrics.normalizedMeanError($0, $1, by: .interOcular) }
/// let auc = KeypointMetrics.areaUnderCurve(errors, threshold: 0.08)
/// ```
public enum KeypointMetrics {
    /// What a normalized mean error is divided by.
    public enum Normalization: Sendable, Equatable {
        /// Distance between the outer eye corners of the ground truth (points 36 and 45 of the
        /// 68-point scheme, 300-W's "inter-ocular" NME).
        case interOcular
        /// `sqrt(width * height)` of the tight box around the ground-truth points.
        case boxSize
        /// A distance supplied by the caller.
        case distance(Float)
    }

    /// Euclidean distance of each predicted point from its target.
    public static func pointErrors(_ predicted: [Point], _ target: [Point]) -> [Float] {
        precondition(
            predicted.count == target.count,
            "KeypointMetrics: \(predicted.count) predicted vs \(target.count) target points")
        return zip(predicted, target).map { p, t in
            let d = p - t
            return (d * d).sum().squareRoot()
        }
    }

    /// The mean Euclidean distance between corresponding points.
    public static func meanEuclideanError(_ predicted: [Point], _ target: [Point]) -> Float {
        let errors = pointErrors(predicted, target)
        return errors.isEmpty ? 0 : errors.reduce(0, +) / Float(errors.count)
    }

    /// The mean absolute coordinate difference, over both coordinates of every point.
    public static func meanAbsoluteError(_ predicted: [Point], _ target: [Point]) -> Float {
        precondition(
            predicted.count == target.count,
            "KeypointMetrics: \(predicted.count) predicted vs \(target.count) target points")
        guard !predicted.isEmpty else { return 0 }
        let total = zip(predicted, target).reduce(Float(0)) { sum, pair in
            let d = pair.0 - pair.1
            return sum + Swift.abs(d.x) + Swift.abs(d.y)
        }
        return total / Float(2 * predicted.count)
    }

    /// The distance between the outer eye corners (points `left` and `right`, 36 and 45 in
    /// the 68-point scheme).
    public static func interOcularDistance(_ target: [Point], left: Int = 36, right: Int = 45) -> Float {
        precondition(
            target.count > Swift.max(left, right),
            "KeypointMetrics.interOcularDistance: needs points \(left) and \(right), got \(target.count) points")
        let d = target[left] - target[right]
        return (d * d).sum().squareRoot()
    }

    /// `sqrt(width * height)` of the tight box around `target`.
    public static func boxSize(_ target: [Point]) -> Float {
        let box = BoundingBox(enclosing: target)
        return (box.width * box.height).squareRoot()
    }

    /// The mean Euclidean error divided by the chosen normalizing distance.
    public static func normalizedMeanError(
        _ predicted: [Point], _ target: [Point], by normalization: Normalization
    ) -> Float {
        let scale: Float
        switch normalization {
        case .interOcular: scale = interOcularDistance(target)
        case .boxSize: scale = boxSize(target)
        case .distance(let d): scale = d
        }
        precondition(scale > 0, "KeypointMetrics.normalizedMeanError: normalizing distance is \(scale)")
        return meanEuclideanError(predicted, target) / scale
    }

    /// The fraction of `errors` above `threshold` (300-W counts NME > 0.08 as a failure).
    public static func failureRate(_ errors: [Float], threshold: Float) -> Float {
        guard !errors.isEmpty else { return 0 }
        return Float(errors.filter { $0 > threshold }.count) / Float(errors.count)
    }

    /// The area under the cumulative error distribution from 0 to `threshold`, divided by
    /// `threshold` (so 1 means every error is 0, 0 means every error is at least the
    /// threshold). Computed exactly: the CED is a step function, and its integral is
    /// `mean(max(0, threshold - e))`.
    public static func areaUnderCurve(_ errors: [Float], threshold: Float) -> Float {
        precondition(threshold > 0, "KeypointMetrics.areaUnderCurve: threshold must be positive")
        guard !errors.isEmpty else { return 0 }
        let total = errors.reduce(Float(0)) { $0 + Swift.max(0, threshold - $1) }
        return total / Float(errors.count) / threshold
    }

    /// The cumulative error distribution: `steps + 1` points `(e, fraction of errors <= e)`
    /// for `e` evenly spaced from 0 to `threshold`, ready for ``LinePlot``.
    public static func cumulativeErrorCurve(_ errors: [Float], threshold: Float, steps: Int = 100) -> [Point] {
        precondition(
            steps >= 1 && threshold > 0,
            "KeypointMetrics.cumulativeErrorCurve: need steps >= 1 and a positive threshold")
        let sorted = errors.sorted()
        var result: [Point] = []
        var index = 0
        for i in 0...steps {
            let e = threshold * Float(i) / Float(steps)
            while index < sorted.count && sorted[index] <= e { index += 1 }
            result.append(Point(e, sorted.isEmpty ? 0 : Float(index) / Float(sorted.count)))
        }
        return result
    }
}
