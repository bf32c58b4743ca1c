import Foundation
import TensorIO
import Vision

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
