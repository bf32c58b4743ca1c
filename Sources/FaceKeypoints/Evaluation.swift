import Foundation

/// One image's prediction next to its ground truth, both in the original photo's pixels.
public struct KeypointPrediction: Sendable {
    /// The sample's index in its dataset, and its identity (file name, face number).
    public let index: Int
    public let identity: String
    public let predicted: [Point]
    public let truth: [Point]
    /// What this image's normalized error is divided by (see ``Evaluation/normalizer(truth:region:scheme:)``);
    /// NaN when a point of the normalizing pair is absent.
    public let normalizer: Float
    /// Each predicted point's confidence (``KeypointEstimate/confidences``; nil for regression models).
    public let confidences: [Float]?

    public init(index: Int, identity: String, predicted: [Point], truth: [Point], normalizer: Float, confidences: [Float]? = nil) {
        self.index = index; self.identity = identity; self.predicted = predicted; self.truth = truth
        self.normalizer = normalizer; self.confidences = confidences
    }

    /// The predicted and true points where the truth is annotated (absent points left out).
    public var annotated: (predicted: [Point], truth: [Point]) {
        let kept = truth.indices.filter { truth[$0].isPresent }
        return (kept.map { predicted[$0] }, kept.map { truth[$0] })
    }
    /// Mean Euclidean error over the annotated points, in pixels.
    public var meanError: Float { KeypointMetrics.meanEuclideanError(annotated.predicted, annotated.truth) }
    /// ``meanError`` divided by ``normalizer`` (NaN without a normalizer).
    public var normalizedError: Float { meanError / normalizer }

    /// Point `point`'s error over ``normalizer``; nil when the point is not annotated or the
    /// face has no normalizer.
    public func normalizedError(ofPoint point: Int) -> Float? {
        guard truth[point].isPresent, normalizer.isFinite && normalizer > 0 else { return nil }
        let d = predicted[point] - truth[point]
        return (d * d).sum().squareRoot() / normalizer
    }
}

/// The accuracy figures of a set of predictions.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// Faces evaluated (missed ones included).
    public var images: Int
    /// Images in the normalized figures (NME, failure rate, AUC): those with a normalizer
    /// (a face missing a point of the normalizing pair has none).
    public var normalizedImages: Int
    /// Mean Euclidean error per point, in pixels of the original photos.
    public var meanErrorPx: Float
    /// Mean absolute coordinate error, in pixels.
    public var meanAbsoluteErrorPx: Float
    /// Mean normalized error (NME): per-image mean error over ``normalization``, averaged.
    public var nme: Float
    /// The standard error of ``nme`` as an estimate from these faces (the sample standard
    /// deviation of the per-image errors over the square root of their number; nil below two
    /// images): how far another draw of as many faces would likely move it. On 121 faces of
    /// 300-W, about 0.001.
    public var nmeStandardError: Float?
    /// Fraction of images whose normalized error exceeds ``threshold``.
    public var failureRate: Float
    /// Area under the cumulative error curve up to ``threshold``, in `0...1`.
    public var auc: Float
    public var threshold: Float
    /// What NME divides by: `inter-ocular` (68 points: outer eye corners 36 and 45),
    /// `box-size` (sqrt of the ground-truth points' box area) or `crop-width` (one point).
    public var normalization: String
    /// Faces the detector did not find (with detector boxes; nil otherwise): counted as
    /// failures in ``failureRate`` and ``auc``, left out of the errors and ``nme``.
    public var missed: Int?
    /// For models with confidences (PIPNet; nil otherwise): the points' errors by confidence
    /// (``ConfidenceBin/edges``), failures beyond ``threshold``.
    public var confidence: [ConfidenceBin]?

    enum CodingKeys: String, CodingKey {
        case images, threshold, normalization, nme, auc, missed, confidence
        case normalizedImages = "normalized_images", nmeStandardError = "nme_standard_error"
        case meanErrorPx = "mean_error_px", meanAbsoluteErrorPx = "mae_px", failureRate = "failure_rate"
    }
}

/// Runs models over datasets and summarizes the errors.
public enum Evaluation {
    /// The distance that normalizes one image's error: the scheme's normalizing pair when the
    /// model predicts all its points (iBUG-68: the inter-ocular distance; NaN when either point
    /// is absent), else the annotated points' box size, or the crop region's width for a
    /// single point.
    public static func normalizer(truth: [Point], region: BoundingBox, scheme: LandmarkScheme) -> Float {
        if case .pair(let a, let b) = scheme.normalization, truth.count == scheme.pointCount {
            return KeypointMetrics.interOcularDistance(truth, left: a, right: b)
        }
        let annotated = truth.filter(\.isPresent)
        if annotated.count >= 2 { return KeypointMetrics.boxSize(annotated) }
        return region.width
    }

