import Foundation

/// Measures a trained model's ``KeypointModelSpec/pointOffsets``: where, on average, the
/// annotators put each point relative to where the model puts it.
///
/// A model trained on mirrored faces cannot learn an annotation habit that a mirror reverses: a
/// point annotated 1 px right of the feature becomes, mirrored, its partner annotated 1 px to
/// the left, so the network learns the average, the feature itself. 300-W's annotations sit
/// about 1 px to the right of that on both the subset's photos and AFW's full-size ones, a bias
/// every prediction then carries (Docs/Heatmaps.md). The offsets measured on the training
/// faces put it back.
///
/// ```swift
/// let train = try dataset.split(validationFraction: 0.1, seed: 0).train
/// var calibrated = spec
/// calibrated.pointOffsets = try KeypointCalibration.pointOffsets(model, spec: spec, on: train)
/// try KeypointModelFile.save(model, spec: calibrated, to: url)
/// ```
public enum KeypointCalibration {
    /// `spec` with `offsets` as its ``KeypointModelSpec/pointOffsets``, or why a loader would
    /// refuse that spec (offsets that are not finite or leave the input: what a barely trained
    /// model can measure), so that no one writes a model file its own loader refuses.
    public static func calibrated(
        _ spec: KeypointModelSpec, offsets: [Point]
    ) -> Result<KeypointModelSpec, KeypointModelSpec.InvalidField> {
        var calibrated = spec
        calibrated.pointOffsets = offsets
        do {
            try calibrated.validate()
            return .success(calibrated)
        } catch {
            return .failure(error)
        }
    }

    /// Each point's mean error on `dataset`'s faces, annotated minus predicted, in model-input
    /// pixels and output order: the faces cropped as the model was trained, without
    /// augmentation, predicted without `spec`'s own offsets (a point no face annotates gets 0).
    /// Use the faces the model trained on, never the ones that measure it.
    public static func pointOffsets(
        _ model: Module, spec: KeypointModelSpec, on dataset: FaceDataset,
        batchSize: Int = 16
    ) throws -> [Point] {
        var uncorrected = spec
        uncorrected.pointOffsets = nil
        let plain = try dataset.with(augmentation: .none)
        let predictions = try Evaluation.predict(model, spec: uncorrected, on: plain, batchSize: batchSize).predictions
        var sums = [SIMD2<Double>](repeating: .zero, count: spec.pointCount),
            counts = [Double](repeating: 0, count: spec.pointCount)
        for prediction in predictions {
            let toInput = plain.baseTransform(at: prediction.index)
            let truth = toInput.apply(prediction.truth), predicted = toInput.apply(prediction.predicted)
            for point in truth.indices where prediction.truth[point].isPresent {
                sums[point] += SIMD2<Double>(truth[point] - predicted[point])
                counts[point] += 1
            }
        }
        return zip(sums, counts).map { sum, count in count > 0 ? Point(sum / count) : .zero }
    }
}
