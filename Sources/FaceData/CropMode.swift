import Foundation
import Tensor
import Vision

/// Which part of the photo becomes the model input. Model files store it in their spec as
/// `{"wholeImage": {}}` or `{"faceBox": {"enlargement": 1.4}}`.
public enum CropMode: Codable, Sendable, Equatable {
    /// The whole image, resized to the input size (IMM: 640x480 -> 80x60 or 240x180).
    case wholeImage
    /// A square around the face box's center whose side is `enlargement` times the box's
    /// longer side (300-W: 1.4), resized to the input size. Parts outside the photo read the
    /// fill value.
    case faceBox(enlargement: Float)
}

extension CropMode {
    /// The region of a `imageWidth x imageHeight` photo that fills the model input for a face
    /// in `box` (the whole photo for ``wholeImage``). Datasets and detectors share it, so
    /// training and inference crop alike.
    public func region(faceBox box: BoundingBox, imageWidth: Int, imageHeight: Int) -> BoundingBox {
        switch self {
        case .wholeImage: return BoundingBox(x: 0, y: 0, width: Float(imageWidth), height: Float(imageHeight))
        case .faceBox(let enlargement): return box.squared().scaled(by: enlargement)
        }
    }
}
