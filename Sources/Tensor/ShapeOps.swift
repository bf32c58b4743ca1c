extension Tensor {
    /// The same values in a new shape with the same element count; one extent may be `-1`.
    /// Shares storage with `self`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(
                known > 0 && count % known == 0, "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[inferred] = count / known
        }
        precondition(
            Tensor.elementCount(resolved) == count,
            "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if resolved == shape { return self }
        let inputShape = shape
        return Tensor.recording(viewing(as: resolved), inputs: [self]) { g in [g.reshaped(inputShape)] }
    }

    /// Collapses the axes from `startAxis` on into one, as `torch.flatten(x, start_dim)`.
    /// Shape: `[shape[0], ..., shape[startAxis - 1], product of the rest]`.
    public func flattened(from startAxis: Int = 0) -> Tensor {
        let start = normalizedAxis(startAxis, operation: "flatten")
        return reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// Inserts an axis of extent 1 at `axis`.
    public func unsqueezed(_ axis: Int) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        precondition(position >= 0 && position <= rank, "unsqueeze: axis \(axis) is out of range for shape \(shape)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(newShape)
    }

    /// Removes the axis `axis`, which must have extent 1.
    public func squeezed(_ axis: Int) -> Tensor {
        let position = normalizedAxis(axis, operation: "squeeze")
        precondition(
            shape[position] == 1, "squeeze: axis \(axis) of shape \(shape) has extent \(shape[position]), expected 1")
        var newShape = shape
        newShape.remove(at: position)
        return reshaped(newShape)
    }

    /// Repeats extent-1 axes (and prepends axes) to reach `target` by broadcasting. Its
    /// gradient sums back. Shape: `target`.
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        _ = broadcastShape(shape, target, operation: "expand")
        let out = Tensor.zeros(target).mapBinary(self, AddKernel.self, operation: "expand")
        precondition(out.shape == target, "expand: cannot expand \(shape) to \(target)")
        let inputShape = shape
        return Tensor.recording(out, inputs: [self]) { g in [g.sum(toShape: inputShape)] }
    }

    /// Reorders the axes: axis `i` of the result is axis `order[i]` of `self`, as
    /// `torch.permute`. Returns a contiguous copy.
    public func permuted(_ order: [Int]) -> Tensor {
        let order = order.map { normalizedAxis($0, operation: "permute") }
        precondition(
            order.count == rank && Set(order).count == rank,
            "permute: \(order) is not a permutation of the axes of shape \(shape)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let sourceStrides = Tensor.strides(for: shape)
        let readStrides = order.map { sourceStrides[$0] }
        let result = Tensor(uninitializedShape: outShape)
        let source = storage.pointer, out = result.storage.pointer
        if count > 0 {
            let last = rank - 1
            let inner = outShape[last], innerStride = readStrides[last]
            var index = [Int](repeating: 0, count: last)
            var offset = 0
            for row in 0..<(count / inner) {
                let o = out + row * inner
                for i in 0..<inner { o[i] = source[offset + i * innerStride] }
                var axis = last - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += readStrides[axis]
                    if index[axis] < outShape[axis] { break }
                    offset -= readStrides[axis] * outShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        return Tensor.recording(result, inputs: [self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two axes (the last two by default). Returns a contiguous copy.
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(axis0, operation: "transpose"), normalizedAxis(axis1, operation: "transpose"))
        return permuted(order)
    }

    /// The elements at positions `range` along `axis`, as a contiguous copy.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizedAxis(axis, operation: "slice")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis],
            "slice: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = range.count
        let result = Tensor(uninitializedShape: outShape)
        let block = range.count * inner
        for o in 0..<outer {
            (result.storage.pointer + o * block).update(
                from: storage.pointer + (o * shape[axis] + range.lowerBound) * inner, count: block)
        }
        let inputShape = shape
        return Tensor.recording(result, inputs: [self]) { g in
            [g.padded(axis: axis, before: range.lowerBound, after: inputShape[axis] - range.upperBound)]
        }
    }

    /// The sub-tensor at `index` of the first axis. Shape: `shape.dropFirst()`.
    public subscript(index: Int) -> Tensor {
        precondition(
            rank >= 1 && index >= 0 && index < shape[0], "Tensor[\(index)]: index out of range for shape \(shape)")
        return slice(axis: 0, index..<(index + 1)).reshaped(Array(shape.dropFirst()))
    }

    /// Zero-pads (or pads with `value`) along one axis.
    public func padded(axis: Int, before: Int, after: Int, value: Float = 0) -> Tensor {
        var padding = [(Int, Int)](repeating: (0, 0), count: rank)
        padding[normalizedAxis(axis, operation: "pad")] = (before, after)
        return padded(padding, value: value)
    }

    /// Pads every axis with `(before, after)` elements of `value`. Shape: each extent grows by
    /// `before + after`.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(
            padding.count == rank,
            "pad: expected \(rank) (before, after) pairs for shape \(shape), got \(padding.count)")
        precondition(padding.allSatisfy { $0.before >= 0 && $0.after >= 0 }, "pad: negative padding \(padding)")
        let outShape = zip(shape, padding).map { $0 + $1.before + $1.after }
        let result = Tensor(repeating: value, shape: outShape)
        if count > 0 {
            let outStrides = Tensor.strides(for: outShape)
            let base = zip(padding, outStrides).reduce(0) { $0 + $1.0.before * $1.1 }
            copyBlock(into: result.storage.pointer + base, outStrides: outStrides, axis: 0, sourceOffset: 0)
        }
        return Tensor.recording(result, inputs: [self]) { g in
            var cropped = g
            for (axis, pad) in padding.enumerated() where pad.before > 0 || pad.after > 0 {
                cropped = cropped.slice(axis: axis, pad.before..<(pad.before + self.shape[axis]))
            }
            return [cropped]
        }
    }

    private func copyBlock(
        into destination: UnsafeMutablePointer<Float>, outStrides: [Int], axis: Int, sourceOffset: Int
    ) {
        let sourceStride = Tensor.strides(for: shape)[axis]
        if axis == rank - 1 {
            destination.update(from: storage.pointer + sourceOffset, count: shape[axis])
            return
        }
        for i in 0..<shape[axis] {
            copyBlock(
                into: destination + i * outStrides[axis], outStrides: outStrides, axis: axis + 1,
                sourceOffset: sourceOffset + i * sourceStride)
        }
    }

    /// Joins tensors along an existing axis; all other extents must match.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors given")
        let first = tensors[0]
        let axis = first.normalizedAxis(axis, operation: "concatenate")
        for t in tensors {
            precondition(
                t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[(axis + 1)...].reduce(1, *)
        var outShape = first.shape
        outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let result = Tensor(uninitializedShape: outShape)
        let outRow = outShape[axis] * inner
        var start = 0
        for t in tensors {
            let block = t.shape[axis] * inner
            for o in 0..<outer {
                (result.storage.pointer + o * outRow + start).update(from: t.storage.pointer + o * block, count: block)
            }
            start += block
        }
        let extents = tensors.map { $0.shape[axis] }
        return recording(result, inputs: tensors) { g in
            var offset = 0
            return extents.map { extent in
                defer { offset += extent }
                return g.slice(axis: axis, offset..<(offset + extent))
            }
        }
    }

    /// Stacks tensors of one shape along a new axis. Shape: `shape` with `tensors.count`
    /// inserted at `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors given")
        for t in tensors {
            precondition(t.shape == tensors[0].shape, "stack: shapes \(tensors[0].shape) and \(t.shape) differ")
        }
        return concatenate(tensors.map { $0.unsqueezed(axis) }, axis: axis)
    }
}
