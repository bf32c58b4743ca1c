import Foundation
import Vision

extension FaceLandmarks {
    /// The face's five reference points for alignment, in photo pixels: left eye center,
    /// right eye center, nose tip, left and right mouth corner (image left and right).
    ///
    /// From the model's points when `scheme` is iBUG-68 (the means of points 36-41 and 42-47,
    /// point 30, points 48 and 54), which are more precise than the detector's; otherwise the
    /// detector's five points; nil when there are neither.
    public func referencePoints(scheme: LandmarkScheme) -> [Point]? {
        if scheme == .ibug68, points.count == 68 {
            func mean(_ range: ClosedRange<Int>) -> Point {
                range.map { points[$0] }.reduce(.zero, +) / Float(range.count)
            }
            return [mean(36...41), mean(42...47), points[30], points[48], points[54]]
        }
        return points5
    }
}

extension FaceLandmarker {
    /// `face` of `photo` aligned to `template` by its ``FaceLandmarks/referencePoints(scheme:)``
    /// in this landmarker's model's scheme. Throws ``AlignmentError`` when the face has no
    /// reference points or they fit no transform.
    public func aligned(_ face: FaceLandmarks, in photo: Image, to template: AlignmentTemplate) throws -> AlignedFace {
        guard let points = face.referencePoints(scheme: model.spec.scheme) else {
            throw AlignmentError.noReferencePoints(scheme: model.spec.scheme.name)
        }
        return try AlignedFace(photo: photo, referencePoints: points, template: template)
    }

    /// Aligns each of `faces` (found in `photo`, whose path is `image`) to `template` and
    /// writes the crops as `NAME_face0.png`, `NAME_face1.png`, ... into `folder`; returns
    /// their records, the lines of `aligned.jsonl`. Throws before writing anything when a
    /// face cannot be aligned.
    public func writeAligned(
        _ faces: [FaceLandmarks], of photo: Image, image: String, name: String, to template: AlignmentTemplate,
        into folder: URL
    ) throws -> [AlignedFaceRecord] {
        let crops = try faces.map { try aligned($0, in: photo, to: template) }
        return try crops.enumerated().map { index, crop in
            let file = AlignedFaceRecord.fileName(name: name, face: index)
            try crop.image.write(to: folder.appendingPathComponent(file))
            return AlignedFaceRecord(image: image, face: index, file: file, aligned: crop)
        }
    }
}
