import Foundation
import TensorIO
import Vision

/// A box of an imglab image: integer `top left width height` (pixels `left ..< left+width`),
/// an optional `ignore='1'` flag and label, and zero or more parts.
public struct ImglabBox: Sendable, Equatable {
    /// The top row, in integer pixels.
    public var top: Int
    /// The left column, in integer pixels.
    public var left: Int
    /// The width in pixels (the box covers columns `left ..< left + width`).
    public var width: Int
    /// The height in pixels (the box covers rows `top ..< top + height`).
    public var height: Int
    /// Whether the box is marked `ignore='1'`; readers leave such boxes out.
    public var ignore: Bool
    /// The box's `<label>` text, if any.
    public var label: String?
    /// The box's parts (landmarks), in file order.
    public var parts: [ImglabPart]
    /// The line of the `<box>` element in its file (0 when built in code). Not compared.
    public var line: Int = 0

    /// A box covering pixels `left ..< left + width` by `top ..< top + height`, with an optional
    /// ignore flag, label and parts.
    public init(
        top: Int, left: Int, width: Int, height: Int, ignore: Bool = false, label: String? = nil,
        parts: [ImglabPart] = []
    ) {
        self.top = top
        self.left = left
        self.width = width
        self.height = height
        self.ignore = ignore
        self.label = label
        self.parts = parts
    }

    /// `box` rounded to imglab's integer pixels (its edges to the nearest integer).
    public init(rounding box: BoundingBox, ignore: Bool = false, label: String? = nil, parts: [ImglabPart] = []) {
        let left = Int(box.x.rounded()), top = Int(box.y.rounded())
        self.init(
            top: top, left: left, width: Int(box.maxX.rounded()) - left, height: Int(box.maxY.rounded()) - top,
            ignore: ignore, label: label, parts: parts)
    }

    /// The box in continuous coordinates: `[left, left + width) x [top, top + height)`.
    public var boundingBox: BoundingBox {
        BoundingBox(x: Float(left), y: Float(top), width: Float(width), height: Float(height))
    }

    /// The parts named `0 ..< count` (names are decimal, `00`, `01`, ...) in order, in the
    /// package convention. Returns nil when the box has no parts; throws (naming `file` and
    /// the box) when some are missing, duplicated or extra.
    public func keypoints(count: Int, file: String, element: String) throws -> [SIMD2<Float>]? {
        if parts.isEmpty { return nil }
        var result = [SIMD2<Float>?](repeating: nil, count: count)
        for part in parts {
            guard let index = Int(part.name), (0..<count).contains(index) else {
                throw FaceDataError(
                    .wrongPointCount, file: file, line: line, element: element,
                    "expected part names 00 to \(String(format: "%02d", count - 1)), got '\(part.name)'")
            }
            guard result[index] == nil else {
                throw FaceDataError(
                    .malformed, file: file, line: line, element: element, "part '\(part.name)' appears twice")
            }
            guard !part.isAbsent else {
                throw FaceDataError(
                    .wrongPointCount, file: file, line: line, element: element,
                    "part '\(part.name)' is marked absent (x='-1' y='-1'); this format needs all \(count) points")
            }
            result[index] = part.point
        }
        guard parts.count == count else {
            throw FaceDataError(
                .wrongPointCount, file: file, line: line, element: element,
                "expected \(count) parts, got \(parts.count)")
        }
        return result.map { $0! }
    }

    /// The parts in `scheme`'s point order (matched by name), in the package convention;
    /// with `allowingMissing`, a point the box lacks, or marks absent with dlib's `x='-1'
    /// y='-1'`, is ``Point/absent`` (NaN). Returns nil
    /// when the box has no parts; throws (naming `file` and the box) for a part the scheme
    /// does not know, a part given twice, or, without `allowingMissing`, a missing one.
    public func keypoints(
        scheme: LandmarkScheme, allowingMissing: Bool, file: String, element: String
    ) throws -> [Point]? {
        if parts.isEmpty { return nil }
        var result = [Point?](repeating: nil, count: scheme.pointCount)
        for part in parts {
            guard let index = scheme.index(of: part.name) else {
                throw FaceDataError(
                    .wrongPointCount, file: file, line: line, element: element,
                    "part '\(part.name)' is not a point of \(scheme.name) (\(scheme.pointNames.prefix(6).joined(separator: ", "))\(scheme.pointCount > 6 ? ", ..." : ""))"
                )
            }
            guard result[index] == nil else {
                throw FaceDataError(
                    .malformed, file: file, line: line, element: element, "part '\(part.name)' appears twice")
            }
            result[index] = part.point
        }
        if !allowingMissing, let missing = result.firstIndex(where: { $0 == nil || !$0!.isPresent }) {
            throw FaceDataError(
                .wrongPointCount, file: file, line: line, element: element,
                "expected all \(scheme.pointCount) parts, '\(scheme.pointNames[missing])' is \(result[missing] == nil ? "missing" : "marked absent (x='-1' y='-1')")"
            )
        }
        return result.map { $0 ?? .absent }
    }

    public static func == (lhs: ImglabBox, rhs: ImglabBox) -> Bool {
        lhs.top == rhs.top && lhs.left == rhs.left && lhs.width == rhs.width && lhs.height == rhs.height
            && lhs.ignore == rhs.ignore && lhs.label == rhs.label && lhs.parts == rhs.parts
    }
}
