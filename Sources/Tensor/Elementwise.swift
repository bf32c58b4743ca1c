#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scalar function of two floats, applied elementwise without closure calls (each kernel
/// is a type, so the generic loops are specialized and inlined).
@usableFromInline protocol BinaryKernel { static func apply(_ a: Float, _ b: Float) -> Float }
@usableFromInline protocol UnaryKernel { static func apply(_ x: Float) -> Float }

@usableFromInline enum AddKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}
@usableFromInline enum SubKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}
@usableFromInline enum MulKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}
@usableFromInline enum DivKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}
@usableFromInline enum MaxKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b }
}
@usableFromInline enum MinKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? a : b }
}
@usableFromInline enum PowKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { powf(a, b) }
}
@usableFromInline enum EqualKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
}
@usableFromInline enum GreaterKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
}
@usableFromInline enum GreaterEqualKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
}
@usableFromInline enum LessKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 }
}
@usableFromInline enum LessEqualKernel: BinaryKernel {
    @inlinable static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
}

enum NegKernel: UnaryKernel { static func apply(_ x: Float) -> Float { -x } }
enum ExpKernel: UnaryKernel { static func apply(_ x: Float) -> Float { expf(x) } }
enum LogKernel: UnaryKernel { static func apply(_ x: Float) -> Float { logf(x) } }
enum SqrtKernel: UnaryKernel { static func apply(_ x: Float) -> Float { x.squareRoot() } }
enum AbsKernel: UnaryKernel { static func apply(_ x: Float) -> Float { Swift.abs(x) } }
enum SignKernel: UnaryKernel { static func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
enum TanhKernel: UnaryKernel { static func apply(_ x: Float) -> Float { tanhf(x) } }
enum SigmoidKernel: UnaryKernel { static func apply(_ x: Float) -> Float { 1 / (1 + expf(-x)) } }
/// `max(x, 0)` that keeps NaN (as PyTorch does), so a broken weight cannot hide behind an activation.
enum ReLUKernel: UnaryKernel { static func apply(_ x: Float) -> Float { x < 0 ? 0 : x } }
enum StepKernel: UnaryKernel { static func apply(_ x: Float) -> Float { x > 0 ? 1 : 0 } }
enum SquareKernel: UnaryKernel { static func apply(_ x: Float) -> Float { x * x } }
enum SinKernel: UnaryKernel { static func apply(_ x: Float) -> Float { sinf(x) } }
enum CosKernel: UnaryKernel { static func apply(_ x: Float) -> Float { cosf(x) } }

extension Tensor {
    /// Applies `K` elementwise with broadcasting. No autograd.
    func mapBinary<K: BinaryKernel>(_ other: Tensor, _ kernel: K.Type, operation: String) -> Tensor {
        let outShape = shape == other.shape ? shape : broadcastShape(shape, other.shape, operation: operation)
        let result = Tensor(uninitializedShape: outShape)
        let a = storage.pointer, b = other.storage.pointer, out = result.storage.pointer
        let total = result.count
        if shape == other.shape {
            parallelRanges(total) { range in for i in range { out[i] = K.apply(a[i], b[i]) } }
        } else if other.count == 1 && count == total {
            let scalar = b[0]
            parallelRanges(total) { range in for i in range { out[i] = K.apply(a[i], scalar) } }
        } else if count == 1 && other.count == total {
            let scalar = a[0]
            parallelRanges(total) { range in for i in range { out[i] = K.apply(scalar, b[i]) } }
        } else if total > 0 {
            let aStrides = broadcastStrides(shape, to: outShape), bStrides = broadcastStrides(other.shape, to: outShape)
            let last = outShape.count - 1
            let inner = outShape[last], aInner = aStrides[last], bInner = bStrides[last]
            var index = [Int](repeating: 0, count: last)
            var aOffset = 0, bOffset = 0
            for row in 0..<(total / inner) {
                let o = out + row * inner
                for i in 0..<inner { o[i] = K.apply(a[aOffset + i * aInner], b[bOffset + i * bInner]) }
                var axis = last - 1
                while axis >= 0 {
                    index[axis] += 1
                    aOffset += aStrides[axis]
                    bOffset += bStrides[axis]
                    if index[axis] < outShape[axis] { break }
                    aOffset -= aStrides[axis] * outShape[axis]
                    bOffset -= bStrides[axis] * outShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return result
    }

    /// Applies `K` elementwise. No autograd.
    func mapUnary<K: UnaryKernel>(_ kernel: K.Type) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let a = storage.pointer, out = result.storage.pointer
        parallelRanges(count) { range in for i in range { out[i] = K.apply(a[i]) } }
        return result
    }

    /// Adds `scale * other` to this tensor in place (shapes must match). No autograd.
    public mutating func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(shape == other.shape, "addInPlace: shapes \(shape) and \(other.shape) differ")
        makeUnique()
        let a = storage.pointer, b = other.storage.pointer
        if scale == 1 {
            parallelRanges(count) { range in for i in range { a[i] += b[i] } }
        } else {
            parallelRanges(count) { range in for i in range { a[i] += scale * b[i] } }
        }
    }

    /// Maps every element through `transform`. For preparing data, not for hot loops;
    /// records nothing for autograd.
    public func map(_ transform: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        for i in 0..<count { result.storage.pointer[i] = transform(storage.pointer[i]) }
        return result
    }
}

// MARK: Differentiable arithmetic

extension Tensor {
    /// Elementwise sum, broadcasting the two shapes as PyTorch does.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = lhs.mapBinary(rhs, AddKernel.self, operation: "add")
        return recording(out, inputs: [lhs, rhs]) { g in
            [g.sum(toShape: lhs.shape), g.sum(toShape: rhs.shape)]
        }
    }

