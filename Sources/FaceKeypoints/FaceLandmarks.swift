import FaceDetection
import Vision

/// One face of a photo: what the detector found and the landmarks the keypoint model put on it,
/// in the photo's pixels (pixel centers at +0.5).
public struct FaceLandmarks: Sendable, Equatable {
    /// The detection: box, score and MTCNN's five points.
    public var face: DetectedFace
    /// The model's points, in its scheme's order (iBUG 68 for the shipped model).
    public var points: [Point]
    /// Each point's confidence (``KeypointEstimate/confidences``; nil for regression models).
    public var confidences: [Float]?

    public init(face: DetectedFace, points: [Point], confidences: [Float]? = nil) {
        self.face = face; self.points = points; self.confidences = confidences
    }
}