    /// The name of the normalization ``normalizer(truth:region:scheme:)`` uses.
    public static func normalizationName(pointCount: Int, scheme: LandmarkScheme) -> String {
        if case .pair(let a, let b) = scheme.normalization, pointCount == scheme.pointCount {
            return scheme == .ibug68 ? "inter-ocular" : "points \(scheme.pointNames[a]) and \(scheme.pointNames[b])"
        }
        return pointCount >= 2 ? "box-size" : "crop-width"
    }

    /// Predicts every sample of `dataset` with `model` (built from `spec`; in order, in
    /// evaluation mode, without gradients) and returns the predictions in original pixels and
    /// the mean training loss over the samples (``KeypointOutputs/loss(for:regressionLoss:scoreLoss:)``).
    /// With `mirroring`, test-time mirroring: each input's mirrored twin is predicted too and
    /// the two estimates are averaged (``KeypointOutputs/estimates(mergingMirrored:mirror:)``;
    /// the loss stays the unmirrored input's); throws when the model cannot mirror
    /// (``KeypointModelSpec/outputMirrorMap()``).
    public static func predict(_ model: Module, spec: KeypointModelSpec, on dataset: FaceDataset, batchSize: Int = 16,
                               loss: (Tensor, Tensor) -> Tensor = { mseLoss($0, $1) }, scoreLoss: PIPNetScoreLoss = .mse,
                               mirroring: Bool = false) throws -> (predictions: [KeypointPrediction], loss: Float) {
        let mirror = mirroring ? try spec.outputMirrorMap() : nil
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let loader = DataLoader(dataset: dataset, batchSize: batchSize, shuffle: false, workers: 1, prefetch: 2)
        var predictions: [KeypointPrediction] = []
        var lossSum: Double = 0
        try withoutGradients {
            try loader.forEachBatch(epoch: 0) { batch in
                let outputs = KeypointOutputs(model(batch.inputs), spec: spec)
                lossSum += Double(outputs.loss(for: batch, regressionLoss: loss, scoreLoss: scoreLoss).item) * Double(batch.count)
                let estimates = mirror.map { mirror in
                    outputs.estimates(mergingMirrored: KeypointOutputs(model(KeypointOutputs.mirroredInputs(batch.inputs)), spec: spec), mirror: mirror)
                } ?? outputs.estimates()
                for (info, estimate) in zip(batch.info, estimates) {
                    let truth = dataset.keypoints(at: info.index)
                    predictions.append(KeypointPrediction(
                        index: info.index, identity: info.identity, predicted: info.originalKeypoints(fromInputPoints: estimate.points),
                        truth: truth, normalizer: normalizer(truth: truth, region: dataset.cropRegion(at: info.index), scheme: spec.scheme),
                        confidences: estimate.confidences.map { confidences in info.permutation.map { $0.map { confidences[$0] } } ?? confidences }))
                }
            }
        }
        return (predictions, Float(lossSum / Double(Swift.max(predictions.count, 1))))
    }

    /// The sample standard deviation over the square root of the count; nil below two values.
    static func standardError(_ values: [Float]) -> Float? {
        guard values.count >= 2 else { return nil }
        let n = Double(values.count), mean = values.reduce(0) { $0 + Double($1) } / n
        let variance = values.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
        return Float((variance / n).squareRoot())
    }

    /// The figures for `predictions`, with failure rate and AUC at `threshold` (NME units);
    /// `missed` faces (not found by a detector) count as failures.
    public static func report(_ predictions: [KeypointPrediction], scheme: LandmarkScheme, threshold: Float = 0.08,
                              missed: Int? = nil) -> EvaluationReport {
        let normalized = predictions.map(\.normalizedError).filter(\.isFinite)
        let withMisses = normalized + [Float](repeating: .infinity, count: missed ?? 0)
        let mean: ([Float]) -> Float = { $0.isEmpty ? .nan : $0.reduce(0, +) / Float($0.count) }
        return EvaluationReport(
            images: predictions.count + (missed ?? 0),
            normalizedImages: normalized.count,
            meanErrorPx: mean(predictions.map(\.meanError)),
            meanAbsoluteErrorPx: mean(predictions.map { KeypointMetrics.meanAbsoluteError($0.annotated.predicted, $0.annotated.truth) }),
            nme: mean(normalized),
            nmeStandardError: standardError(normalized),
            failureRate: KeypointMetrics.failureRate(withMisses, threshold: threshold),
            auc: KeypointMetrics.areaUnderCurve(withMisses, threshold: threshold),
            threshold: threshold,
            normalization: normalizationName(pointCount: predictions.first?.truth.count ?? 0, scheme: scheme),
            missed: missed,
            confidence: ConfidenceBin.bins(for: predictions, threshold: threshold))
    }
}
