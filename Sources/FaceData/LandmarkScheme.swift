import Foundation
import Vision

/// A landmark annotation scheme: how many points, their names, which point each becomes when
/// the face is mirrored, and what distance normalizes the error.
///
/// iBUG-68 and IMM-58 are two instances; a user's own scheme (any number of points) comes from
/// the part names of an imglab XML file, with an optional mirror map and normalizing pair.
///
/// ```swift
/// let scheme = LandmarkScheme.ibug68            // 68 points "00"..."67", eyes 36/45 normalize
/// var five = try LandmarkScheme(imglab: labels, name: "five")   // point names from the parts
/// five.mirror = try five.mirrorMap(parsing: "0 1\n3 4", file: "mirror.txt")
/// ```
public struct LandmarkScheme: Sendable, Equatable {
    /// How one face's error is normalized.
    public enum Normalization: Sendable, Equatable {
        /// The distance between two points (iBUG-68: the outer eye corners 36 and 45).
        case pair(Int, Int)
        /// The square root of the area of the ground-truth points' box (the crop width for a
        /// single point).
        case boxSize
    }

    /// A short name stored in model files (`ibug68`, `imm58`, or the user's).
    public var name: String
    /// One name per point, in model output order (imglab part names).
    public var pointNames: [String]
    /// Which point each becomes in a mirrored face; nil: the scheme is never flipped.
    public var mirror: MirrorMap?
    /// How one face's error is normalized (iBUG-68: the outer eye corners; IMM-58: the box size).
    public var normalization: Normalization

    /// The number of points.
    public var pointCount: Int { pointNames.count }

    /// The most points a scheme may have (dlib's and WFLW's schemes have 68 and 98, Helen 194,
    /// MediaPipe's mesh 478). It bounds what a model file's spec can make a reader build: a
    /// network's output layer grows with the points, so a 3 MB spec listing 250,000 names
    /// would otherwise ask for gigabytes before its weights are read (Docs/Reliability.md).
    public static let maximumPointCount = 1024

    /// Checks the parts against each other: at most ``maximumPointCount`` names, distinct and
    /// non-empty, a mirror map and a normalizing pair that fit the point count.
    public init(name: String, pointNames: [String], mirror: MirrorMap?, normalization: Normalization) throws {
        func fail(_ message: String) throws -> Never {
            throw FaceDataError(.invalidArgument, file: "<scheme \(name)>", message)
        }
        if pointNames.isEmpty { try fail("a scheme needs at least one point") }
        if pointNames.count > Self.maximumPointCount {
            try fail(
                "\(pointNames.count) points; a scheme has at most \(Self.maximumPointCount) (LandmarkScheme.maximumPointCount)"
            )
        }
        if let empty = pointNames.firstIndex(where: \.isEmpty) { try fail("point \(empty) has an empty name") }
        if Set(pointNames).count != pointNames.count { try fail("point names must be distinct, got \(pointNames)") }
        if let mirror, mirror.count != pointNames.count {
            try fail("the mirror map has \(mirror.count) points, the scheme \(pointNames.count)")
        }
        if case .pair(let a, let b) = normalization,
            !(pointNames.indices.contains(a) && pointNames.indices.contains(b) && a != b)
        {
            try fail("the normalizing pair \(a),\(b) must be two different points of 0...\(pointNames.count - 1)")
        }
        self.name = name
        self.pointNames = pointNames
        self.mirror = mirror
        self.normalization = normalization
    }

    /// Decimal names `"00"`, `"01"`, ... as dlib writes them.
    public static func decimalNames(_ count: Int) -> [String] { (0..<count).map { String(format: "%02d", $0) } }

    /// The iBUG 300-W 68-point scheme; NME normalized by the outer eye corners (36, 45).
    public static let ibug68 = try! LandmarkScheme(
        name: "ibug68", pointNames: decimalNames(68), mirror: .ibug68, normalization: .pair(36, 45))
    /// The IMM 58-point scheme; NME normalized by the points' box size.
    public static let imm58 = try! LandmarkScheme(
        name: "imm58", pointNames: decimalNames(58), mirror: .imm58, normalization: .boxSize)

    /// The schemes model files may name instead of spelling them out.
    public static let known = [ibug68, imm58]

    /// A scheme from the part names used in `dataset` (decimal names in numeric order, others
    /// sorted), not mirrored and normalized by box size until told otherwise.
    public init(imglab dataset: ImglabDataset, name: String, file: String) throws {
        var names = Set<String>()
        for image in dataset.images {
            for box in image.boxes where !box.ignore { for part in box.parts { names.insert(part.name) } }
        }
        guard !names.isEmpty else {
            throw FaceDataError(
                .wrongPointCount, file: file, "expected boxes with parts (<part name=... x=... y=...>), found none")
        }
        let numbers = names.compactMap { Int($0) }
        let ordered =
            numbers.count == names.count
            ? names.sorted { Int($0)! < Int($1)! }
            : names.sorted()
        try self.init(name: name, pointNames: ordered, mirror: nil, normalization: .boxSize)
    }

