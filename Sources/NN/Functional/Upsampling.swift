import Tensor

/// Nearest-neighbour upsampling by an integer factor, as
/// `torch.nn.functional.interpolate(x, scale_factor=scale, mode='nearest')`: each input value
/// fills a `scale x scale` block of the output. The gradient of an input value is the sum of
/// its block's gradients.
///
/// Shape: `[N, C, H, W]` -> `[N, C, H * scale, W * scale]`.
public func upsampleNearest(_ input: Tensor, scale: Int) -> Tensor {
    precondition(input.rank == 4, "upsampleNearest: expected input [N, C, H, W], got \(input.shape)")
    precondition(scale > 0, "upsampleNearest: scale must be positive, got \(scale)")
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let outW = w * scale, inPlane = h * w, outPlane = inPlane * scale * scale
    var output = Tensor(uninitializedShape: [n, c, h * scale, outW])
    if output.count > 0 {
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { o in
                let source = UncheckedSendable(x.baseAddress!), destination = UncheckedSendable(o.baseAddress!)
                parallelFor(n * c) { planeIndex in
                    let from = source.value + planeIndex * inPlane, to = destination.value + planeIndex * outPlane
                    for y in 0..<h {
                        // Widen input row y once, then copy it to the block's other rows.
                        let row = to + y * scale * outW, values = from + y * w
                        for x in 0..<w {
                            let value = values[x], block = row + x * scale
                            for s in 0..<scale { block[s] = value }
                        }
                        for copy in 1..<scale { (row + copy * outW).update(from: row, count: outW) }
                    }
                }
            }
        }
    }
    let inputShape = input.shape  // not the input itself: the backward needs no values
    return Tensor.recording(output, inputs: [input]) { gradOutput in
        var gradInput = Tensor.zeros(inputShape)
        guard gradInput.count > 0 else { return [gradInput] }
        gradOutput.withUnsafeBufferPointer { go in
            gradInput.withUnsafeMutableBufferPointer { gi in
                let source = UncheckedSendable(go.baseAddress!), destination = UncheckedSendable(gi.baseAddress!)
                parallelFor(n * c) { planeIndex in
                    let from = source.value + planeIndex * outPlane, to = destination.value + planeIndex * inPlane
                    for y in 0..<h {
                        let sums = to + y * w
                        for dy in 0..<scale {
                            let row = from + (y * scale + dy) * outW
                            for x in 0..<w {
                                let block = row + x * scale
                                var total: Float = 0
                                for s in 0..<scale { total += block[s] }
                                sums[x] += total
                            }
                        }
                    }
                }
            }
        }
        return [gradInput]
    }
}
