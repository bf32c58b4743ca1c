import Tensor

/// The five maps of a ``PIPNet`` for a batch, on a grid of `height x width` cells (one cell
/// per 32 x 32 input pixels). Offsets are in cells: a point in cell `(col, row)` with offsets
/// `(dx, dy)` lies at `((col + dx) * stride, (row + dy) * stride)` input pixels.
///
/// Channel `i * neighbours + j` of the neighbour maps holds, at the cell of point `i`, the
/// offset of `i`'s `j`-th mean-face neighbour (``PIPNetNeighbours/indices``) from that cell.
public struct PIPNetMaps: Sendable {
    /// Whether each cell holds the point, trained towards 1 there and 0 elsewhere.
    /// Shape: `[N, points, height, width]`.
    public var scores: Tensor
    /// The point's position inside the cell, in cells (0 to 1 when it lies in the cell).
    /// Shape: `[N, points, height, width]`.
    public var offsetX, offsetY: Tensor
    /// The neighbours' positions relative to the cell, in cells.
    /// Shape: `[N, points * neighbours, height, width]`.
    public var neighbourX, neighbourY: Tensor
    /// Neighbours per point.
    public let neighbours: Int

    /// Creates the maps from their five tensors, checking the shapes: the offsets as `scores`,
    /// `[N, points, height, width]`, the neighbour offsets `[N, points * neighbours, height, width]`.
    public init(
        scores: Tensor, offsetX: Tensor, offsetY: Tensor, neighbourX: Tensor, neighbourY: Tensor, neighbours: Int
    ) {
        precondition(
            scores.rank == 4 && neighbours > 0,
            "PIPNetMaps: expected [N, points, height, width] scores and neighbours > 0, got \(scores.shape) and \(neighbours)"
        )
        var neighbourShape = scores.shape
        neighbourShape[1] *= neighbours
        precondition(
            offsetX.shape == scores.shape && offsetY.shape == scores.shape,
            "PIPNetMaps: offsets \(offsetX.shape) and \(offsetY.shape) must have the scores' shape \(scores.shape)")
        precondition(
            neighbourX.shape == neighbourShape && neighbourY.shape == neighbourShape,
            "PIPNetMaps: neighbour offsets \(neighbourX.shape) and \(neighbourY.shape) must be \(neighbourShape)")
        (self.scores, self.offsetX, self.offsetY) = (scores, offsetX, offsetY)
        (self.neighbourX, self.neighbourY, self.neighbours) = (neighbourX, neighbourY, neighbours)
    }

    /// The maps of ``PIPNet/forward(_:)``'s joined output, split along the channels
    /// (differentiably): scores, x offsets, y offsets, neighbour x offsets, neighbour y offsets.
    ///
    /// Shape: `[N, 3 points + 2 points neighbours, h, w]` -> maps of `[N, points, h, w]` and
    /// `[N, points * neighbours, h, w]`.
    public init(joined: Tensor, points: Int, neighbours: Int) {
        precondition(
            joined.rank == 4 && points > 0 && neighbours > 0 && joined.shape[1] == points * (3 + 2 * neighbours),
            "PIPNetMaps(joined:): expected [N, \(points * (3 + 2 * max(neighbours, 0))), h, w] for \(points) points with \(neighbours) neighbours, got \(joined.shape)"
        )
        let sizes = [points, points, points, points * neighbours, points * neighbours]
        var start = 0
        let parts = sizes.map { size in
            defer { start += size }
            return joined.slice(axis: 1, start..<(start + size))
        }
        self.init(
            scores: parts[0], offsetX: parts[1], offsetY: parts[2], neighbourX: parts[3], neighbourY: parts[4],
            neighbours: neighbours)
    }

    /// Images in the batch.
    public var batchSize: Int { scores.shape[0] }
    /// Points per image.
    public var points: Int { scores.shape[1] }
    /// Rows of cells.
    public var height: Int { scores.shape[2] }
    /// Columns of cells.
    public var width: Int { scores.shape[3] }
}
