import FaceData
import FaceDetection
import Foundation
import Vision

/// Every face's landmarks in a photo, in one call: the MTCNN detector finds the faces, a
/// keypoint model puts its points on each. Without arguments it uses what ships with the
/// package: facenet-pytorch's MTCNN and a 68-point PIPNet (ResNet18 trunk) trained by this
/// package on the 300-W subset, each point with a confidence (``KeypointDetector/shippedLandmarks()``;
/// research use, see Docs/Detection.md).
///
/// ```swift
/// let landmarker = try FaceLandmarker()
/// for face in try landmarker.faces(in: try Image(contentsOf: URL(fileURLWithPath: "photo.jpg"))) {
///     print(face.face.box, face.face.score, face.points.count, face.confidences!)   // 68 points, 68 confidences
/// }
/// ```
public final class FaceLandmarker {
    public let detector: MTCNN
    public let model: KeypointDetector

    /// The shipped detector and 68-point model; faces smaller than `minimumFaceSize` pixels are
    /// not searched for.
    public convenience init(minimumFaceSize: Int = 20) throws {
        self.init(detector: try MTCNN.pretrained(minimumFaceSize: minimumFaceSize), model: try KeypointDetector.shippedLandmarks())
    }

    /// Any detector and any face-box keypoint model (for example one trained with `keypoints train`).
    public init(detector: MTCNN, model: KeypointDetector) {
        self.detector = detector
        self.model = model
    }

    /// Every face found in `image`, largest-score order as the detector returns them, each with
    /// the model's points and their confidences (``KeypointDetector/estimate(in:face:)``; with
    /// the model's ``KeypointDetector/mirroring``, averaged with the mirrored crop's). A photo without faces gives
    /// an empty array.
    public func faces(in image: Image) throws -> [FaceLandmarks] {
        try detector.faces(in: image).map { face in
            let estimate = try model.estimate(in: image, face: face)
            return FaceLandmarks(face: face, points: estimate.points, confidences: estimate.confidences)
        }
    }
}
