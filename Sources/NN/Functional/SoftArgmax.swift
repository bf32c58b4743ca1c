import Tensor

/// Integral regression (Sun et al. 2018, "Integral Human Pose Regression"): the expected cell
/// centre of each heatmap under its softmax over all `H * W` cells, in normalized coordinates
/// (`-1` and `1` are the map's edges): `x = sum p * ((j + 0.5) / W * 2 - 1)` over the cells of
/// column `j`, `y` likewise over rows. The output interleaves `x0, y0, x1, y1, ...` per image,
/// the layout of the regression targets. Differentiable (a softmax and one matrix product).
///
/// Shape: `[N, K, H, W]` -> `[N, 2K]`.
public func softArgmax(_ heatmaps: Tensor) -> Tensor {
    precondition(heatmaps.rank == 4 && heatmaps.shape[2] > 0 && heatmaps.shape[3] > 0,
                 "softArgmax: expected heatmaps [N, K, H, W], got \(heatmaps.shape)")
    let (n, k, h, w) = (heatmaps.shape[0], heatmaps.shape[1], heatmaps.shape[2], heatmaps.shape[3])
    let probabilities = softmax(heatmaps.reshaped([n * k, h * w]), dim: 1)
    return probabilities.matmul(cellCentres(height: h, width: w)).reshaped([n, 2 * k])
}

/// The normalized centre `(x, y)` of each cell of an `height x width` map, row by row.
///
/// Shape: `[height * width, 2]`.
private func cellCentres(height: Int, width: Int) -> Tensor {
    var centres = Tensor(uninitializedShape: [height * width, 2])
    centres.withUnsafeMutableBufferPointer { c in
        for i in 0..<height {
            let y = (Float(i) + 0.5) / Float(height) * 2 - 1
            for j in 0..<width {
                c[2 * (i * width + j)] = (Float(j) + 0.5) / Float(width) * 2 - 1
                c[2 * (i * width + j) + 1] = y
            }
        }
    }
    return centres
}