    /// The index of the point called `name` (decimal names match by value: `"7"` is `"07"`).
    public func index(of name: String) -> Int? {
        if let exact = pointNames.firstIndex(of: name) { return exact }
        guard let number = Int(name) else { return nil }
        return pointNames.firstIndex { Int($0) == number }
    }

    /// `"I,J"` (indices or point names) as a normalizing pair.
    public func normalizingPair(parsing text: String) throws -> Normalization {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let a = pointIndex(parts[0]), let b = pointIndex(parts[1]), a != b else {
            throw FaceDataError(
                .invalidArgument, file: "<normalizing pair>",
                "expected two different points of \(name) as I,J (indices 0...\(pointCount - 1) or names), got '\(text)'"
            )
        }
        return .pair(a, b)
    }

    /// A point given by name or, failing that, by index.
    func pointIndex(_ token: String) -> Int? {
        if let named = pointNames.firstIndex(of: token) { return named }
        if let number = Int(token), pointNames.indices.contains(number) { return number }
        return nil
    }

    /// A mirror map from text: one pair a line, two point names or indices separated by
    /// spaces or a comma (`36 45`, `left_eye,right_eye`); a point may pair with itself; points
    /// not named map to themselves; `#` starts a comment. `file` names the source in errors.
    public func mirrorMap(parsing text: String, file: String) throws -> MirrorMap {
        var permutation = Array(0..<pointCount)
        var paired = Set<Int>()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let tokens = line.split { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }.map(String.init)
            if tokens.isEmpty { continue }
            guard tokens.count == 2 else {
                throw FaceDataError(
                    .malformed, file: file, line: number + 1,
                    "expected two points separated by spaces or a comma, got '\(line)'")
            }
            guard let a = pointIndex(tokens[0]), let b = pointIndex(tokens[1]) else {
                let unknown = pointIndex(tokens[0]) == nil ? tokens[0] : tokens[1]
                throw FaceDataError(
                    .invalidArgument, file: file, line: number + 1,
                    "'\(unknown)' is not a point of \(name) (names \(pointNames.prefix(6).joined(separator: ", "))\(pointCount > 6 ? ", ..." : ""), or 0...\(pointCount - 1))"
                )
            }
            guard !paired.contains(a), !paired.contains(b) else {
                throw FaceDataError(
                    .malformed, file: file, line: number + 1,
                    "point \(paired.contains(a) ? tokens[0] : tokens[1]) is already paired")
            }
            permutation[a] = b
            permutation[b] = a
            paired.formUnion([a, b])
        }
        return MirrorMap(permutation)
    }
}

extension LandmarkScheme: Codable {
    private enum CodingKeys: String, CodingKey { case name, pointNames, mirror, normalizeBy }

    /// A known scheme is stored by name (`"ibug68"`, as earlier model files do); any other as
    /// an object with its names, mirror permutation and normalizing pair (absent: box size).
    public init(from decoder: Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let name = try? container.decode(String.self) {
            guard let known = Self.known.first(where: { $0.name == name }) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription:
                        "'\(name)' is not a known scheme (\(Self.known.map(\.name).joined(separator: ", ")); others are stored with their point names)"
                )
            }
            self = known
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        let names = try container.decode([String].self, forKey: .pointNames)
        let permutation = try container.decodeIfPresent([Int].self, forKey: .mirror)
        let pair = try container.decodeIfPresent([Int].self, forKey: .normalizeBy)
        if let pair, pair.count != 2 {
            throw DecodingError.dataCorruptedError(
                forKey: .normalizeBy, in: container, debugDescription: "expected two point indices, got \(pair)")
        }
        var mirror: MirrorMap?
        if let permutation {
            guard permutation.count == names.count, let map = MirrorMap(validating: permutation) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .mirror, in: container,
                    debugDescription: "expected a permutation of 0..<\(names.count) that is its own inverse")
            }
            mirror = map
        }
        do {
            try self.init(
                name: name, pointNames: names, mirror: mirror,
                normalization: pair.map { .pair($0[0], $0[1]) } ?? .boxSize)
        } catch let error as FaceDataError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        if Self.known.contains(self) {
            var container = encoder.singleValueContainer()
            try container.encode(name)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(pointNames, forKey: .pointNames)
        try container.encodeIfPresent(mirror?.permutation, forKey: .mirror)
        if case .pair(let a, let b) = normalization { try container.encode([a, b], forKey: .normalizeBy) }
    }
}
