/// NumPy/PyTorch broadcasting: shapes are aligned at their last dimension; each pair of
/// extents must be equal or one of them 1.
package func broadcastShape(_ a: [Int], _ b: [Int], operation: String) -> [Int] {
    let rank = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
        let x = axis - (rank - a.count) >= 0 ? a[axis - (rank - a.count)] : 1
        let y = axis - (rank - b.count) >= 0 ? b[axis - (rank - b.count)] : 1
        precondition(
            x == y || x == 1 || y == 1,
            "\(operation): shapes \(a) and \(b) cannot be broadcast together (dimension \(axis): \(x) vs \(y))")
        result[axis] = x == 1 ? y : x
    }
    return result
}

/// Strides (in elements) that read a tensor of `shape` as if it had `target`'s shape:
/// broadcast dimensions get stride 0.
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let natural = Tensor.strides(for: shape)
    let offset = target.count - shape.count
    return (0..<target.count).map { axis in
        let source = axis - offset
        return source < 0 || shape[source] == 1 ? 0 : natural[source]
    }
}

extension Tensor {
    /// Sums this tensor down to `target`, undoing a broadcast (used by the backward of
    /// broadcasting operations). Shape: `target`.
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        precondition(offset >= 0, "sum(toShape:): cannot reduce shape \(shape) to the larger rank of \(target)")
        var axes = Array(0..<offset)
        for axis in 0..<target.count where target[axis] == 1 && shape[axis + offset] != 1 {
            axes.append(axis + offset)
        }
        var reduced = axes.isEmpty ? self : sum(axes: axes, keepDims: true)
        reduced = reduced.reshaped(target)
        return reduced
    }
}
