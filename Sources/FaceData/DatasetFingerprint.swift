import Foundation
import Vision

/// What a dataset holds, in a few bytes: the folder its images come from, the number of faces,
/// and a 64-bit FNV-1a hash of every face in order (its identity relative to the dataset
/// folder, image size, box and keypoints). Two datasets with the same faces and annotations
/// in the same order have the same hash wherever the folder lies; another split, subset,
/// annotation file or edited point changes it. Checkpoints keep one per set, so a run resumes
/// only on the data it started on.
public struct DatasetFingerprint: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The deepest folder holding every image (for messages; not part of the identity).
    public var folder: String
    /// The number of faces (samples) in the dataset.
    public var faces: Int
    /// 16 hexadecimal digits.
    public var hash: String

    /// The fingerprint of `dataset`'s faces and annotations, in sample order.
    public init(_ dataset: FaceDataset) {
        var hasher = FNV1a()
        for face in dataset.faces {
            hasher.combine(face.identity)
            hasher.combine(face.imageWidth, face.imageHeight)
            hasher.combine(face.box.x, face.box.y, face.box.width, face.box.height)
            for point in face.keypoints { hasher.combine(point.x, point.y) }
        }
        faces = dataset.count
        hash = String(hasher.value, radix: 16).leftPadded(to: 16)
        folder = Self.commonFolder(
            of: dataset.faces.map { $0.image.deletingLastPathComponent().standardizedFileURL.path })
    }

    /// A 64-bit FNV-1a hash of `bytes`, as 16 hexadecimal digits (a file's identity).
    public static func hash(of bytes: Data) -> String {
        var hasher = FNV1a()
        hasher.combine(bytes: bytes)
        return String(hasher.value, radix: 16).leftPadded(to: 16)
    }

    /// Whether both hold the same faces and annotations (the folder may differ).
    public func sameData(as other: DatasetFingerprint) -> Bool { faces == other.faces && hash == other.hash }

    public var description: String { "\(faces) faces from \(folder) (fingerprint \(hash))" }

    private static func commonFolder(of paths: [String]) -> String {
        guard var common = paths.first?.split(separator: "/", omittingEmptySubsequences: false) else { return "" }
        for path in paths.dropFirst() {
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            common = Array(zip(common, components).prefix { $0 == $1 }.map(\.0))
        }
        return common.joined(separator: "/")
    }
}

/// 64-bit FNV-1a over bytes: stable across runs and machines (unlike `Hasher`).
private struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }

    mutating func combine(_ text: String) {
        combine(bytes: text.utf8)
        combine(bytes: [0])
    }

    mutating func combine(_ numbers: Int...) {
        for number in numbers { withUnsafeBytes(of: Int64(number).littleEndian) { combine(bytes: $0) } }
    }

    mutating func combine(_ numbers: Float...) {
        for number in numbers { withUnsafeBytes(of: number.bitPattern.littleEndian) { combine(bytes: $0) } }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: Swift.max(0, length - count)) + self
    }
}
