import Tensor

/// What a ``PIPNet`` should output for a batch of annotated points, as the reference's
/// `gen_target_pip`: each point's cell (the one its position falls in, clamped to the grid)
/// scores 1 and every other cell 0; at that cell only, the offsets hold the point's position
/// inside it and its neighbours' positions relative to it, in cells (0 elsewhere). The score
/// maps are also the masks of the offsets: the loss reads offsets at ``cells`` alone.
///
/// ```swift
/// let targets = PIPNetTargets(points: batchPoints, neighbours: neighbours, height: 8, width: 8)  // fractions of the input
/// let loss = pipNetLoss(model.maps(images), targets).total
/// ```
public struct PIPNetTargets: Sendable {
    /// One-hot score maps. Shape: `[N, points, height, width]`.
    public let scores: Tensor
    /// Offsets inside the cell, in cells. Shape: `[N, points, height, width]`.
    public let offsetX, offsetY: Tensor
    /// Neighbour offsets from the cell, in cells. Shape: `[N, points * neighbours, height, width]`.
    public let neighbourX, neighbourY: Tensor
    /// Each point's cell, `row * width + column`, image by image. Shape: `[N * points]`.
    public let cells: [Int]

    /// - Parameters:
    ///   - points: per image, every point as a fraction of the input's width and height (`x / W`,
    ///     `y / H` in the package's pixel coordinates), in the order of `neighbours`; any outside `[0, 1]` go to the nearest cell.
    ///   - height: rows of cells (input height / 32 for ``PIPNet``).
    ///   - width: columns of cells.
    public init(points: [[SIMD2<Float>]], neighbours: PIPNetNeighbours, height: Int, width: Int) {
        precondition(height > 0 && width > 0, "PIPNetTargets: expected a grid of cells, got \(height) x \(width)")
        let count = neighbours.points, perPoint = neighbours.count, cellsPerMap = height * width
        for (image, imagePoints) in points.enumerated() {
            precondition(imagePoints.count == count, "PIPNetTargets: image \(image) has \(imagePoints.count) points, the neighbour lists \(count)")
            precondition(imagePoints.allSatisfy { $0.x.isFinite && $0.y.isFinite }, "PIPNetTargets: image \(image) has a non-finite point")
        }
        let grid = SIMD2(Float(width), Float(height))
        var scores = [Float](repeating: 0, count: points.count * count * cellsPerMap)
        var offsetX = scores, offsetY = scores
        var neighbourX = [Float](repeating: 0, count: scores.count * perPoint), neighbourY = neighbourX
        var cells: [Int] = []
        cells.reserveCapacity(points.count * count)
        for (image, imagePoints) in points.enumerated() {
            for point in 0..<count {
                let position = imagePoints[point] * grid
                let column = min(max(Int(position.x.rounded(.down)), 0), width - 1)
                let row = min(max(Int(position.y.rounded(.down)), 0), height - 1)
                let cell = row * width + column, corner = SIMD2(Float(column), Float(row))
                cells.append(cell)
                let index = (image * count + point) * cellsPerMap + cell
                scores[index] = 1
                offsetX[index] = position.x - corner.x
                offsetY[index] = position.y - corner.y
                for (slot, neighbour) in neighbours.indices[point].enumerated() {
                    let offset = imagePoints[neighbour] * grid - corner
                    let neighbourIndex = ((image * count + point) * perPoint + slot) * cellsPerMap + cell
                    neighbourX[neighbourIndex] = offset.x
                    neighbourY[neighbourIndex] = offset.y
                }
            }
        }
        let shape = [points.count, count, height, width], neighbourShape = [points.count, count * perPoint, height, width]
        self.scores = Tensor(shape: shape, values: scores)
        self.offsetX = Tensor(shape: shape, values: offsetX)
        self.offsetY = Tensor(shape: shape, values: offsetY)
        self.neighbourX = Tensor(shape: neighbourShape, values: neighbourX)
        self.neighbourY = Tensor(shape: neighbourShape, values: neighbourY)
        self.cells = cells
    }
}
