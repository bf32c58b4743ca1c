import Tensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Mean squared error, as `torch.nn.functional.mse_loss`.
/// Shape: prediction and target of one shape -> `[]` (or that shape with `.none`).
public func mseLoss(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    pointwiseLoss(prediction, target, .squared, reduction: reduction, operation: "mseLoss")
}

/// Mean absolute error, as `torch.nn.functional.l1_loss` (gradient 0 where equal).
/// Shape: as ``mseLoss(_:_:reduction:)``.
public func l1Loss(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    pointwiseLoss(prediction, target, .absolute, reduction: reduction, operation: "l1Loss")
}

/// Smooth L1 (Huber-like) loss, as `torch.nn.functional.smooth_l1_loss`:
/// `0.5 d² / beta` where `|d| < beta`, else `|d| - 0.5 beta`.
/// Shape: as ``mseLoss(_:_:reduction:)``.
public func smoothL1Loss(
    _ prediction: Tensor, _ target: Tensor, beta: Float = 1, reduction: Reduction = .mean
) -> Tensor {
    precondition(beta > 0, "smoothL1Loss: beta must be positive, got \(beta)")
    return pointwiseLoss(prediction, target, .smoothL1(beta: beta), reduction: reduction, operation: "smoothL1Loss")
}

/// Wing loss for landmark regression (Feng et al., CVPR 2018):
/// `w ln(1 + |d| / ε)` where `|d| < w`, else `|d| - C` with `C = w - w ln(1 + w / ε)`.
/// It amplifies small and medium errors compared with L2. Defaults are the paper's
/// (`w = 10`, `ε = 2`) for pixel-scale errors; scale `width` with the target units (for targets
/// normalized to the crop, use e.g. `width: 0.1, curvature: 0.02`).
/// Shape: as ``mseLoss(_:_:reduction:)``.
public func wingLoss(
    _ prediction: Tensor, _ target: Tensor, width: Float = 10, curvature: Float = 2, reduction: Reduction = .mean
) -> Tensor {
    precondition(
        width > 0 && curvature > 0, "wingLoss: width and curvature must be positive, got \(width) and \(curvature)")
    return pointwiseLoss(
        prediction, target, .wing(width: width, curvature: curvature), reduction: reduction, operation: "wingLoss")
}

/// Adaptive wing loss for heatmaps (Wang et al., ICCV 2019), as the paper's code: with
/// `Δ = |prediction - target|` and the exponent `e = alpha - target`,
/// `omega ln(1 + (Δ / epsilon)^e)` where `Δ < theta`, else `A Δ - C` (`A` and `C` make the two
/// pieces meet smoothly at `theta`). On background pixels (target 0) it is nearly quadratic
/// near 0; on foreground pixels (target 1) nearly linear, so small errors at the peak still
/// pull hard. Defaults are the paper's; targets must lie in `[0, 1]` and are constants (no
/// gradient flows to them). The paper's weighted loss map is left to the caller.
/// Shape: as ``mseLoss(_:_:reduction:)``.
public func adaptiveWingLoss(
    _ prediction: Tensor, _ target: Tensor, omega: Float = 14, theta: Float = 0.5, epsilon: Float = 1,
    alpha: Float = 2.1, reduction: Reduction = .mean
) -> Tensor {
    precondition(
        omega > 0 && theta > 0 && epsilon > 0 && alpha > 1,
        "adaptiveWingLoss: omega, theta and epsilon must be positive and alpha above 1, got \(omega), \(theta), \(epsilon), \(alpha)"
    )
    precondition(!target.requiresGrad, "adaptiveWingLoss: the target heatmap is a constant; detach it")
    return pointwiseLoss(
        prediction, target, .adaptiveWing(omega: omega, theta: theta, epsilon: epsilon, alpha: alpha),
        reduction: reduction, operation: "adaptiveWingLoss")
}

private enum PointwiseLoss {
    case squared, absolute
    case smoothL1(beta: Float)
    case wing(width: Float, curvature: Float)
    case adaptiveWing(omega: Float, theta: Float, epsilon: Float, alpha: Float)

    /// The loss of difference `d = prediction - target` and its derivative with respect to `d`.
    @inline(__always)
    func evaluate(_ d: Float, target: Float) -> (value: Float, slope: Float) {
        let magnitude = Swift.abs(d), sign: Float = d > 0 ? 1 : (d < 0 ? -1 : 0)
        switch self {
        case .squared: return (d * d, 2 * d)
        case .absolute: return (magnitude, sign)
        case .smoothL1(let beta):
            return magnitude < beta ? (0.5 * d * d / beta, d / beta) : (magnitude - 0.5 * beta, sign)
        case .wing(let w, let e):
            if magnitude < w { return (w * log1pf(magnitude / e), sign * w / (e + magnitude)) }
            return (magnitude - (w - w * log1pf(w / e)), sign)
        case .adaptiveWing(let omega, let theta, let epsilon, let alpha):
            let exponent = alpha - target
            if magnitude < theta {
                let power = powf(magnitude / epsilon, exponent)
                return (
                    omega * log1pf(power),
                    sign * omega * exponent * powf(magnitude / epsilon, exponent - 1) / (epsilon * (1 + power))
                )
            }
            let power = powf(theta / epsilon, exponent)
            let a = omega * exponent * powf(theta / epsilon, exponent - 1) / (epsilon * (1 + power))
            return (a * magnitude - (theta * a - omega * log1pf(power)), sign * a)
        }
    }
}

private func pointwiseLoss(
    _ prediction: Tensor, _ target: Tensor, _ kind: PointwiseLoss, reduction: Reduction, operation: String
) -> Tensor {
    precondition(
        prediction.shape == target.shape,
        "\(operation): prediction shape \(prediction.shape) and target shape \(target.shape) differ")
    let count = prediction.count
    var values = Tensor(uninitializedShape: prediction.shape), slopes = Tensor(uninitializedShape: prediction.shape)
    var total: Double = 0
    prediction.withUnsafeBufferPointer { p in
        target.withUnsafeBufferPointer { t in
            values.withUnsafeMutableBufferPointer { v in
                slopes.withUnsafeMutableBufferPointer { s in
                    for i in 0..<count {
                        let (value, slope) = kind.evaluate(p[i] - t[i], target: t[i])
                        v[i] = value
                        s[i] = slope
                        total += Double(value)
                    }
                }
            }
        }
    }
    let output: Tensor
    let scale: Float
    switch reduction {
    case .none:
        output = values
        scale = 1
    case .sum:
        output = Tensor(Float(total))
        scale = 1
    case .mean:
        output = Tensor(Float(total / Double(Swift.max(count, 1))))
        scale = 1 / Float(Swift.max(count, 1))
    }
    return Tensor.recording(output, inputs: [prediction, target]) { gradOutput in
        let gradPrediction = reduction == .none ? gradOutput * slopes : slopes * (gradOutput.item * scale)
        return [gradPrediction, target.requiresGrad ? -gradPrediction : nil]
    }
}
