extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// PyTorch-style printing: `tensor([[1.0000, 2.0000], ...])`, abbreviated with `...`
    /// beyond 1000 elements (three items at each end of every axis).
    public var description: String {
        let values = scalars
        let abbreviate = count > 1000
        let allIntegral = values.allSatisfy { $0.rounded() == $0 && Swift.abs($0) < 1e8 }
        func format(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            if allIntegral { return "\(Int(v))." }
            var text = String(Int((Swift.abs(v) * 10_000).rounded()))
            while text.count < 5 { text = "0" + text }
            let integral = text.dropLast(4), fraction = text.suffix(4)
            return (v < 0 ? "-" : "") + integral + "." + fraction
        }
        var width = 0
        for v in values { width = Swift.max(width, format(v).count) }
        let strides = Tensor.strides(for: shape)
        func render(_ axis: Int, _ offset: Int, _ indent: Int) -> String {
            if axis == rank {
                return String(repeating: " ", count: width - format(values[offset]).count) + format(values[offset])
            }
            let n = shape[axis]
            var indices = Array(0..<n)
            var skip = false
            if abbreviate && n > 6 {
                indices = [0, 1, 2, n - 3, n - 2, n - 1]
                skip = true
            }
            var parts = indices.map { render(axis + 1, offset + $0 * strides[axis], indent + 1) }
            if skip { parts.insert("...", at: 3) }
            let separator =
                axis == rank - 1
                ? ", "
                : "," + String(repeating: "\n", count: rank - axis - 1) + String(repeating: " ", count: indent + 1)
            return "[" + parts.joined(separator: separator) + "]"
        }
        let body = rank == 0 ? format(values[0]) : render(0, 0, 7)
        return "tensor(" + body + (node != nil ? ", requires_grad=True" : "") + ")"
    }

    public var debugDescription: String { "Tensor(shape: \(shape)) " + description }
}
