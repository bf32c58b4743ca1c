import Tensor

/// The value of every channel of `maps` at one cell each, as `torch.gather` along the flattened
/// cells: `output[n, c] = maps[n, c, cell]` with `cell = cells[(n * C + c) / channelsPerCell]`,
/// a cell being `row * W + column`. With `channelsPerCell = K`, channels `i K ..< (i + 1) K`
/// share cell `i`: PIPNet's neighbour maps, read at their point's cell. The gradient goes back
/// to those cells; every other cell gets none.
///
/// Shape: `[N, C, H, W]` and `N * C / channelsPerCell` cells -> `[N, C]`.
public func selectCells(_ maps: Tensor, at cells: [Int], channelsPerCell: Int = 1) -> Tensor {
    precondition(
        maps.rank == 4 && channelsPerCell > 0 && maps.shape[1] % channelsPerCell == 0,
        "selectCells: expected [N, C, H, W] maps with C a multiple of \(channelsPerCell), got \(maps.shape)")
    let shape = maps.shape, channels = shape[0] * shape[1], cellsPerMap = shape[2] * shape[3]
    precondition(
        cells.count * channelsPerCell == channels,
        "selectCells: \(shape) maps need \(channels / channelsPerCell) cells, got \(cells.count)")
    precondition(
        cells.allSatisfy { (0..<cellsPerMap).contains($0) }, "selectCells: cells must lie in 0..<\(cellsPerMap)")
    var output = Tensor(uninitializedShape: [shape[0], shape[1]])
    maps.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { output in
            for channel in 0..<channels {
                output[channel] = input[channel * cellsPerMap + cells[channel / channelsPerCell]]
            }
        }
    }
    return Tensor.recording(output, inputs: [maps]) { gradOutput in
        var grad = Tensor.zeros(shape)
        gradOutput.withUnsafeBufferPointer { gradOutput in
            grad.withUnsafeMutableBufferPointer { grad in
                for channel in 0..<channels {
                    grad[channel * cellsPerMap + cells[channel / channelsPerCell]] = gradOutput[channel]
                }
            }
        }
        return [grad]
    }
}
