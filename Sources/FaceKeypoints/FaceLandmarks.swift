import FaceDetection
import Vision

/// One face of a photo and the landmarks a keypoint model put on it, in the photo's pixels
/// (pixel centers at +0.5).
public struct FaceLandmarks: Sendable, Equatable {
    /// The face box the model cropped from: the detector's, or the one given.
    public var box: BoundingBox
    /// The detector's score (nil for a box given by the caller).
    public var score: Float?
    /// MTCNN's five points: eyes, nose, mouth corners (nil for a box given by the caller).
    public var points5: [Point]?
    /// The model's points, in its scheme's order (iBUG 68 for the shipped model).
    public var points: [Point]
    /// Each point's confidence (``KeypointEstimate/confidences``; nil for regression models).
    public var confidences: [Float]?
    /// The head's pose from the points (``HeadPoseFit``), for 68-point (iBUG) models; nil for
    /// other schemes and when no fit converges.
    public var pose: HeadPose?

    /// A face from its box, the detector's score and five points (nil for a box given by the
    /// caller), the model's points and confidences, and the head's pose.
    public init(
        box: BoundingBox, score: Float? = nil, points5: [Point]? = nil, points: [Point], confidences: [Float]? = nil,
        pose: HeadPose? = nil
    ) {
        self.box = box
        self.score = score
        self.points5 = points5
        self.points = points
        self.confidences = confidences
        self.pose = pose
    }

    /// A face the detector found and the model's estimate on it.
    public init(detection: DetectedFace, estimate: KeypointEstimate) {
        self.init(
            box: detection.box, score: detection.score, points5: detection.points5, points: estimate.points,
            confidences: estimate.confidences)
    }
}
