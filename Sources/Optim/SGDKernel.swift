import Tensor

/// The SGD update of one parameter, as one loop over raw buffers.
struct SGDKernel {
    let weightDecay: Float
    let hasWeightDecay: Bool
    let momentum: Float
    let hasMomentum: Bool
    /// `1 - dampening`.
    let dampened: Float
    let nesterov: Bool
    /// Whether the momentum buffer is new (it is set to the gradient, as PyTorch does).
    let fresh: Bool
    let negativeLearningRate: Float

    func run(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ buffer: UnsafeMutablePointer<Float>?,
        _ count: Int
    ) {
        let kernel = self
        parallelRanges(count) { range in
            if let buffer {
                for i in range {
                    var d = g[i]
                    if kernel.hasWeightDecay { d = d + kernel.weightDecay * p[i] }
                    let b = kernel.fresh ? d : buffer[i] * kernel.momentum + kernel.dampened * d
                    buffer[i] = b
                    d = kernel.nesterov ? d + kernel.momentum * b : b
                    p[i] = p[i] + kernel.negativeLearningRate * d
                }
            } else {
                for i in range {
                    var d = g[i]
                    if kernel.hasWeightDecay { d = d + kernel.weightDecay * p[i] }
                    p[i] = p[i] + kernel.negativeLearningRate * d
                }
            }
        }
    }
}
