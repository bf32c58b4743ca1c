import Foundation
import TensorIO
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
}

/// One aligned crop as `keypoints align` and `predict --aligned` list it (a line of
/// `aligned.jsonl`): which photo and face it comes from, its file, and the transform.
public struct AlignedFaceRecord: Codable, Sendable, Equatable {
    /// The photo's path.
    public var image: String
    /// The face's index in the photo's faces (0-based, in the detector's order).
    public var face: Int
    /// The crop's file name, in the same folder as the list.
    public var file: String
    /// The photo-to-crop transform, `[[a, b, tx], [c, d, ty]]`.
    public var transform: [[Float]]
    /// Crop pixels per photo pixel.
    public var scale: Float
    /// The rotation applied, in degrees, counterclockwise on screen positive.
    public var rotation: Float
    /// The five reference points fitted, in photo pixels.
    public var referencePoints: [[Float]]

    /// The record of `aligned`, face `face` of `image`, saved as `file`.
    public init(image: String, face: Int, file: String, aligned: AlignedFace) {
        self.image = image
        self.face = face
        self.file = file
        let t = aligned.transform
        transform = [[t.a, t.b, t.tx], [t.c, t.d, t.ty]]
        scale = t.similarityScale
        rotation = t.rotationDegrees
        referencePoints = aligned.referencePoints.map { [$0.x, $0.y] }
    }

    /// The crop file name of face `face` of the photo whose outputs are named `name`:
    /// `NAME_face0.png`.
    public static func fileName(name: String, face: Int) -> String { "\(name)_face\(face).png" }
}

extension FaceLandmarker {
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

extension AlignedFaceRecord {
    /// The list's file name: `aligned.jsonl`.
    public static let listFile = "aligned.jsonl"

    /// Writes `records` as JSON lines (one per crop), atomically.
    public static func writeLines(_ records: [AlignedFaceRecord], to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for record in records { lines += try encoder.encode(record) + Data("\n".utf8) }
        try AtomicFile.write(lines, to: url)
    }
}
