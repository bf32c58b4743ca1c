import Foundation
import Tensor

/// Parametric ReLU, as `torch.nn.functional.prelu`: `x` where `x > 0`, `weight[c] * x`
/// elsewhere, with `c` the index along axis 1 (or one shared weight when `weight` has a single
/// element). The gradient of `x` is `1` where `x > 0` and `weight[c]` elsewhere (also at 0, as
/// PyTorch).
///
/// Shape: `[N, C, ...]` (rank 2 or more; any rank with a single weight) -> unchanged;
/// `weight` is `[C]` or `[1]`.
public func prelu(_ input: Tensor, weight: Tensor) -> Tensor {
    precondition(weight.rank == 1, "prelu: expected weight [C], got \(weight.shape)")
    let shared = weight.count == 1
    precondition(
        shared || (input.rank >= 2 && input.shape[1] == weight.count),
        "PReLU(\(weight.count)): expected [N, \(weight.count), ...], got \(input.shape)")
    let channels = shared ? 1 : weight.count
    // Elements per (sample, channel) block; blocks cycle through the channels.
    let inner = shared ? Swift.max(input.count, 1) : input.shape[2...].reduce(1, *)
    let blocks = shared ? (input.count > 0 ? 1 : 0) : input.count / Swift.max(inner, 1)
    var output = Tensor(uninitializedShape: input.shape)
    input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
            output.withUnsafeMutableBufferPointer { o in
                guard let xBase = x.baseAddress, let oBase = o.baseAddress else { return }
                let source = UncheckedSendable(xBase), destination = UncheckedSendable(oBase)
                let slopes = UncheckedSendable(w.baseAddress!)
                parallelFor(blocks) { block in
                    let slope = slopes.value[block % channels]
                    let from = source.value + block * inner, to = destination.value + block * inner
                    for i in 0..<inner { to[i] = from[i] > 0 ? from[i] : slope * from[i] }
                }
            }
        }
    }
    return Tensor.recording(output, inputs: [input, weight]) { gradOutput in
        var gradInput = Tensor(uninitializedShape: input.shape)
        var gradWeight = Tensor.zeros(weight.shape)
        // Per block, the weight's gradient; summed per channel afterwards (deterministic order).
        var partial = Tensor(uninitializedShape: [Swift.max(blocks, 1)])
        gradOutput.withUnsafeBufferPointer { go in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    gradInput.withUnsafeMutableBufferPointer { gi in
                        partial.withUnsafeMutableBufferPointer { p in
                            guard let goBase = go.baseAddress, let xBase = x.baseAddress, let giBase = gi.baseAddress
                            else { return }
                            let g = UncheckedSendable(goBase), source = UncheckedSendable(xBase)
                            let destination = UncheckedSendable(giBase), sums = UncheckedSendable(p.baseAddress!)
                            let slopes = UncheckedSendable(w.baseAddress!)
                            parallelFor(blocks) { block in
                                let slope = slopes.value[block % channels]
                                let offset = block * inner
                                let gradient = g.value + offset, from = source.value + offset,
                                    to = destination.value + offset
                                var sum: Float = 0
                                for i in 0..<inner {
                                    let positive = from[i] > 0
                                    to[i] = positive ? gradient[i] : slope * gradient[i]
                                    sum += positive ? 0 : gradient[i] * from[i]
                                }
                                sums.value[block] = sum
                            }
                        }
                    }
                }
            }
        }
        partial.withUnsafeBufferPointer { p in
            gradWeight.withUnsafeMutableBufferPointer { gw in
                for block in 0..<blocks { gw[block % channels] += p[block] }
            }
        }
        return [gradInput, gradWeight]
    }
}

/// Softmax along `dim`, as `torch.softmax(input, dim)`: `exp(x - max) / sum(exp(x - max))`
/// over each slice along `dim` (the maximum subtracted for range, as PyTorch).
///
/// Shape: unchanged (any rank of at least 1); each slice along `dim` sums to 1.
public func softmax(_ input: Tensor, dim: Int) -> Tensor {
    precondition(input.rank >= 1, "softmax: expected a tensor of rank 1 or more, got \(input.shape)")
    let axis = input.normalizedAxis(dim, operation: "softmax")
    let size = input.shape[axis]
    let inner = input.shape[(axis + 1)...].reduce(1, *), outer = input.shape[..<axis].reduce(1, *)
    var output = Tensor(uninitializedShape: input.shape)
    if input.count > 0 {
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { o in
                let source = UncheckedSendable(x.baseAddress!), destination = UncheckedSendable(o.baseAddress!)
                parallelFor(outer) { slab in
                    let from = source.value + slab * size * inner, to = destination.value + slab * size * inner
                    for j in 0..<inner {
                        var largest = -Float.infinity
                        for k in 0..<size { largest = Swift.max(largest, from[k * inner + j]) }
                        var sum: Float = 0
                        for k in 0..<size {
                            let e = expf(from[k * inner + j] - largest)
                            to[k * inner + j] = e
                            sum += e
                        }
                        let scale = 1 / sum
                        for k in 0..<size { to[k * inner + j] *= scale }
                    }
                }
            }
        }
    }
    let result = output
    // d x_k = y_k (g_k - sum_j g_j y_j).
    return Tensor.recording(output, inputs: [input]) { gradOutput in
        var gradInput = Tensor(uninitializedShape: input.shape)
        guard input.count > 0 else { return [gradInput] }
        gradOutput.withUnsafeBufferPointer { go in
            result.withUnsafeBufferPointer { y in
                gradInput.withUnsafeMutableBufferPointer { gi in
                    let g = UncheckedSendable(go.baseAddress!), probabilities = UncheckedSendable(y.baseAddress!)
                    let destination = UncheckedSendable(gi.baseAddress!)
                    parallelFor(outer) { slab in
                        let offset = slab * size * inner
                        let gradient = g.value + offset, p = probabilities.value + offset,
                            to = destination.value + offset
                        for j in 0..<inner {
                            var dot: Float = 0
                            for k in 0..<size { dot += gradient[k * inner + j] * p[k * inner + j] }
                            for k in 0..<size { to[k * inner + j] = p[k * inner + j] * (gradient[k * inner + j] - dot) }
                        }
                    }
                }
            }
        }
        return [gradInput]
    }
}
