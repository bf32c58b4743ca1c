import Foundation

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
    /// the mean training loss over the samples (``KeypointHead/loss(_:for:regressionLoss:scoreLoss:)``).
    /// With `mirroring`, test-time mirroring: each input's mirrored twin is predicted too and
    /// the two estimates are averaged (``KeypointHead/estimates(_:mergingMirrored:mirror:)``;
    /// the loss stays the unmirrored input's); throws when the model cannot mirror
    /// (``KeypointModelSpec/outputMirrorMap()``).
    public static func predict(
        _ model: Module, spec: KeypointModelSpec, on dataset: FaceDataset, batchSize: Int = 16,
        loss: (Tensor, Tensor) -> Tensor = { mseLoss($0, $1) }, scoreLoss: PIPNetScoreLoss = .mse,
        mirroring: Bool = false
    ) throws -> (predictions: [KeypointPrediction], loss: Float) {
        let mirror = mirroring ? try spec.outputMirrorMap() : nil
        let head = spec.head
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let loader = DataLoader(dataset: dataset, batchSize: batchSize, shuffle: false, workers: 1, prefetch: 2)
        var predictions: [KeypointPrediction] = []
        var lossSum: Double = 0
        try withoutGradients {
            try loader.forEachBatch(epoch: 0) { batch in
                let outputs = head.outputs(of: model, for: batch.inputs)
                lossSum +=
                    Double(head.loss(outputs, for: batch, regressionLoss: loss, scoreLoss: scoreLoss).item)
                    * Double(batch.count)
                let estimates =
                    mirror.map { mirror in
                        head.estimates(
                            outputs,
                            mergingMirrored: head.outputs(of: model, for: KeypointOutputs.mirroredInputs(batch.inputs)),
                            mirror: mirror)
                    } ?? head.estimates(outputs)
                for (info, estimate) in zip(batch.info, estimates) {
                    let truth = dataset.keypoints(at: info.index)
                    predictions.append(
                        KeypointPrediction(
                            index: info.index, identity: info.identity,
                            predicted: info.originalKeypoints(fromInputPoints: estimate.points),
                            truth: truth,
                            normalizer: normalizer(
                                truth: truth, region: dataset.cropRegion(at: info.index), scheme: spec.scheme),
                            confidences: estimate.confidences.map { confidences in
                                info.permutation.map { $0.map { confidences[$0] } } ?? confidences
                            }))
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
    public static func report(
        _ predictions: [KeypointPrediction], scheme: LandmarkScheme, threshold: Float = 0.08,
        missed: Int? = nil
    ) -> EvaluationReport {
        let normalized = predictions.map(\.normalizedError).filter(\.isFinite)
        let withMisses = normalized + [Float](repeating: .infinity, count: missed ?? 0)
        let mean: ([Float]) -> Float = { $0.isEmpty ? .nan : $0.reduce(0, +) / Float($0.count) }
        return EvaluationReport(
            images: predictions.count + (missed ?? 0),
            normalizedImages: normalized.count,
            meanErrorPx: mean(predictions.map(\.meanError)),
            meanAbsoluteErrorPx: mean(
                predictions.map { KeypointMetrics.meanAbsoluteError($0.annotated.predicted, $0.annotated.truth) }),
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
