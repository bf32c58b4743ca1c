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
    /// 1 where the point is annotated, 0 where it is absent (its maps are then left out of the
    /// loss); nil when every point of the batch is annotated. Shape: `[N, points]`.
    public let pointMask: Tensor?
    /// 1 where both the point and its neighbour are annotated. Shape: `[N, points * neighbours]`.
    public let neighbourMask: Tensor?

    /// - Parameters:
    ///   - points: per image, every point as a fraction of the input's width and height (`x / W`,
    ///     `y / H` in the package's pixel coordinates), in the order of `neighbours`; any outside `[0, 1]` go to the nearest cell.
    ///   - present: per image, whether each point is annotated (nil: all are). An absent point's
    ///     position is ignored (it may be NaN): its score map and offsets, and every neighbour
    ///     offset that refers to it, are masked out of ``pipNetLoss(_:_:scoreLoss:scoreWeight:offsetWeight:)``.
    ///   - neighbours: each point's neighbours, whose offsets its cell also predicts.
    ///   - height: rows of cells (input height / 32 for ``PIPNet``).
    ///   - width: columns of cells.
    public init(
        points: [[SIMD2<Float>]], present: [[Bool]]? = nil, neighbours: PIPNetNeighbours, height: Int, width: Int
    ) {
        precondition(height > 0 && width > 0, "PIPNetTargets: expected a grid of cells, got \(height) x \(width)")
        let count = neighbours.points, perPoint = neighbours.count, cellsPerMap = height * width
        for (image, imagePoints) in points.enumerated() {
            precondition(
                imagePoints.count == count,
                "PIPNetTargets: image \(image) has \(imagePoints.count) points, the neighbour lists \(count)")
            let annotated = present?[image] ?? [Bool](repeating: true, count: count)
            precondition(
                annotated.count == count,
                "PIPNetTargets: image \(image) has \(annotated.count) presence flags for \(count) points")
            precondition(
                zip(imagePoints, annotated).allSatisfy { !$1 || ($0.x.isFinite && $0.y.isFinite) },
                "PIPNetTargets: image \(image) has a non-finite annotated point")
        }
        precondition(
            present == nil || present!.count == points.count,
            "PIPNetTargets: \(present!.count) presence lists for \(points.count) images")
        let isPresent = { (image: Int, point: Int) in present?[image][point] ?? true }
        let grid = SIMD2(Float(width), Float(height))
        var scores = [Float](repeating: 0, count: points.count * count * cellsPerMap)
        var offsetX = scores, offsetY = scores
        var neighbourX = [Float](repeating: 0, count: scores.count * perPoint), neighbourY = neighbourX
        var cells: [Int] = []
        cells.reserveCapacity(points.count * count)
        var pointMask = [Float](repeating: 1, count: points.count * count)
        var neighbourMask = [Float](repeating: 1, count: points.count * count * perPoint)
        for (image, imagePoints) in points.enumerated() {
            for point in 0..<count {
                guard isPresent(image, point) else {
                    cells.append(0)  // any cell: the masks leave it out
                    pointMask[image * count + point] = 0
                    for slot in 0..<perPoint { neighbourMask[(image * count + point) * perPoint + slot] = 0 }
                    continue
                }
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
                    guard isPresent(image, neighbour) else {
                        neighbourMask[(image * count + point) * perPoint + slot] = 0
                        continue
                    }
                    let offset = imagePoints[neighbour] * grid - corner
                    let neighbourIndex = ((image * count + point) * perPoint + slot) * cellsPerMap + cell
                    neighbourX[neighbourIndex] = offset.x
                    neighbourY[neighbourIndex] = offset.y
                }
            }
        }
        let shape = [points.count, count, height, width],
            neighbourShape = [points.count, count * perPoint, height, width]
        self.scores = Tensor(shape: shape, values: scores)
        self.offsetX = Tensor(shape: shape, values: offsetX)
        self.offsetY = Tensor(shape: shape, values: offsetY)
        self.neighbourX = Tensor(shape: neighbourShape, values: neighbourX)
        self.neighbourY = Tensor(shape: neighbourShape, values: neighbourY)
        self.cells = cells
        let complete = present?.allSatisfy { $0.allSatisfy { $0 } } ?? true
        self.pointMask = complete ? nil : Tensor(shape: [points.count, count], values: pointMask)
        self.neighbourMask = complete ? nil : Tensor(shape: [points.count, count * perPoint], values: neighbourMask)
    }
}
