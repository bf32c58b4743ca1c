extension Tensor {
    /// Sorted, de-duplicated, non-negative axes; all axes when `axes` is `nil`.
    func resolvedAxes(_ axes: [Int]?, operation: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        return Array(Set(axes.map { normalizedAxis($0, operation: operation) })).sorted()
    }

    /// The shape after reducing `axes` (kept as 1 with `keepDims`).
    func reducedShape(_ axes: [Int], keepDims: Bool) -> [Int] {
        keepDims
            ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Reduces one axis as a `[outer, n, inner]` view, keeping it with extent 1.
    private func reduceAxis(_ axis: Int, initial: Float, combine: (Float, Float) -> Float) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = 1
        let result = Tensor(repeating: initial, shape: outShape)
        let source = storage.pointer, out = result.storage.pointer
        for o in 0..<outer {
            let destination = out + o * inner
            for k in 0..<n {
                let row = source + (o * n + k) * inner
                for i in 0..<inner { destination[i] = combine(destination[i], row[i]) }
            }
        }
        return result
    }

    private func reduce(_ axes: [Int], keepDims: Bool, initial: Float, combine: (Float, Float) -> Float) -> Tensor {
        var result = self.detached()
        if axes.count == rank && rank > 0 {
            var accumulator = initial
            let source = storage.pointer
            for i in 0..<count { accumulator = combine(accumulator, source[i]) }
            result = Tensor(repeating: accumulator, shape: [Int](repeating: 1, count: rank))
        } else {
            for axis in axes { result = result.reduceAxis(axis, initial: initial, combine: combine) }
        }
        return result.viewing(as: reducedShape(axes, keepDims: keepDims))
    }

    /// Sum over `axes` (all when `nil`). Shape: `shape` without `axes`, or with them as 1
    /// when `keepDims`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = resolvedAxes(axes, operation: "sum")
        let out: Tensor
        if axes.count == rank {
            let total = withUnsafeBufferPointer { buffer -> Double in
                var sum: Double = 0
                for value in buffer { sum += Double(value) }
                return sum
            }
            out = Tensor(repeating: Float(total), shape: reducedShape(axes, keepDims: keepDims))
        } else {
            out = reduce(axes, keepDims: keepDims, initial: 0, combine: +)
        }
        let inputShape = shape, keptShape = reducedShape(axes, keepDims: true)
        return Tensor.recording(out, inputs: [self]) { g in
            [g.reshaped(keptShape).expanded(to: inputShape)]
        }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = resolvedAxes(axes, operation: "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) / Float(Swift.max(n, 1))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Variance over `axes` (all when `nil`); `unbiased` divides by `n - 1` as PyTorch's
    /// default `torch.var` does, otherwise by `n`.
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, unbiased: Bool = true) -> Tensor {
        let axes = resolvedAxes(axes, operation: "variance")
        let n = axes.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: axes, keepDims: true)
        return centered.squared().sum(axes: axes, keepDims: keepDims) / Float(Swift.max(unbiased ? n - 1 : n, 1))
    }

    /// Maximum over `axes` (all when `nil`). The gradient goes to the maximal elements (split
    /// evenly between ties, as PyTorch's `amax`).
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(axes, keepDims: keepDims, initial: -.infinity, combine: { Swift.max($0, $1) }, operation: "max")
    }

    /// Minimum over `axes` (all when `nil`), with the gradient as for ``max(axes:keepDims:)``.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(axes, keepDims: keepDims, initial: .infinity, combine: { Swift.min($0, $1) }, operation: "min")
    }

    private func extremum(
        _ axes: [Int]?, keepDims: Bool, initial: Float, combine: (Float, Float) -> Float, operation: String
    ) -> Tensor {
        let axes = resolvedAxes(axes, operation: operation)
        precondition(count > 0, "\(operation): cannot reduce an empty tensor of shape \(shape)")
        let kept = reduce(axes, keepDims: true, initial: initial, combine: combine)
        let out = kept.viewing(as: reducedShape(axes, keepDims: keepDims))
        return Tensor.recording(out, inputs: [self]) { g in
            let mask = self.equal(kept)
            let ties = mask.sum(axes: axes, keepDims: true)
            return [mask * (g.reshaped(kept.shape) / ties)]
        }
    }

    /// Index of the largest element along `axis` (the first one on ties), as a float tensor.
    /// Shape: `shape` without `axis` (or with it as 1 when `keepDims`).
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis, operation: "argmax")
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        precondition(n > 0, "argmax: axis \(axis) of shape \(shape) is empty")
        let result = Tensor(uninitializedShape: reducedShape([axis], keepDims: keepDims))
        let source = storage.pointer, out = result.storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var best = source[o * n * inner + i], bestIndex = 0
                for k in 1..<n where source[(o * n + k) * inner + i] > best {
                    best = source[(o * n + k) * inner + i]
                    bestIndex = k
                }
                out[o * inner + i] = Float(bestIndex)
            }
        }
        return result
    }

    /// Index of the largest element of the flattened tensor.
    public func argmax() -> Int {
        precondition(count > 0, "argmax: the tensor is empty")
        return withUnsafeBufferPointer { buffer in
            buffer.indices.max { buffer[$0] < buffer[$1] || (buffer[$0] == buffer[$1] && $0 > $1) }!
        }
    }
}