    /// Elementwise difference, broadcasting the two shapes as PyTorch does.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = lhs.mapBinary(rhs, SubKernel.self, operation: "subtract")
        return recording(out, inputs: [lhs, rhs]) { g in
            [g.sum(toShape: lhs.shape), (-g).sum(toShape: rhs.shape)]
        }
    }

    /// Elementwise product, broadcasting the two shapes as PyTorch does.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = lhs.mapBinary(rhs, MulKernel.self, operation: "multiply")
        return recording(out, inputs: [lhs, rhs]) { g in
            [
                lhs.node == nil ? nil : (g * rhs).sum(toShape: lhs.shape),
                rhs.node == nil ? nil : (g * lhs).sum(toShape: rhs.shape)
            ]
        }
    }

    /// Elementwise quotient, broadcasting the two shapes as PyTorch does.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let out = lhs.mapBinary(rhs, DivKernel.self, operation: "divide")
        return recording(out, inputs: [lhs, rhs]) { g in
            [
                lhs.node == nil ? nil : (g / rhs).sum(toShape: lhs.shape),
                rhs.node == nil ? nil : (-(g * out) / rhs).sum(toShape: rhs.shape)
            ]
        }
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor {
        let out = x.mapUnary(NegKernel.self)
        return recording(out, inputs: [x]) { g in [-g] }
    }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs + Tensor(rhs) }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs - Tensor(rhs) }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(rhs) }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs / Tensor(rhs) }
    /// Adds every element to a scalar.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    /// Subtracts every element from a scalar.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    /// Multiplies a scalar by every element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    /// Divides a scalar by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

    /// Replaces `lhs` with `lhs + rhs` (a new differentiable result, not an in-place update).
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// Replaces `lhs` with `lhs - rhs` (a new differentiable result, not an in-place update).
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// Replaces `lhs` with `lhs * rhs` (a new differentiable result, not an in-place update).
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// Replaces `lhs` with `lhs / rhs` (a new differentiable result, not an in-place update).
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }

    /// Elementwise power with a constant exponent.
    public func pow(_ exponent: Float) -> Tensor {
        let out = mapBinary(Tensor(exponent), PowKernel.self, operation: "pow")
        return Tensor.recording(out, inputs: [self]) { g in
            [g * exponent * self.mapBinary(Tensor(exponent - 1), PowKernel.self, operation: "pow")]
        }
    }

    /// Elementwise maximum of two tensors, with broadcasting. Ties send the gradient to `self`.
    public func maximum(_ other: Tensor) -> Tensor {
        let out = mapBinary(other, MaxKernel.self, operation: "maximum")
        return Tensor.recording(out, inputs: [self, other]) { g in
            let mask = self.mapBinary(other, GreaterEqualKernel.self, operation: "maximum")
            return [(g * mask).sum(toShape: self.shape), (g * (1 - mask)).sum(toShape: other.shape)]
        }
    }

    /// Elementwise minimum of two tensors, with broadcasting. Ties send the gradient to `self`.
    public func minimum(_ other: Tensor) -> Tensor {
        let out = mapBinary(other, MinKernel.self, operation: "minimum")
        return Tensor.recording(out, inputs: [self, other]) { g in
            let mask = self.mapBinary(other, LessEqualKernel.self, operation: "minimum")
            return [(g * mask).sum(toShape: self.shape), (g * (1 - mask)).sum(toShape: other.shape)]
        }
    }

    /// Limits every element to `low...high`. The gradient passes where the input is inside.
    public func clamped(to range: ClosedRange<Float>) -> Tensor {
        let out = mapBinary(Tensor(range.lowerBound), MaxKernel.self, operation: "clamp")
            .mapBinary(Tensor(range.upperBound), MinKernel.self, operation: "clamp")
        return Tensor.recording(out, inputs: [self]) { g in
            let inside =
                self.mapBinary(Tensor(range.lowerBound), GreaterEqualKernel.self, operation: "clamp")
                * self.mapBinary(Tensor(range.upperBound), LessEqualKernel.self, operation: "clamp")
            return [g * inside]
        }
    }
}

