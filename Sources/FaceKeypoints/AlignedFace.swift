import Vision

/// A face cropped and aligned to an ``AlignmentTemplate``: the crop, and the similarity
/// transform (rotation, uniform scale, translation) from the photo's pixels to the crop's,
/// fitted by least squares to the face's five reference points.
///
/// ```swift
/// let landmarker = try FaceLandmarker()
/// for face in try landmarker.faces(in: photo) {
///     let aligned = try landmarker.aligned(face, in: photo, to: .arcface)
///     try aligned.image.write(to: URL(fileURLWithPath: "face.png"))
/// }
/// ```
public struct AlignedFace: Sendable {
    /// The crop: the template's size, the photo's channels; outside the photo is black.
    public var image: Image
    /// Photo pixels to crop pixels (`transform.apply(point)`); its inverse maps back.
    public var transform: Affine2D
    /// The face's five reference points the transform was fitted to, in photo pixels.
    public var referencePoints: [Point]

    /// Fits the transform that takes `referencePoints` (the face's left eye, right eye, nose
    /// tip, left and right mouth corner, in photo pixels) closest to the template's, and warps
    /// the photo by it. Throws ``AlignmentError/degeneratePoints`` when no transform fits.
    ///
    /// Shape: `referencePoints` and `template.points` have 5 points; `image` is
    /// `template.width x template.height` with the photo's channels.
    public init(photo: Image, referencePoints: [Point], template: AlignmentTemplate) throws {
        guard let transform = Affine2D.similarity(mapping: referencePoints, to: template.points) else {
            throw AlignmentError.degeneratePoints
        }
        self.transform = transform
        self.referencePoints = referencePoints
        image = photo.warped(by: transform, width: template.width, height: template.height)
    }
}
