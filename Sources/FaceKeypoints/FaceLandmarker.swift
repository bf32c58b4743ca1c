import Dispatch
import FaceData
import FaceDetection
import Foundation
import Vision

/// Every face's landmarks in a photo, in one call: the MTCNN detector finds the faces (or the
/// caller gives the boxes), a keypoint model puts its points on each. Without arguments it
/// uses what ships with the package: facenet-pytorch's MTCNN and a 68-point PIPNet (ResNet18
/// trunk) trained by this package on the 300-W subset, each point with a confidence
/// (``KeypointModel/shippedLandmarks()``; research use, see Docs/Detection.md).
///
/// `Sendable`: build one and share it between tasks and threads; calls from many tasks at once
/// give the results one call at a time gives (Docs/Concurrency.md says how close).
///
/// ```swift
/// let landmarker = try FaceLandmarker()
/// for face in try landmarker.faces(in: try Image(contentsOf: URL(fileURLWithPath: "photo.jpg"))) {
///     print(face.box, face.score!, face.points.count, face.confidences!)   // 68 points, 68 confidences
/// }
/// ```
public final class FaceLandmarker: Sendable {
    /// The face detector: nil when the model sees whole photos, or when every call gives boxes.
    public let detector: MTCNN?
    /// The keypoint model run on each face.
    public let model: KeypointModel

    /// The shipped detector and 68-point model; faces smaller than `minimumFaceSize` pixels are
    /// not searched for.
    public convenience init(minimumFaceSize: Int = 20) throws {
        self.init(
            detector: try MTCNN.pretrained(minimumFaceSize: minimumFaceSize),
            model: try KeypointModel.shippedLandmarks())
    }

    /// Any detector and any keypoint model (for example one trained with `keypoints train`).
    /// Without a detector, calls must give their boxes unless the model sees whole photos.
    public init(detector: MTCNN?, model: KeypointModel) {
        self.detector = detector
        self.model = model
    }

    /// Every face of `image` with the model's points and their confidences
    /// (``KeypointModel/estimate(in:face:)`` for the detector's faces,
    /// ``KeypointModel/estimate(in:box:)`` for given boxes; with the model's
    /// ``KeypointModel/mirroring``, averaged with the mirrored crop's). Detected faces come in
    /// the detector's order; a photo without faces gives an empty array. For a 68-point (iBUG)
    /// model each face also gets its head pose (``FaceLandmarks/pose``).
    public func faces(in image: Image, boxes source: FaceBoxSource = .detector) throws -> [FaceLandmarks] {
        let whole = BoundingBox(x: 0, y: 0, width: Float(image.width), height: Float(image.height))
        let boxes: [BoundingBox]
        switch source {
        case _ where model.spec.crop == .wholeImage: boxes = [whole]
        case .boxes(let given): boxes = given
        case .wholeImage: boxes = [whole]
        case .detector:
            guard let detector else {
                throw KeypointInputError(
                    "this landmarker has no face detector; give the face boxes (FaceBoxSource.boxes) or build it with one"
                )
            }
            return try detector.faces(in: image).map {
                posed(FaceLandmarks(detection: $0, estimate: try model.estimate(in: image, face: $0)), in: image)
            }
        }
        return try boxes.map { box in
            let estimate = try model.estimate(in: image, box: box)
            return posed(FaceLandmarks(box: box, points: estimate.points, confidences: estimate.confidences), in: image)
        }
    }

    /// `face` with its head pose when the model's points are iBUG's 68.
    private func posed(_ face: FaceLandmarks, in image: Image) -> FaceLandmarks {
        guard model.spec.scheme == .ibug68 else { return face }
        var face = face
        face.pose = HeadPoseFit.fit(points: face.points, width: image.width, height: image.height)?.pose
        return face
    }

    /// ``faces(in:boxes:)`` off the caller's thread: the work (tens to hundreds of milliseconds
    /// a photo) runs on a Dispatch thread, so a server's cooperative threads stay free to take
    /// requests. Bound how many run at once yourself (each keeps a core busy).
    public func faces(in image: Image, boxes source: FaceBoxSource = .detector) async throws -> [FaceLandmarks] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try self.faces(in: image, boxes: source) })
            }
        }
    }
}
