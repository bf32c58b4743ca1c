import Foundation
import Vision

/// One evaluation's errors, kept to compare models afterwards: each face's normalized error,
/// each point's mean normalized error, and the mean face they are drawn on
/// (`keypoints evaluate --errors FILE`, `keypoints plot`).
public struct ErrorSummary: Codable, Sendable, Equatable {
    /// What was evaluated, e.g. "PIPNet, truth boxes".
    public var label: String
    /// What NME divides by (``EvaluationReport/normalization``).
    public var normalization: String
    /// Each evaluated face's normalized error (infinity for a face the detector missed).
    public var faces: [Float]
    /// The identities of the predicted faces, the first entries of ``faces`` (missed faces have
    /// none), to pair two evaluations face by face; nil in files written before they were kept.
    public var identities: [String]?
    /// Each point's normalized error, averaged over the faces that annotate it.
    public var points: [Float]
    /// The faces' annotated points averaged in the frame of each face's points' box: `(0, 0)`
    /// its top-left corner, `(1, 1)` its bottom-right. Shape: `[points][2]`.
    public var meanFace: [[Float]]

    /// The summary of `predictions`; `missed` faces are added as infinite errors.
    public init(label: String, predictions: [KeypointPrediction], normalization: String, missed: Int = 0) {
        self.label = label
        self.normalization = normalization
        faces = predictions.map(\.normalizedError) + [Float](repeating: .infinity, count: missed)
        identities = predictions.map(\.identity)
        let count = predictions.first?.truth.count ?? 0
        var errorSums = [Float](repeating: 0, count: count), errorCounts = [Float](repeating: 0, count: count)
        var positionSums = [Point](repeating: .zero, count: count), positionCounts = [Float](repeating: 0, count: count)
        for prediction in predictions {
            let box = BoundingBox(enclosing: prediction.truth.filter(\.isPresent))
            for point in 0..<count where prediction.truth[point].isPresent {
                if let error = prediction.normalizedError(ofPoint: point) {
                    errorSums[point] += error
                    errorCounts[point] += 1
                }
                if box.width > 0 && box.height > 0 {
                    positionSums[point] +=
                        (prediction.truth[point] - Point(box.x, box.y)) / Point(box.width, box.height)
                    positionCounts[point] += 1
                }
            }
        }
        points = zip(errorSums, errorCounts).map { $1 > 0 ? $0 / $1 : .nan }
        meanFace = zip(positionSums, positionCounts).map { $1 > 0 ? [$0.x / $1, $0.y / $1] : [.nan, .nan] }
    }

    /// The mean of the finite face errors (missed and unnormalized faces left out, as
    /// ``EvaluationReport/nme``) and its standard error (nil below two faces).
    public var nme: (mean: Float, standardError: Float?) {
        let measured = faces.filter(\.isFinite)
        return (
            measured.isEmpty ? .nan : measured.reduce(0, +) / Float(measured.count), Evaluation.standardError(measured)
        )
    }

    /// This evaluation's NME minus `baseline`'s on the faces both measured (paired by identity,
    /// finite in both): the mean of the per-face differences and its standard error. The faces'
    /// own difficulty cancels in the pairs, so two models on the same faces can differ
    /// significantly while their NMEs' standard errors overlap. Nil when either file has no
    /// identities or fewer than two faces pair.
    public func difference(from baseline: ErrorSummary) -> (mean: Float, standardError: Float, faces: Int)? {
        guard let identities, let baselineIdentities = baseline.identities else { return nil }
        var baselineErrors: [String: Float] = [:]
        for (identity, error) in zip(baselineIdentities, baseline.faces) where error.isFinite {
            baselineErrors[identity] = error
        }
        let differences = zip(identities, faces).compactMap { identity, error in
            error.isFinite ? baselineErrors[identity].map { error - $0 } : nil
        }
        guard let standardError = Evaluation.standardError(differences) else { return nil }
        return (differences.reduce(0, +) / Float(differences.count), standardError, differences.count)
    }

    /// The cumulative error curve up to `threshold`: the fraction of faces (missed ones
    /// included) whose error is below x (`KeypointMetrics.cumulativeErrorCurve(_:threshold:steps:)`).
    public func cumulativeCurve(threshold: Float, steps: Int = 200) -> [Point] {
        KeypointMetrics.cumulativeErrorCurve(faces.filter { !$0.isNaN }, threshold: threshold, steps: steps)
    }

    /// Reads a summary written by ``write(to:)``, naming the file when it is not one.
    public init(contentsOf url: URL) throws {
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let data = try RegularFile.contents(of: url) {
                KeypointModelError(file: url.path, "cannot read the error summary (\($0))")
            }
            self = try decoder.decode(ErrorSummary.self, from: data)
        } catch let error as DecodingError {
            throw KeypointModelError(
                file: url.path, "not an error summary written by `keypoints evaluate --errors` (\(error))")
        }
        if let identities, identities.count > faces.count {
            throw KeypointModelError(
                file: url.path,
                "\"identities\" names \(identities.count) faces, but \"faces\" has \(faces.count) errors")
        }
        if meanFace.count != points.count {
            throw KeypointModelError(
                file: url.path,
                "\"meanFace\" has \(meanFace.count) points, but \"points\" has \(points.count) errors; expected one each"
            )
        }
        // Mean-face coordinates are in units of the points' box: a face's points lie near 0...1.
        for (index, point) in meanFace.enumerated()
        where point.count != 2 || !point.allSatisfy({ $0.isNaN || abs($0) <= Self.meanFaceBound }) {
            throw KeypointModelError(
                file: url.path,
                "\"meanFace\"[\(index)] is \(point); expected [x, y] within ±\(Self.meanFaceBound) (units of the face's box) or NaN"
            )
        }
        if let index = points.firstIndex(where: { !($0.isNaN || (0...Self.pointErrorBound).contains($0)) }) {
            throw KeypointModelError(
                file: url.path,
                "\"points\"[\(index)] is \(points[index]); expected a normalized error in 0...\(Self.pointErrorBound) or NaN"
            )
        }
    }

    /// The largest mean-face coordinate a file may hold, in units of the face's points' box.
    static let meanFaceBound: Float = 10
    /// The largest per-point normalized error a file may hold (1000 inter-ocular distances).
    static let pointErrorBound: Float = 1000

    /// Writes the summary as JSON (infinite errors as the string "inf").
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(self), to: url)
    }
}
