/// Reductions over contiguous `Float` buffers with independent partial sums (so the loop
/// vectorizes and is not one long chain of dependent additions), for the kernels of this
/// package: batch-norm statistics, bias gradients.

/// `sum(x[0..<count])`.
@inlinable
package func vectorSum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
    let raw = UnsafeRawPointer(x)
    var i = 0
    while i + 32 <= count {
        acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        acc1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
        i += 32
    }
    var total = (acc0 + acc1).sum()
    while i < count {
        total += x[i]
        i += 1
    }
    return total
}

/// `sum((x - mean)^2)` over `x[0..<count]`.
@inlinable
package func vectorSumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, mean: Float) -> Float {
    var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
    let raw = UnsafeRawPointer(x), m = SIMD16<Float>(repeating: mean)
    var i = 0
    while i + 32 <= count {
        let d0 = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
        let d1 = raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self) - m
        acc0 += d0 * d0
        acc1 += d1 * d1
        i += 32
    }
    var total = (acc0 + acc1).sum()
    while i < count {
        let d = x[i] - mean
        total += d * d
        i += 1
    }
    return total
}

/// `(sum(g), sum(g * (x - mean)))` over `count` elements, where `g = dy`, or `dy` where
/// `mask > 0` and 0 elsewhere when a mask is given (the gradient through a fused ReLU whose
/// output is `mask`).
@inlinable
package func vectorGradientSums(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: Float,
    mask: UnsafePointer<Float>?, _ count: Int
) -> (sum: Float, centeredDot: Float) {
    var s0 = SIMD16<Float>(), d0 = SIMD16<Float>()
    let rawDy = UnsafeRawPointer(dy), rawX = UnsafeRawPointer(x), m = SIMD16<Float>(repeating: mean)
    var i = 0
    if let mask {
        let rawMask = UnsafeRawPointer(mask)
        while i + 16 <= count {
            var g = rawDy.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            g.replace(with: 0, where: rawMask.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) .<= 0)
            s0 += g
            d0 += g * (rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m)
            i += 16
        }
    } else {
        while i + 16 <= count {
            let g = rawDy.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            s0 += g
            d0 += g * (rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m)
            i += 16
        }
    }
    var sum = s0.sum(), dot = d0.sum()
    while i < count {
        let g = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
        sum += g
        dot += g * (x[i] - mean)
        i += 1
    }
    return (sum, dot)
}

/// Loads 16 floats at `p + i`.
@inlinable @inline(__always)
package func load16(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
}

/// Stores 16 floats at `p + i`.
@inlinable @inline(__always)
package func store16(_ value: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: value, as: SIMD16<Float>.self)
}

/// `y[i] = x[i] * scale + shift (+ residual[i])`, then `max(., 0)` (NaN passes) when `relu`:
/// a batch-norm plane, vectorized.
@inlinable
package func vectorScaleShift(
    _ x: UnsafePointer<Float>, scale: Float, shift: Float, adding residual: UnsafePointer<Float>?,
    relu: Bool, into y: UnsafeMutablePointer<Float>, _ count: Int
) {
    let s = SIMD16<Float>(repeating: scale), t = SIMD16<Float>(repeating: shift), zero = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        var v = load16(x, i) * s + t
        if let residual { v += load16(residual, i) }
        if relu { v.replace(with: zero, where: v .< zero) }
        store16(v, y, i)
        i += 16
    }
    while i < count {
        var v = x[i] * scale + shift
        if let residual { v += residual[i] }
        if relu && v < 0 { v = 0 }
        y[i] = v
        i += 1
    }
}

/// `y[i] = g[i]` where `mask[i] > 0`, else 0 (the gradient through a ReLU with output
/// `mask`), vectorized.
@inlinable
package func vectorMaskedCopy(
    _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ count: Int
) {
    let zero = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        var v = load16(g, i)
        v.replace(with: zero, where: load16(mask, i) .<= zero)
        store16(v, y, i)
        i += 16
    }
    while i < count {
        y[i] = mask[i] > 0 ? g[i] : 0
        i += 1
    }
}

/// The batch-norm input gradient of one plane: `y = scale * (g - a - (x - mean) * b)`, with
/// `g` through the ReLU mask when given, vectorized.
@inlinable
package func vectorBatchNormGradient(
    _ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
    mean: Float, scale: Float, a: Float, b: Float,
    into y: UnsafeMutablePointer<Float>, _ count: Int
) {
    let m = SIMD16<Float>(repeating: mean), s = SIMD16<Float>(repeating: scale)
    let va = SIMD16<Float>(repeating: a), vb = SIMD16<Float>(repeating: b), zero = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        var g = load16(dy, i)
        if let mask { g.replace(with: zero, where: load16(mask, i) .<= zero) }
        store16(s * (g - va - (load16(x, i) - m) * vb), y, i)
        i += 16
    }
    while i < count {
        let g = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
        y[i] = scale * (g - a - (x[i] - mean) * b)
        i += 1
    }
}
