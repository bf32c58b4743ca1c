import Vision

/// Where ``FaceLandmarker`` takes a photo's face boxes from.
///
/// Models of the whole photo (the study's IMM parts) ignore the source: they see the whole
/// photo, and give one face whose box is the photo.
public enum FaceBoxSource: Sendable, Equatable {
    /// The MTCNN detector's faces, in its order (largest first).
    case detector
    /// These boxes, in the photo's pixels (as displayed), one face each; for example a dlib
    /// imglab file's boxes (`ImglabDataset.Image.boxes`) or a box the user drew.
    case boxes([BoundingBox])
    /// One face: the whole photo as its box.
    case wholeImage
}
