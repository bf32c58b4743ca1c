/// Which point a keypoint becomes when the face is flipped horizontally.
///
/// After mirroring an image, the point that was the subject's left eye corner is drawn where
/// a right eye corner belongs, so a flip must also reorder the points:
/// `flipped[i] = mirror(points[permutation[i]])`. A valid map is an involution
/// (`permutation[permutation[i]] == i`).
///
/// ```swift
/// let map = MirrorMap.ibug68
/// map.permutation[36]                 // 45: outer corner of one eye <-> the other
/// let nose = MirrorMap.imm58.restricted(to: [52])   // the nose tip maps to itself
/// ```
public struct MirrorMap: Sendable, Equatable {
    /// `permutation[i]` is the index whose mirrored point becomes point `i`.
    public let permutation: [Int]

    /// Checks that `permutation` is a permutation of `0..<count` and an involution.
    public init(_ permutation: [Int]) {
        precondition(
            Set(permutation) == Set(0..<permutation.count),
            "MirrorMap: expected a permutation of 0..<\(permutation.count), got \(permutation)")
        precondition(
            permutation.indices.allSatisfy { permutation[permutation[$0]] == $0 },
            "MirrorMap: expected an involution (p[p[i]] == i), got \(permutation)")
        self.permutation = permutation
    }

    /// The map, or nil when `permutation` is not a permutation of `0..<count` that is its own
    /// inverse (for values read from files).
    public init?(validating permutation: [Int]) {
        guard Set(permutation) == Set(0..<permutation.count),
            permutation.indices.allSatisfy({ permutation[permutation[$0]] == $0 })
        else {
            return nil
        }
        self.permutation = permutation
    }

    /// The number of points the map reorders.
    public var count: Int { permutation.count }

    /// The identity map on `count` points (for symmetric point sets such as a single nose tip).
    public static func identity(_ count: Int) -> MirrorMap { MirrorMap(Array(0..<count)) }

    /// The map for the points `indices` of this scheme, in that order; nil when a selected
    /// point's mirror partner is not selected.
    public func restricted(to indices: [Int]) -> MirrorMap? {
        var position: [Int: Int] = [:]
        for (i, index) in indices.enumerated() { position[index] = i }
        var result: [Int] = []
        for index in indices {
            guard let partner = position[permutation[index]] else { return nil }
            result.append(partner)
        }
        return MirrorMap(result)
    }

    /// Reorders `points` (already mirrored in position) so that index `i` holds the right
    /// anatomical point again.
    public func reorder<T>(_ points: [T]) -> [T] {
        precondition(points.count == count, "MirrorMap.reorder: expected \(count) points, got \(points.count)")
        return permutation.map { points[$0] }
    }

    /// The iBUG 300-W 68-point scheme (0-based): jaw 0-16, brows 17-26, nose 27-35,
    /// eyes 36-41 and 42-47, outer mouth 48-59, inner mouth 60-67.
    public static let ibug68: MirrorMap = {
        var p = Array(0..<68)
        func pair(_ a: Int, _ b: Int) {
            p[a] = b
            p[b] = a
        }
        for i in 0..<8 { pair(i, 16 - i) }  // jaw; 8 (chin) stays
        for i in 0..<5 { pair(17 + i, 26 - i) }  // brows
        pair(31, 35)
        pair(32, 34)  // nostrils; 27-30 and 33 stay
        pair(36, 45)
        pair(37, 44)
        pair(38, 43)
        pair(39, 42)
        pair(40, 47)
        pair(41, 46)  // eyes
        pair(48, 54)
        pair(49, 53)
        pair(50, 52)
        pair(55, 59)
        pair(56, 58)  // outer lips; 51, 57 stay
        pair(60, 64)
        pair(61, 63)
        pair(65, 67)  // inner lips; 62, 66 stay
        return MirrorMap(p)
    }()

    /// The IMM 58-point scheme: jaw 0-12, eyes 13-20 and 21-28, brows 29-33 and 34-38,
    /// mouth 39-46, nose 47-57 (nose tip 52).
    ///
    /// Derived from the data by `scripts/fixtures/facedata_imm_mirror.py`: the mean of the 120
    /// frontal shapes (views 1, 2, 5), mirrored about its centroid, each point matched to its
    /// nearest original point (largest match distance 4.3 px at 640x480, margin to the
    /// runner-up at least 7 px). `FaceDataTests` re-derives it from the data.
    public static let imm58 = MirrorMap([
        12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
        21, 22, 23, 24, 25, 26, 27, 28, 13, 14, 15, 16, 17, 18, 19, 20,
        34, 35, 36, 37, 38, 29, 30, 31, 32, 33,
        43, 42, 41, 40, 39, 46, 45, 44,
        57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47
    ])
}
