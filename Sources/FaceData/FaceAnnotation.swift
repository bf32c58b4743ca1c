import Foundation
import Vision

/// One annotated face: the image file, its keypoints and face box in the image's own pixels
/// (package convention: pixel `i`'s center at `i + 0.5`), and the image size from its header.
public struct FaceAnnotation: Sendable, Equatable {
    /// The image file.
    public var image: URL
    /// All points of the annotation scheme, in original image pixels.
    public var keypoints: [Point]
    /// The face box in original image pixels (the imglab box, or the tight box around the
    /// points for `.pts` and `.asf` sources).
    public var box: BoundingBox
    /// A readable identity: the image path relative to the dataset folder, plus `#n` for the
    /// n-th face (n >= 1) of an image with several.
    public var identity: String
    /// The image width in pixels, read from the file header.
    public var imageWidth: Int
    /// The image height in pixels, read from the file header.
    public var imageHeight: Int

    /// An annotation from its parts, the keypoints and box in original image pixels.
    public init(image: URL, keypoints: [Point], box: BoundingBox, identity: String, imageWidth: Int, imageHeight: Int) {
        self.image = image
        self.keypoints = keypoints
        self.box = box
        self.identity = identity
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }
}
