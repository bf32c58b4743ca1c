import FaceData
import FaceDetection
import Foundation

extension Evaluation {
    /// Runs `model` on every face of `faces` from the boxes a user would give it and reports
    /// the figures at `threshold` (in NME units):
    /// - `.truth`: the annotated boxes, or, for a model trained on detector boxes, the boxes a
    ///   detector gives by its typical offset (``detectorLikeBoxes(_:scheme:)``);
    /// - `.detector`: the shipped MTCNN's boxes (``predictWithDetector(_:on:detector:)``); a face
    ///   it misses counts as a failure. Models of the whole photo take no boxes and refuse it.
    public static func run(
        _ model: KeypointModel, on faces: FaceDataset, boxes: KeypointModelSpec.FaceBoxes,
        threshold: Float = 0.08
    ) throws -> EvaluationRun {
        let spec = model.spec
        guard threshold > 0 else {
            throw KeypointInputError("the failure threshold must be positive, got \(threshold)")
        }
        switch (boxes, spec.crop) {
        case (.detector, .faceBox):
            let found = try predictWithDetector(model, on: faces, detector: try MTCNN.pretrained())
            return EvaluationRun(
                predictions: found.predictions,
                report: report(
                    found.predictions, scheme: spec.scheme, threshold: threshold,
                    missed: found.missed),
                missed: found.missed)
        case (.detector, .wholeImage):
            throw KeypointInputError(
                "the model crops the whole photo; face boxes do not apply (evaluate it with the annotated boxes)")
        case (.truth, _):
            let boxed = spec.faceBoxes == .detector ? try detectorLikeBoxes(faces, scheme: spec.scheme) : faces
            let predictions = try predict(model.network, spec: spec, on: boxed, mirroring: model.mirroring).predictions
            return EvaluationRun(
                predictions: predictions, report: report(predictions, scheme: spec.scheme, threshold: threshold),
                missed: 0)
        }
    }
}