// MARK: Differentiable math functions

extension Tensor {
    /// Elementwise natural exponential, `e^x`.
    public func exp() -> Tensor {
        let out = mapUnary(ExpKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g * out] }
    }

    /// Elementwise natural logarithm; `-inf` at 0 and NaN below it.
    public func log() -> Tensor {
        let out = mapUnary(LogKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g / self] }
    }

    /// Elementwise square root; NaN below 0.
    public func sqrt() -> Tensor {
        let out = mapUnary(SqrtKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g / (2 * out)] }
    }

    /// Elementwise square, `x * x`.
    public func squared() -> Tensor {
        let out = mapUnary(SquareKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g * 2 * self] }
    }

    /// Absolute value; the gradient at 0 is 0, as in PyTorch.
    public func abs() -> Tensor {
        let out = mapUnary(AbsKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g * self.mapUnary(SignKernel.self)] }
    }

    /// Elementwise sign: 1, -1 or 0. Records nothing for autograd (its gradient is 0, as in PyTorch).
    public func sign() -> Tensor { mapUnary(SignKernel.self) }

    /// Elementwise sine, in radians.
    public func sin() -> Tensor {
        let out = mapUnary(SinKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g * self.mapUnary(CosKernel.self)] }
    }

    /// Elementwise cosine, in radians.
    public func cos() -> Tensor {
        let out = mapUnary(CosKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [-(g * self.mapUnary(SinKernel.self))] }
    }

    /// Elementwise hyperbolic tangent, in `(-1, 1)`.
    public func tanh() -> Tensor {
        let out = mapUnary(TanhKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g * (1 - out * out)] }
    }

    /// Elementwise logistic sigmoid, `1 / (1 + e^-x)`, in `(0, 1)`.
    public func sigmoid() -> Tensor {
        let out = mapUnary(SigmoidKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in [g * out * (1 - out)] }
    }

    /// `Swift.max(x, 0)`; the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor {
        let out = mapUnary(ReLUKernel.self)
        return Tensor.recording(out, inputs: [self]) { g in
            // g where the output is positive, in one pass (as g * step(out)).
            let result = Tensor(uninitializedShape: g.shape)
            let gradient = g.storage.pointer, kept = out.storage.pointer, to = result.storage.pointer
            parallelRanges(g.count) { range in for i in range { to[i] = kept[i] > 0 ? gradient[i] : 0 } }
            return [result]
        }
    }

    /// `x` where positive, `slope * x` elsewhere.
    public func leakyRelu(negativeSlope slope: Float = 0.01) -> Tensor {
        let positive = mapUnary(StepKernel.self)
        let factor = positive + (1 - positive) * slope
        let out = mapBinary(factor, MulKernel.self, operation: "leakyRelu")
        return Tensor.recording(out, inputs: [self]) { g in [g * factor] }
    }
}

// MARK: Comparisons (not differentiable)

extension Tensor {
    /// 1 where `self == other`, else 0 (with broadcasting).
    public func equal(_ other: Tensor) -> Tensor { mapBinary(other, EqualKernel.self, operation: "equal") }
    /// 1 where `self > other`, else 0.
    public func greater(_ other: Tensor) -> Tensor { mapBinary(other, GreaterKernel.self, operation: "greater") }
    /// 1 where `self >= other`, else 0.
    public func greaterEqual(_ other: Tensor) -> Tensor {
        mapBinary(other, GreaterEqualKernel.self, operation: "greaterEqual")
    }
    /// 1 where `self < other`, else 0.
    public func less(_ other: Tensor) -> Tensor { mapBinary(other, LessKernel.self, operation: "less") }
    /// 1 where `self <= other`, else 0.
    public func lessEqual(_ other: Tensor) -> Tensor { mapBinary(other, LessEqualKernel.self, operation: "lessEqual") }

    /// Whether both have the same shape and `|a - b| <= atol + rtol * |b|` everywhere, as
    /// `torch.allclose`. NaNs are never close.
    public func allClose(_ other: Tensor, rtol: Float = 1e-5, atol: Float = 1e-8) -> Bool {
        guard shape == other.shape else { return false }
        let a = storage.pointer, b = other.storage.pointer
        for i in 0..<count {
            let difference = Swift.abs(a[i] - b[i])
            if !(difference <= atol + rtol * Swift.abs(b[i])) {
                if a[i] == b[i] { continue }  // equal infinities
                return false
            }
        }
        return true
    }

    /// Whether every element is finite (no NaN or infinity).
    public var isFinite: Bool {
        withUnsafeBufferPointer { $0.allSatisfy { $0.isFinite } }
    }
}
