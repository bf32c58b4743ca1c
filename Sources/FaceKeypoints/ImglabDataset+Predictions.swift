import FaceData
import Foundation
import Vision

/// Adds `predictions(_:pointNames:savedAt:name:)`: ``PhotoLandmarks`` results as a dlib imglab file.
extension ImglabDataset {
    /// Predictions as dlib imglab XML to be saved at `xml`, to correct in imglab and train on
    /// again: each face's box and points (named `pointNames`), photos named relative to the
    /// XML's folder where they lie inside it.
    public static func predictions(
        _ photos: [PhotoLandmarks], pointNames: [String], savedAt xml: URL,
        name: String = "keypoints predict"
    ) -> ImglabDataset {
        let folder = xml.deletingLastPathComponent().standardizedFileURL.path + "/"
        let faces = photos.flatMap { photo in
            let path = URL(fileURLWithPath: photo.image).standardizedFileURL.path
            let file = path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path
            return photo.faces.map {
                (file: file, keypoints: $0.points.map { Point($0[0], $0[1]) }, box: Optional($0.boundingBox))
            }
        }
        return fromKeypoints(faces, pointNames: pointNames, name: name)
    }
}
