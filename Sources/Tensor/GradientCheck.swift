/// The result of comparing autograd gradients with central finite differences.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// Largest relative error `|analytic - numeric| / Swift.max(|analytic|, |numeric|, floor)`
    /// over all checked elements, where `floor` is 1e-3 of the largest gradient (either kind)
    /// of the same input. A gradient 10 times too small is an error of 0.9 however small it is,
    /// unless it is negligible next to the other gradients of its input.
    public let maxError: Float
    /// Which input and flat element gave ``maxError``.
    public let worstInput: Int, worstElement: Int
    /// The autograd gradient and the finite-difference estimate at the worst element.
    public let analytic: Float, numeric: Float

    public var description: String {
        "max error \(maxError) at input \(worstInput) element \(worstElement): autograd \(analytic), finite difference \(numeric)"
    }
}

/// Checks the gradients autograd computes for `function` at `inputs` against central finite
/// differences `(f(x + h) - f(x - h)) / 2h` of `sum(function(inputs) * weights)` with fixed
/// random weights, so every output element is covered.
///
/// The error is relative (see ``GradientCheckResult/maxError``). Float32 rounding limits the
/// agreement: with `h = 1e-2` expect errors around `1e-3`. Use it on every new differentiable
/// operation:
///
/// ```swift
/// let result = checkGradients(of: { cube($0[0]) }, at: [x])
/// #expect(result.maxError < 1e-2, "\(result)")
/// ```
public func checkGradients(
    of function: ([Tensor]) throws -> Tensor, at inputs: [Tensor], step h: Float = 1e-2,
    seed: UInt64 = 0
) rethrows -> GradientCheckResult {
    var generator = RandomGenerator(seed: seed)
    var leaves = inputs.map { input -> Tensor in
        var leaf = input.detached()
        leaf.requiresGrad = true
        return leaf
    }
    let output = try function(leaves)
    let weights = Tensor.randomUniform(output.shape, low: 0.5, high: 1.5, using: &generator)
    (output * weights).sum().backward()
    let analytic = leaves.map { $0.grad ?? Tensor.zeros(like: $0) }

    func objective(_ values: [Tensor]) throws -> Double {
        let out = try withoutGradients { try function(values) }
        var total: Double = 0
        for i in 0..<out.count { total += Double(out.storage.pointer[i]) * Double(weights.storage.pointer[i]) }
        return total
    }

    var worst = GradientCheckResult(maxError: 0, worstInput: 0, worstElement: 0, analytic: 0, numeric: 0)
    for input in leaves.indices {
        var numeric: [Float] = []
        for element in 0..<leaves[input].count {
            var probe = leaves.map { $0.detached() }
            let original = probe[input].storage.pointer[element]
            probe[input].makeUnique()
            probe[input].storage.pointer[element] = original + h
            let plus = try objective(probe)
            probe[input].storage.pointer[element] = original - h
            let minus = try objective(probe)
            numeric.append(Float((plus - minus) / Double(2 * h)))
        }
        let autograd = analytic[input].scalars
        let largest = zip(autograd, numeric).reduce(Float(0)) { Swift.max($0, Swift.abs($1.0), Swift.abs($1.1)) }
        let floor = Swift.max(1e-3 * largest, .leastNormalMagnitude)
        for (element, (value, numeric)) in zip(autograd, numeric).enumerated() {
            let error = Swift.abs(value - numeric) / Swift.max(Swift.abs(value), Swift.abs(numeric), floor)
            if error > worst.maxError || error.isNaN {
                worst = GradientCheckResult(
                    maxError: error.isNaN ? .infinity : error, worstInput: input, worstElement: element,
                    analytic: value, numeric: numeric)
            }
        }
    }
    leaves.removeAll()
    return worst
}
