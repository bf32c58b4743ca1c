import Foundation

/// The class competition's submission format: header `Id,Predicted`, then one row per
/// coordinate, ordered by image (as listed in the XML), face box (as listed; `ignore` boxes
/// skipped), point, x before y. Ids count rows from 1; coordinates are original-image pixels
/// with pixel centers at +0.5 (the library's convention).
public enum KaggleSubmission {
    /// One face's predicted keypoints in its photo.
    public struct Face: Sendable {
        /// The photo's path as the XML lists it (relative to the XML's folder).
        public let image: String
        /// The face box as the XML lists it, in the photo's stored pixels.
        public let box: BoundingBox
        /// The model's points in the photo's stored pixels, in the model's point order.
        public let points: [Point]
    }

    /// Detects the keypoints of every face box listed in the imglab XML at `xml` (image paths
    /// relative to the XML's folder).
    public static func detect(_ detector: KeypointModel, xml: URL) throws -> [Face] {
        let dataset = try ImglabDataset(contentsOf: xml)
        let folder = xml.deletingLastPathComponent()
        var faces: [Face] = []
        for entry in dataset.images {
            let boxes = entry.boxes.filter { !$0.ignore }
            guard !boxes.isEmpty else { continue }
            let url = entry.url(relativeTo: folder)
            let image = try Image(contentsOf: url, applyOrientation: false)
            for box in boxes {
                do {
                    faces.append(
                        Face(
                            image: entry.file, box: box.boundingBox,
                            points: try detector.estimate(in: image, box: box.boundingBox).points))
                } catch let error as KeypointInputError {
                    throw KeypointInputError("\(xml.path), line \(box.line) (\(entry.file)): \(error.message)")
                }
            }
        }
        return faces
    }

    /// The CSV text for `faces`.
    public static func csv(_ faces: [Face]) -> String {
        var lines = ["Id,Predicted"]
        var id = 1
        for face in faces {
            for point in face.points {
                lines.append("\(id),\(point.x)")
                lines.append("\(id + 1),\(point.y)")
                id += 2
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
