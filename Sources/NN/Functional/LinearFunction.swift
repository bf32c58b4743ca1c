import Tensor

/// `input x weightᵀ + bias`, as `torch.nn.functional.linear`, with the weight in PyTorch's
/// `[out, in]` layout (no transposed copy: the product reads it transposed).
///
/// Shape: input `[N, in]`, weight `[out, in]`, bias `[out]` -> `[N, out]`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(
        input.rank == 2 && weight.rank == 2 && input.shape[1] == weight.shape[1],
        "linear: expected input [N, \(weight.shape.last ?? 0)] for weight \(weight.shape), got \(input.shape)")
    let (n, inFeatures, outFeatures) = (input.shape[0], input.shape[1], weight.shape[0])
    if let bias {
        precondition(bias.shape == [outFeatures], "linear: bias shape \(bias.shape), expected [\(outFeatures)]")
    }
    var output = Tensor(uninitializedShape: [n, outFeatures])
    input.withUnsafeBufferPointer { x in
        weight.withUnsafeBufferPointer { w in
            output.withUnsafeMutableBufferPointer { o in
                if let bias {
                    bias.withUnsafeBufferPointer { b in
                        for row in 0..<n {
                            (o.baseAddress! + row * outFeatures).update(from: b.baseAddress!, count: outFeatures)
                        }
                    }
                }
                sgemm(
                    transposeB: true, m: n, n: outFeatures, k: inFeatures, a: x.baseAddress!, b: w.baseAddress!,
                    beta: bias == nil ? 0 : 1, c: o.baseAddress!)
            }
        }
    }
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    return Tensor.recording(output, inputs: inputs) { gradOutput in
        var gradInput: Tensor? = nil
        if input.requiresGrad {
            var result = Tensor(uninitializedShape: input.shape)
            gradOutput.withUnsafeBufferPointer { g in
                weight.withUnsafeBufferPointer { w in
                    result.withUnsafeMutableBufferPointer { r in
                        sgemm(
                            m: n, n: inFeatures, k: outFeatures, a: g.baseAddress!, b: w.baseAddress!, c: r.baseAddress!
                        )
                    }
                }
            }
            gradInput = result
        }
        var gradWeight = Tensor(uninitializedShape: weight.shape)
        gradOutput.withUnsafeBufferPointer { g in
            input.withUnsafeBufferPointer { x in
                gradWeight.withUnsafeMutableBufferPointer { r in
                    sgemm(
                        transposeA: true, m: outFeatures, n: inFeatures, k: n, a: g.baseAddress!, b: x.baseAddress!,
                        c: r.baseAddress!)
                }
            }
        }
        return [gradInput, gradWeight] + (bias != nil ? [gradOutput.sum(axes: [0])] : [])
    }
}
