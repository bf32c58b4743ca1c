import Foundation
import Tensor

/// Scales the gradients of `parameters` so that their combined norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`, and returns the combined norm before clipping.
///
/// The total norm is the `normType`-norm of the per-parameter gradient norms (the norm of
/// all gradients concatenated); `.infinity` gives the largest absolute value. When it exceeds
/// `maxNorm`, every gradient is multiplied by `maxNorm / (totalNorm + 1e-6)` (PyTorch's
/// epsilon), otherwise nothing changes. Parameters without a gradient are ignored.
///
/// ```swift
/// loss.backward()
/// let norm = clipGradNorm(model.parameters(), maxNorm: 1.0)
/// optimizer.step()
/// ```
@discardableResult
public func clipGradNorm(_ parameters: [Parameter], maxNorm: Float, normType: Float = 2) -> Float {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be >= 0, got \(maxNorm)")
    precondition(normType > 0, "clipGradNorm: normType must be > 0 (or .infinity), got \(normType)")
    let gradients = parameters.compactMap(\.grad)
    if gradients.isEmpty { return 0 }
    let total = totalNorm(gradients, normType: normType)
    let coefficient = maxNorm / (total + 1e-6)
    guard coefficient < 1 else { return total }
    for parameter in parameters {
        guard var gradient = parameter.grad else { continue }
        parameter.grad = nil  // drop the second reference so that the scaling happens in place
        gradient.withUnsafeMutableBufferPointer { buffer in
            guard let g = buffer.baseAddress else { return }
            parallelRanges(buffer.count) { range in
                for i in range { g[i] = g[i] * coefficient }
            }
        }
        parameter.grad = gradient
    }
    return total
}

/// Clamps every gradient element of `parameters` into `-clipValue...clipValue`, as
/// `torch.nn.utils.clip_grad_value_`. Parameters without a gradient are ignored.
public func clipGradValue(_ parameters: [Parameter], clipValue: Float) {
    precondition(clipValue >= 0, "clipGradValue: clipValue must be >= 0, got \(clipValue)")
    for parameter in parameters {
        guard var gradient = parameter.grad else { continue }
        parameter.grad = nil
        gradient.withUnsafeMutableBufferPointer { buffer in
            guard let g = buffer.baseAddress else { return }
            parallelRanges(buffer.count) { range in
                for i in range { g[i] = Swift.min(Swift.max(g[i], -clipValue), clipValue) }
            }
        }
        parameter.grad = gradient
    }
}

/// The `normType`-norm of the per-tensor `normType`-norms of `gradients` (accumulated in
/// double precision).
func totalNorm(_ gradients: [Tensor], normType: Float) -> Float {
    if normType == .infinity {
        var largest: Float = 0
        for gradient in gradients {
            gradient.withUnsafeBufferPointer { buffer in
                for value in buffer { largest = Swift.max(largest, Swift.abs(value)) }
            }
        }
        return largest
    }
    let p = Double(normType)
    var sum: Double = 0
    for gradient in gradients {
        let norm: Float = gradient.withUnsafeBufferPointer { buffer in
            var accumulator: Double = 0
            if normType == 2 {
                for value in buffer { accumulator += Double(value) * Double(value) }
                return Float(accumulator.squareRoot())
            }
            for value in buffer { accumulator += pow(Double(Swift.abs(value)), p) }
            return Float(pow(accumulator, 1 / p))
        }
        sum += normType == 2 ? Double(norm) * Double(norm) : pow(Double(norm), p)
    }
    return Float(normType == 2 ? sum.squareRoot() : pow(sum, 1 / p))
}
