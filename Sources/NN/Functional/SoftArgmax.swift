import Foundation
import Tensor

/// Integral regression (Sun et al. 2018, "Integral Human Pose Regression"): the expected cell
/// centre of each heatmap under its softmax over all `H * W` cells, in normalized coordinates
/// (`-1` and `1` are the map's edges): `x = sum p * ((j + 0.5) / W * 2 - 1)` over the cells of
/// column `j`, `y` likewise over rows. The output interleaves `x0, y0, x1, y1, ...` per image,
/// the layout of the regression targets.
///
/// The expectations are summed in double precision: an untrained map is nearly flat, and
/// summing `p * centre` over its cells in float32 cancels to a tenth of the digits PyTorch's
/// float32 keeps. The gradient of cell `i` is `p_i (gx (x_i - x) + gy (y_i - y))`, without
/// the softmax's own cancelling sum.
///
/// Shape: `[N, K, H, W]` -> `[N, 2K]`.
public func softArgmax(_ heatmaps: Tensor) -> Tensor {
    precondition(
        heatmaps.rank == 4 && heatmaps.shape[2] > 0 && heatmaps.shape[3] > 0,
        "softArgmax: expected heatmaps [N, K, H, W], got \(heatmaps.shape)")
    let (n, k, h, w) = (heatmaps.shape[0], heatmaps.shape[1], heatmaps.shape[2], heatmaps.shape[3])
    let cells = h * w, maps = n * k
    let columns = (0..<w).map { (Double($0) + 0.5) / Double(w) * 2 - 1 }
    let rows = (0..<h).map { (Double($0) + 0.5) / Double(h) * 2 - 1 }
    // The softmax of each map, kept for the backward pass.
    var probabilities = Tensor(uninitializedShape: [maps, cells])
    var output = Tensor(uninitializedShape: [n, 2 * k])
    if maps > 0 {
        heatmaps.withUnsafeBufferPointer { source in
            probabilities.withUnsafeMutableBufferPointer { p in
                output.withUnsafeMutableBufferPointer { o in
                    let (x, pBase, oBase) = (
                        UncheckedSendable(source.baseAddress!), UncheckedSendable(p.baseAddress!),
                        UncheckedSendable(o.baseAddress!)
                    )
                    parallelFor(maps) { map in
                        let values = x.value + map * cells, weights = pBase.value + map * cells
                        var largest = -Float.infinity
                        for i in 0..<cells { largest = Swift.max(largest, values[i]) }
                        var total: Double = 0
                        for i in 0..<cells {
                            let e = expf(values[i] - largest)
                            weights[i] = e
                            total += Double(e)
                        }
                        var sumX: Double = 0, sumY: Double = 0
                        for row in 0..<h {
                            var rowSum: Double = 0
                            for column in 0..<w {
                                let e = Double(weights[row * w + column])
                                rowSum += e
                                sumX += e * columns[column]
                            }
                            sumY += rowSum * rows[row]
                        }
                        let scale = 1 / total
                        for i in 0..<cells { weights[i] = Float(Double(weights[i]) * scale) }
                        oBase.value[2 * map] = Float(sumX * scale)
                        oBase.value[2 * map + 1] = Float(sumY * scale)
                    }
                }
            }
        }
    }
    let (saved, expected) = (probabilities, output)
    return Tensor.recording(output, inputs: [heatmaps]) { gradOutput in
        var gradInput = Tensor(uninitializedShape: [n, k, h, w])
        guard maps > 0 else { return [gradInput] }
        saved.withUnsafeBufferPointer { p in
            expected.withUnsafeBufferPointer { e in
                gradOutput.withUnsafeBufferPointer { g in
                    gradInput.withUnsafeMutableBufferPointer { gi in
                        let (pBase, eBase, gBase, giBase) = (
                            UncheckedSendable(p.baseAddress!), UncheckedSendable(e.baseAddress!),
                            UncheckedSendable(g.baseAddress!), UncheckedSendable(gi.baseAddress!)
                        )
                        parallelFor(maps) { map in
                            let weights = pBase.value + map * cells, target = giBase.value + map * cells
                            let (x, y) = (Double(eBase.value[2 * map]), Double(eBase.value[2 * map + 1]))
                            let (gx, gy) = (Double(gBase.value[2 * map]), Double(gBase.value[2 * map + 1]))
                            for row in 0..<h {
                                let dy = gy * (rows[row] - y)
                                for column in 0..<w {
                                    let i = row * w + column
                                    target[i] = Float(Double(weights[i]) * (gx * (columns[column] - x) + dy))
                                }
                            }
                        }
                    }
                }
            }
        }
        return [gradInput]
    }
}
