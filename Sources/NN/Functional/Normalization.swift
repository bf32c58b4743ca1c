import Tensor

/// Batch normalization over the channel axis of `[N, C, H, W]` (or `[N, C]`), as
/// `torch.nn.functional.batch_norm`, optionally followed in the same pass by adding
/// `residual` and an activation: `activation(batchNorm(input) + residual)` (a ResNet block's
/// tail), computed exactly as the unfused composition.
///
/// In training, normalizes with the batch's mean and biased variance and, when
/// `runningMean`/`runningVariance` are given, updates them in place with `momentum`
/// (the running variance gets the unbiased batch variance, as PyTorch does). In evaluation,
/// normalizes with the running statistics.
///
/// Synchronized (`torch.nn.SyncBatchNorm`): with a `group` of several ranks, training takes
/// the mean and variance over all ranks' batches (two all-reduces of per-channel sums), and the
/// backward pass sums its per-channel terms over the ranks too (one all-reduce); every rank must
/// then call it in the same order with the same channels. The gradients of weight and bias stay
/// per rank, for the gradient averaging to combine.
///
/// Shape: input and residual `[N, C, ...]`, weight, bias and running statistics `[C]` ->
/// input's shape.
public func batchNorm(
    _ input: Tensor, weight: Tensor?, bias: Tensor?, runningMean: inout Tensor, runningVariance: inout Tensor,
    training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5,
    adding residual: Tensor? = nil, activation: FusedActivation = .identity,
    synchronizing group: (any ProcessGroup)? = nil
) -> Tensor {
    precondition(input.rank >= 2, "batchNorm: expected input [N, C, ...], got \(input.shape)")
    let channels = input.shape[1], batch = input.shape[0]
    let plane = input.shape[2...].reduce(1, *)
    precondition(
        runningMean.shape == [channels] && runningVariance.shape == [channels],
        "batchNorm: running statistics \(runningMean.shape), \(runningVariance.shape) do not match \(channels) channels of input \(input.shape)"
    )
    if let residual {
        precondition(
            residual.shape == input.shape,
            "batchNorm: residual shape \(residual.shape) differs from input shape \(input.shape)")
    }
    let group = training && (group?.size ?? 1) > 1 ? group : nil
    var perChannel = batch * plane
    if training && group == nil {
        // One value per channel has no variance; none (an empty batch) gives an empty output.
        precondition(
            perChannel != 1, "batchNorm: expected more than 1 value per channel when training, got input \(input.shape)"
        )
    }
    let x = input.unsafeBaseAddress

    // Per-channel mean and inverse standard deviation used for normalizing.
    var mean = [Float](repeating: 0, count: channels), inverseStd = [Float](repeating: 0, count: channels)
    if let group {
        // Over all ranks: the sums and the count first, then the squared deviations from the mean.
        var sums = [Double](repeating: 0, count: channels + 1)
        sums.withUnsafeMutableBufferPointer { buffer in
            let totals = buffer.baseAddress!
            parallelFor(channels) { c in
                var sum: Double = 0
                for n in 0..<batch { sum += Double(vectorSum(x + (n * channels + c) * plane, plane)) }
                totals[c] = sum
            }
            totals[channels] = Double(perChannel)
            group.allReduceSum(buffer)
        }
        perChannel = Int(sums[channels])
        precondition(
            perChannel > 1,
            "batchNorm: expected more than 1 value per channel over all ranks when training, got \(perChannel)")
        for c in 0..<channels { mean[c] = Float(sums[c] / Double(perChannel)) }
        var squares = [Double](repeating: 0, count: channels)
        squares.withUnsafeMutableBufferPointer { buffer in
            let totals = buffer.baseAddress!
            parallelFor(channels) { c in
                var sum: Double = 0
                for n in 0..<batch {
                    sum += Double(vectorSumOfSquaredDeviations(x + (n * channels + c) * plane, plane, mean: mean[c]))
                }
                totals[c] = sum
            }
            group.allReduceSum(buffer)
        }
        for c in 0..<channels { inverseStd[c] = Float(squares[c] / Double(perChannel)) }  // biased variance for now
    } else if training, perChannel > 0 {  // an empty batch keeps mean 0 and variance 0
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            inverseStd.withUnsafeMutableBufferPointer { varianceBuffer in
                let means = meanBuffer.baseAddress!, variances = varianceBuffer.baseAddress!
                parallelFor(channels) { c in
                    // Partial sums per plane in float (vectorized), accumulated in double.
                    var sum: Double = 0
                    for n in 0..<batch { sum += Double(vectorSum(x + (n * channels + c) * plane, plane)) }
                    let count = Double(perChannel)
                    let m = Float(sum / count)
                    var squares: Double = 0
                    for n in 0..<batch {
                        squares += Double(vectorSumOfSquaredDeviations(x + (n * channels + c) * plane, plane, mean: m))
                    }
                    means[c] = m
                    variances[c] = Float(squares / count)  // biased variance for now
                }
            }
        }
    }
    if training {
        let variances = inverseStd
        if perChannel > 0 {  // an empty batch leaves the running statistics as they are, as in PyTorch
            let unbiasedFactor = Float(perChannel) / Float(perChannel - 1)
            runningMean.withUnsafeMutableBufferPointer { rm in
                runningVariance.withUnsafeMutableBufferPointer { rv in
                    for c in 0..<channels {
                        rm[c] = (1 - momentum) * rm[c] + momentum * mean[c]
                        rv[c] = (1 - momentum) * rv[c] + momentum * variances[c] * unbiasedFactor
                    }
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
    let relu = activation == .relu
    var output = Tensor(uninitializedShape: input.shape)
    let out = output.unsafeMutableBaseAddress(), r = residual?.unsafeBaseAddress
    parallelFor(batch * channels) { job in
        let c = job % channels
        let scale = gamma[c] * inverseStd[c], shift = beta[c] - mean[c] * scale
        vectorScaleShift(
            x + job * plane, scale: scale, shift: shift, adding: r.map { $0 + job * plane }, relu: relu,
            into: out + job * plane, plane)
    }
    withExtendedLifetime((input, residual)) {}
    let inputs = [input] + [weight, bias, residual].compactMap { $0 }
    let (savedMean, savedInverseStd) = (mean, inverseStd)
    let mask = relu ? output : nil
    let count = perChannel
    return Tensor.recording(output, inputs: inputs) { gradOutput in
        batchNormBackward(
            gradOutput, input: input, mask: mask, mean: savedMean, inverseStd: savedInverseStd, gamma: gamma,
            training: training, hasWeight: weight != nil, hasBias: bias != nil, hasResidual: residual != nil,
            group: group, perChannel: count)
    }
}

/// `perChannel`: the values per channel the statistics came from (over all ranks of `group`).
private func batchNormBackward(
    _ gradOutput: Tensor, input: Tensor, mask: Tensor?, mean: [Float], inverseStd: [Float], gamma: [Float],
    training: Bool, hasWeight: Bool, hasBias: Bool, hasResidual: Bool,
    group: (any ProcessGroup)?, perChannel: Int
) -> [Tensor?] {
    let channels = input.shape[1], batch = input.shape[0]
    let plane = input.shape[2...].reduce(1, *)
    let dy = gradOutput.unsafeBaseAddress, x = input.unsafeBaseAddress, kept = mask?.unsafeBaseAddress
    // Per channel: sum(dy) and sum(dy * xhat), with dy through the ReLU mask when fused.
    var sumGrad = [Float](repeating: 0, count: channels), sumGradXhat = [Float](repeating: 0, count: channels)
    sumGrad.withUnsafeMutableBufferPointer { sumBuffer in
        sumGradXhat.withUnsafeMutableBufferPointer { dotBuffer in
            let sums = sumBuffer.baseAddress!, dots = dotBuffer.baseAddress!
            parallelFor(channels) { c in
                var s: Double = 0, sx: Double = 0
                for n in 0..<batch {
                    let offset = (n * channels + c) * plane
                    let (partial, centered) = vectorGradientSums(
                        dy + offset, x + offset, mean: mean[c], mask: kept.map { $0 + offset }, plane)
                    s += Double(partial)
                    sx += Double(centered)
                }
                sums[c] = Float(s)
                dots[c] = Float(sx * Double(inverseStd[c]))
            }
        }
    }
    // The input's gradient needs the sums over every value the statistics came from: all ranks'.
    var (totalGrad, totalGradXhat) = (sumGrad, sumGradXhat)
    if let group, training {
        var both = (sumGrad + sumGradXhat).map(Double.init)
        both.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        totalGrad = both[..<channels].map { Float($0) }
        totalGradXhat = both[channels...].map { Float($0) }
    }
    var gradInput: Tensor? = nil
    if input.requiresGrad {
        var result = Tensor(uninitializedShape: input.shape)
        let to = result.unsafeMutableBaseAddress()
        let count = Float(perChannel)
        parallelFor(batch * channels) { job in
            let c = job % channels
            let m = mean[c], s = inverseStd[c], scale = gamma[c] * s
            let from = dy + job * plane, source = x + job * plane, destination = to + job * plane
            let gate = kept.map { $0 + job * plane }
            if training {
                // scale * (g - mean(g) - xhat * mean(g * xhat)), xhat = (x - m) * s
                vectorBatchNormGradient(
                    from, mask: gate, source, mean: m, scale: scale, a: totalGrad[c] / count,
                    b: s * totalGradXhat[c] / count, into: destination, plane)
            } else {
                vectorBatchNormGradient(
                    from, mask: gate, source, mean: m, scale: scale, a: 0, b: 0, into: destination, plane)
            }
        }
        gradInput = result
    }
    var grads: [Tensor?] = [gradInput]
    if hasWeight { grads.append(Tensor(sumGradXhat)) }
    if hasBias { grads.append(Tensor(sumGrad)) }
    if hasResidual {
        if let kept {
            var masked = Tensor(uninitializedShape: gradOutput.shape)
            let to = masked.unsafeMutableBaseAddress()
            parallelRanges(gradOutput.count) { range in
                vectorMaskedCopy(
                    dy + range.lowerBound, mask: kept + range.lowerBound, into: to + range.lowerBound, range.count)
            }
            grads.append(masked)
        } else {
            grads.append(gradOutput)
        }
    }
    withExtendedLifetime((gradOutput, input, mask)) {}
    return grads
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
