import FaceKeypoints

#if canImport(Glibc)
    import Glibc
#endif

/// `softplus(x) = log(1 + exp(x))`, written as a new differentiable operation: a forward loop
/// over the raw buffer, and a hand-written backward (`d/dx softplus(x) = sigmoid(x)`)
/// registered with `Tensor.recording`.
///
/// Shape: unchanged.
func softplus(_ x: Tensor) -> Tensor {
    var output = Tensor(uninitializedShape: x.shape)
    x.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
            for i in input.indices {
                // Stable form: max(x, 0) + log1p(exp(-|x|)).
                out[i] = max(input[i], 0) + log1pf(expf(-abs(input[i])))
            }
        }
    }
    return Tensor.recording(output, inputs: [x]) { gradOutput in
        [gradOutput * x.sigmoid()]
    }
}

/// A layer around the custom operation.
final class Softplus: Module {
    override func forward(_ input: Tensor) -> Tensor { softplus(input) }
}
