/// Which points each point of a ``PIPNet`` predicts besides itself: its nearest neighbours on
/// the mean face (PIPNet's `get_meanface`), and the reverse view used to merge estimates.
///
/// ```swift
/// let neighbours = PIPNetNeighbours(meanFace: meanFace, count: 10)   // meanFace: [SIMD2<Float>], 68 points
/// neighbours.indices[30]          // the 10 points nearest to point 30 on the mean face, nearest first
/// neighbours.predictors[30]       // every (point, slot) whose neighbour j is point 30
/// ```
public struct PIPNetNeighbours: Sendable, Equatable {
    /// One estimate of a point made by another: neighbour `slot` of `point`.
    public struct Predictor: Sendable, Equatable {
        /// The point whose neighbour list makes the estimate.
        public let point: Int
        /// The position of the estimated point in `point`'s list (``PIPNetNeighbours/indices``).
        public let slot: Int
    }

    /// `indices[i][j]`: the `j`-th neighbour of point `i`. Shape: `[points][count]`.
    public let indices: [[Int]]
    /// `predictors[i]`: the neighbour slots that estimate point `i`, by point then slot (the
    /// reference's order). A point nobody counts among its neighbours has none.
    public let predictors: [[Predictor]]

    /// Neighbours per point (PIPNet's `num_nb`).
    public var count: Int { indices.first?.count ?? 0 }
    /// Points.
    public var points: Int { indices.count }

    /// Given neighbour lists: `indices[i]` holds `count` distinct other points of `0..<points`.
    public init(indices: [[Int]]) {
        let count = indices.first?.count ?? 0
        precondition(
            count > 0, "PIPNetNeighbours: expected at least one neighbour per point, got \(indices.first ?? [])")
        var predictors = [[Predictor]](repeating: [], count: indices.count)
        for (point, row) in indices.enumerated() {
            precondition(
                row.count == count, "PIPNetNeighbours: point \(point) has \(row.count) neighbours, point 0 has \(count)"
            )
            precondition(
                Set(row).count == count && row.allSatisfy { (0..<indices.count).contains($0) && $0 != point },
                "PIPNetNeighbours: point \(point)'s neighbours \(row) must be distinct other points of 0..<\(indices.count)"
            )
            for (slot, neighbour) in row.enumerated() {
                predictors[neighbour].append(Predictor(point: point, slot: slot))
            }
        }
        self.indices = indices
        self.predictors = predictors
    }

    /// The `count` nearest other points of each point of `meanFace` (any one coordinate system:
    /// PIPNet's mean faces are fractions of the crop), nearest first. Equal distances go to the
    /// lower index; a point never counts itself, even where another one coincides with it.
    public init(meanFace: [SIMD2<Float>], count: Int) {
        precondition(
            count > 0 && count < meanFace.count,
            "PIPNetNeighbours: expected 0 < count < \(meanFace.count) points, got \(count)")
        let indices = meanFace.indices.map { point -> [Int] in
            let distances = meanFace.map { other -> Float in
                let d = other - meanFace[point]
                return (d * d).sum()
            }
            let others = meanFace.indices.filter { $0 != point }
            let nearest = others.sorted { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
            return Array(nearest.prefix(count))
        }
        self.init(indices: indices)
    }

    /// `predictors[i]` repeated cyclically to the longest list's length, as the reference pads
    /// them (`get_meanface`'s `reverse_index1/2`) so every point averages as many estimates; the
    /// merged estimate is then the mean of a point's own estimate and these.
    public var paddedPredictors: [[Predictor]] {
        let length = predictors.map(\.count).max() ?? 0
        return predictors.map { list in list.isEmpty ? [] : (0..<length).map { list[$0 % list.count] } }
    }
}
