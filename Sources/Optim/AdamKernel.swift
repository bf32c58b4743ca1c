import Tensor

/// The Adam / AdamW update of one parameter, as one loop over raw buffers, with PyTorch's
/// operation order (`lerp_`, `mul_` + `addcmul_`, `sqrt / c + eps`, `addcdiv_`).
struct AdamKernel {
    /// `1 - lr * weight_decay` (AdamW).
    let decay: Float
    let decoupled: Bool
    let weightDecay: Float
    /// Whether the L2 term is added to the gradient (Adam).
    let coupled: Bool
    let lerpWeight: Float
    let lerpSmall: Bool
    let lerpComplement: Float
    let beta2: Float
    let oneMinusBeta2: Float
    let amsgrad: Bool
    let biasCorrection2Sqrt: Float
    let eps: Float
    let negativeStepSize: Float

    func run(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ vMax: UnsafeMutablePointer<Float>?, _ count: Int
    ) {
        let k = self
        parallelRanges(count) { range in
            var start = range.lowerBound
            if vMax == nil {
                // Eight at a time: the same operations in the same order, so the same bits.
                while start + 8 <= range.upperBound {
                    k.update8(p + start, g + start, m + start, v + start)
                    start += 8
                }
            }
            for i in start..<range.upperBound {
                var parameter = p[i]
                var gradient = g[i]
                if k.decoupled { parameter = parameter * k.decay }
                if k.coupled { gradient = gradient + k.weightDecay * parameter }
                // torch.lerp: self + w * (end - self) for |w| < 0.5, else end - (end - self) * (1 - w)
                let mean = m[i]
                let difference = gradient - mean
                let newMean = k.lerpSmall ? mean + k.lerpWeight * difference : gradient - difference * k.lerpComplement
                m[i] = newMean
                var second = v[i] * k.beta2 + k.oneMinusBeta2 * gradient * gradient
                v[i] = second
                if let vMax {
                    let largest = Swift.max(vMax[i], second)
                    vMax[i] = largest
                    second = largest
                }
                let denominator = second.squareRoot() / k.biasCorrection2Sqrt + k.eps
                p[i] = parameter + k.negativeStepSize * newMean / denominator
            }
        }
    }

    /// The loop body of ``run(_:_:_:_:_:_:)`` (without AMSGrad) for eight elements.
    @inline(__always)
    private func update8(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>
    ) {
        typealias Vector = SIMD8<Float>
        func load(_ x: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(x).loadUnaligned(as: Vector.self) }
        func store(_ value: Vector, _ x: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(x).storeBytes(of: value, as: Vector.self)
        }
        var parameter = load(p), gradient = load(g)
        if decoupled { parameter = parameter * decay }
        if coupled { gradient = gradient + weightDecay * parameter }
        let mean = load(m)
        let difference = gradient - mean
        let newMean = lerpSmall ? mean + lerpWeight * difference : gradient - difference * lerpComplement
        store(newMean, m)
        let second = load(v) * beta2 + oneMinusBeta2 * gradient * gradient
        store(second, v)
        let denominator = second.squareRoot() / biasCorrection2Sqrt + eps
        store(parameter + negativeStepSize * newMean / denominator, p)
    }
}
