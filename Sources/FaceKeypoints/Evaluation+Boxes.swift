import FaceData
import FaceDetection
import Foundation
import Vision

extension Evaluation {
    /// Predicts every face of `dataset` from the face boxes a user would have: the detector's.
    /// Each photo is searched once (stored pixels, as annotations are); its detections are
    /// paired with the dataset's faces greedily by IoU >= 0.5 with the box around each face's
    /// points (`FaceMatching`), and the model runs on each found face as it does in
    /// ``FaceLandmarker`` (``KeypointModel/estimate(in:face:)``). Returns the found faces'
    /// predictions, in dataset order, and how many faces the detector missed.
    public static func predictWithDetector(
        _ keypoints: KeypointModel, on dataset: FaceDataset, detector: MTCNN
    ) throws
        -> (predictions: [KeypointPrediction], missed: Int)
    {
        var missed = 0
        let byImage = Dictionary(grouping: dataset.faces.indices, by: { dataset.faces[$0].image })
        var found: [Int: KeypointPrediction] = [:]
        for (url, indices) in byImage {
            let photo = try Image(contentsOf: url, applyOrientation: false)
            let detections = try detector.faces(in: photo)
            let truths = indices.map { BoundingBox(enclosing: dataset.keypoints(at: $0).filter(\.isPresent)) }
            let match = FaceMatching.greedy(detections: detections.map(\.box), annotations: truths)
            for (n, index) in indices.enumerated() {
                guard let d = match[n] else {
                    missed += 1
                    continue
                }
                let truth = dataset.keypoints(at: index)
                let region = try keypoints.inputRegion(
                    imageWidth: photo.width, imageHeight: photo.height, box: detections[d].box)
                let estimate = try keypoints.estimate(in: photo, face: detections[d])
                found[index] = KeypointPrediction(
                    index: index, identity: dataset.faces[index].identity, predicted: estimate.points,
                    truth: truth, normalizer: normalizer(truth: truth, region: region, scheme: keypoints.spec.scheme),
                    confidences: estimate.confidences)
            }
        }
        return (found.keys.sorted().map { found[$0]! }, missed)
    }

    /// The faces of `dataset` with the boxes a detector-box model expects, made from the
    /// annotated points by the detector's typical offset (``DetectorBoxes/Relation/mtcnnIbug68``):
    /// the "truth boxes" of a model trained on detector boxes. Throws for other schemes, whose
    /// relation to MTCNN's box is unknown.
    public static func detectorLikeBoxes(_ dataset: FaceDataset, scheme: LandmarkScheme) throws -> FaceDataset {
        guard scheme == .ibug68 else {
            throw KeypointInputError(
                "a detector-box model of \(scheme.name) has no truth boxes (MTCNN's offset is known for iBUG 68 points only); evaluate it with detector boxes"
            )
        }
        let faces = dataset.faces.map { face in
            var moved = face
            moved.box = DetectorBoxes.Relation.mtcnnIbug68.box(
                around: BoundingBox(enclosing: face.keypoints.filter(\.isPresent)))
            return moved
        }
        return try FaceDataset(faces: faces, configuration: dataset.configuration)
    }
}
