import Tensor

/// Batch normalization over the channel axis of `[N, C, H, W]` (or `[N, C]`), as
/// `torch.nn.functional.batch_norm`.
///
/// In training, normalizes with the batch's mean and biased variance and, when
/// `runningMean`/`runningVariance` are given, updates them in place with `momentum`
/// (the running variance gets the unbiased batch variance, as PyTorch does). In evaluation,
/// normalizes with the running statistics.
///
/// Shape: input `[N, C, ...]`, weight, bias and running statistics `[C]` -> input's shape.
public func batchNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, runningMean: inout Tensor, runningVariance: inout Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    precondition(input.rank >= 2, "batchNorm: expected input [N, C, ...], got \(input.shape)")
    let channels = input.shape[1], batch = input.shape[0]
    let plane = input.shape[2...].reduce(1, *)
    precondition(runningMean.shape == [channels] && runningVariance.shape == [channels],
                 "batchNorm: running statistics \(runningMean.shape), \(runningVariance.shape) do not match \(channels) channels of input \(input.shape)")
    let perChannel = batch * plane
    if training { precondition(perChannel > 1, "batchNorm: expected more than 1 value per channel when training, got input \(input.shape)") }

    // Per-channel mean and inverse standard deviation used for normalizing.
    var mean = [Float](repeating: 0, count: channels), inverseStd = [Float](repeating: 0, count: channels)
    input.withUnsafeBufferPointer { x in
        let source = UncheckedSendable(x.baseAddress!)
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            inverseStd.withUnsafeMutableBufferPointer { stdBuffer in
                let means = UncheckedSendable(meanBuffer.baseAddress!), stds = UncheckedSendable(stdBuffer.baseAddress!)
                if training {
                    parallelFor(channels) { c in
                        var sum: Double = 0, sumSquares: Double = 0
                        for n in 0..<batch {
                            let row = source.value + (n * channels + c) * plane
                            for i in 0..<plane { sum += Double(row[i]) }
                        }
                        let m = sum / Double(perChannel)
                        for n in 0..<batch {
                            let row = source.value + (n * channels + c) * plane
                            for i in 0..<plane { let d = Double(row[i]) - m; sumSquares += d * d }
                        }
                        means.value[c] = Float(m)
                        stds.value[c] = Float(sumSquares / Double(perChannel))   // biased variance for now
                    }
                }
            }
        }
    }
    if training {
        let unbiasedFactor = Float(perChannel) / Float(Swift.max(perChannel - 1, 1))
        let variances = inverseStd
        runningMean.withUnsafeMutableBufferPointer { rm in
            runningVariance.withUnsafeMutableBufferPointer { rv in
                for c in 0..<channels {
                    rm[c] = (1 - momentum) * rm[c] + momentum * mean[c]
                    rv[c] = (1 - momentum) * rv[c] + momentum * variances[c] * unbiasedFactor
                }
            }
        }
        for c in 0..<channels { inverseStd[c] = 1 / (variances[c] + epsilon).squareRoot() }
    } else {
        mean = runningMean.scalars
        inverseStd = runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() }
    }

    let gamma = weight?.scalars ?? [Float](repeating: 1, count: channels)
    let beta = bias?.scalars ?? [Float](repeating: 0, count: channels)
    var output = Tensor(uninitializedShape: input.shape)
    input.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { o in
            let source = UncheckedSendable(x.baseAddress!), destination = UncheckedSendable(o.baseAddress!)
            parallelFor(batch * channels) { job in
                let c = job % channels
                let scale = gamma[c] * inverseStd[c], shift = beta[c] - mean[c] * scale
                let from = source.value + job * plane, to = destination.value + job * plane
                for i in 0..<plane { to[i] = from[i] * scale + shift }
            }
        }
    }
    let inputs = [input] + [weight, bias].compactMap { $0 }
    let (savedMean, savedInverseStd) = (mean, inverseStd)
    return Tensor.recording(output, inputs: inputs) { gradOutput in
        // Per channel: sum(dy) and sum(dy * xhat).
        var sumGrad = [Float](repeating: 0, count: channels), sumGradXhat = [Float](repeating: 0, count: channels)
        gradOutput.withUnsafeBufferPointer { go in
            input.withUnsafeBufferPointer { x in
                for c in 0..<channels {
                    var s: Double = 0, sx: Double = 0
                    for n in 0..<batch {
                        let offset = (n * channels + c) * plane
                        for i in 0..<plane {
                            let dy = Double(go[offset + i])
                            s += dy
                            sx += dy * Double((x[offset + i] - savedMean[c]) * savedInverseStd[c])
                        }
                    }
                    sumGrad[c] = Float(s)
                    sumGradXhat[c] = Float(sx)
                }
            }
        }
        var gradInput: Tensor? = nil
        if input.requiresGrad {
            var result = Tensor(uninitializedShape: input.shape)
            gradOutput.withUnsafeBufferPointer { go in
                input.withUnsafeBufferPointer { x in
                    result.withUnsafeMutableBufferPointer { gi in
                        let dy = UncheckedSendable(go.baseAddress!), source = UncheckedSendable(x.baseAddress!)
                        let destination = UncheckedSendable(gi.baseAddress!)
                        let count = Float(perChannel)
                        parallelFor(batch * channels) { job in
                            let c = job % channels
                            let m = savedMean[c], s = savedInverseStd[c], scale = gamma[c] * s
                            let from = dy.value + job * plane, x = source.value + job * plane, to = destination.value + job * plane
                            if training {
                                let meanGrad = sumGrad[c] / count, meanGradXhat = sumGradXhat[c] / count
                                for i in 0..<plane {
                                    let xhat = (x[i] - m) * s
                                    to[i] = scale * (from[i] - meanGrad - xhat * meanGradXhat)
                                }
                            } else {
                                for i in 0..<plane { to[i] = scale * from[i] }
                            }
                        }
                    }
                }
            }
            gradInput = result
        }
        var grads: [Tensor?] = [gradInput]
        if weight != nil { grads.append(Tensor(sumGradXhat)) }
        if bias != nil { grads.append(Tensor(sumGrad)) }
        return grads
    }
}

/// Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` (inverted
/// dropout, as `torch.nn.functional.dropout`). The identity when not `training` or `p == 0`.
///
/// Shape: unchanged.
public func dropout(_ input: Tensor, p: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout: probability must be in 0...1, got \(p)")
    guard training && p > 0 else { return input }
    var mask = Tensor(uninitializedShape: input.shape)
    let keep = 1 - p, scale: Float = p == 1 ? 0 : 1 / (1 - p)
    mask.withUnsafeMutableBufferPointer { m in
        for i in m.indices { m[i] = generator.nextUniform() < keep ? scale : 0 }
    }
    return input * mask
}
