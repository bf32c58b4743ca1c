import FaceData
import FaceDetection
import Foundation

/// One evaluation of a model on annotated faces: what `keypoints evaluate` prints and draws.
public struct EvaluationRun: Sendable {
    /// One prediction per face the model ran on, in dataset order.
    public var predictions: [KeypointPrediction]
    /// The figures, missed faces counted as failures.
    public var report: EvaluationReport
    /// Faces the detector did not find (0 with annotated boxes).
    public var missed: Int
}
