/// An n-dimensional array of `Float32` values with value semantics and reverse-mode autograd.
///
/// Storage is one contiguous row-major buffer, shared between copies until one of them is
/// written to (copy on write). Layouts follow PyTorch: images `[N, C, H, W]`, convolution
/// weights `[out, in, kH, kW]`, linear weights `[out, in]`.
///
/// ```swift
/// var x = Tensor([[1, 2], [3, 4]])
/// x.requiresGrad = true
/// let loss = (x * x).sum()
/// loss.backward()
/// print(x.grad!)   // tensor([[2., 4.], [6., 8.]])
/// ```
public struct Tensor {
    /// The extent of each dimension, outermost first. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    @usableFromInline internal var storage: TensorStorage
    /// The autograd node this tensor is the output of (or the leaf node of a tensor that
    /// requires gradients). `nil` for tensors that take no part in differentiation.
    internal var node: GradNode?

    // MARK: Creation

    /// Wraps `storage` as a tensor of `shape`. The storage must hold exactly as many elements.
    package init(shape: [Int], storage: TensorStorage) {
        let count = Tensor.elementCount(shape)
        precondition(
            storage.count == count,
            "Tensor(shape:storage:): shape \(shape) needs \(count) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// A tensor of `shape` whose elements are left uninitialized; fill it before reading it.
    public init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(shape)))
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: Tensor.elementCount(shape), repeating: value))
    }

    /// A tensor of `shape` holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        precondition(
            values.count == Tensor.elementCount(shape),
            "Tensor(shape:values:): shape \(shape) needs \(Tensor.elementCount(shape)) values, got \(values.count)")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: $0.count) }
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) {
        self.init(repeating: value, shape: [])
    }

    /// A vector. Shape: `[values.count]`.
    public init(_ values: [Float]) {
        self.init(shape: [values.count], values: values)
    }

    /// A matrix from rows of equal length. Shape: `[rows.count, rows[0].count]`.
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(
            rows.allSatisfy { $0.count == columns },
            "Tensor([[Float]]): rows have different lengths \(rows.map(\.count))")
        self.init(shape: [rows.count, columns], values: rows.flatMap { $0 })
    }

    /// A rank-3 tensor from nested arrays of equal lengths. Shape: `[a, b, c]`.
    public init(_ planes: [[[Float]]]) {
        let rows = planes.first?.count ?? 0
        let columns = planes.first?.first?.count ?? 0
        precondition(
            planes.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == columns } },
            "Tensor([[[Float]]]): nested arrays have different lengths")
        self.init(shape: [planes.count, rows, columns], values: planes.flatMap { $0.flatMap { $0 } })
    }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
    /// Every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }
    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    /// Ones with the shape of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `start, start + step, ...` up to but excluding `end`, as `torch.arange`. Shape: `[n]`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "Tensor.arange: step must not be zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        var result = Tensor(uninitializedShape: [n])
        result.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<n { buffer[i] = start + Float(i) * step }
        }
        return result
    }

    /// `count` evenly spaced values from `start` to `end` inclusive. Shape: `[count]`.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        precondition(count >= 1, "Tensor.linspace: count must be at least 1, got \(count)")
        let step = count == 1 ? 0 : (end - start) / Float(count - 1)
        return Tensor(shape: [count], values: (0..<count).map { start + Float($0) * step })
    }

    // MARK: Shape

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The total number of elements.
    public var count: Int { storage.count }
    /// Whether this is a rank-0 tensor.
    public var isScalar: Bool { shape.isEmpty }

    /// The product of `shape`'s extents (1 for a scalar).
    public static func elementCount(_ shape: [Int]) -> Int {
        var product = 1
        for extent in shape {
            precondition(extent >= 0, "Tensor: negative dimension in shape \(shape)")
            product *= extent
        }
        return product
    }

    /// Row-major strides in elements for `shape`.
    public static func strides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Resolves a possibly negative axis (`-1` is the last) and checks it is in range.
    public func normalizedAxis(_ axis: Int, operation: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(
            resolved >= 0 && resolved < Swift.max(rank, 1),
            "\(operation): axis \(axis) is out of range for shape \(shape)")
        return resolved
    }

    // MARK: Element access

    /// The values in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item: expected one element, shape is \(shape)")
        return storage.pointer[0]
    }

    /// The element at a full multi-index.
    public subscript(index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            let offset = flatIndex(index)
            makeUnique()
            storage.pointer[offset] = newValue
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(
            index.count == rank, "Tensor subscript: expected \(rank) indices for shape \(shape), got \(index.count)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            precondition(
                i >= 0 && i < shape[axis], "Tensor subscript: index \(index) is out of range for shape \(shape)")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// Calls `body` with read access to the row-major values.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Calls `body` with write access to the values, copying the storage first if it is
    /// shared. Writing does not record anything for autograd.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// The first value, for kernels inside this package. Valid only while this tensor (or a
    /// copy sharing its storage) is alive and unmodified; keep it alive with
    /// `withExtendedLifetime` when its last use is the pointer.
    package var unsafeBaseAddress: UnsafePointer<Float> { UnsafePointer(storage.pointer) }

    /// Makes the storage unique (copying it if shared) and returns its first value, for
    /// kernels inside this package that fill a tensor they just created. Same lifetime rules
    /// as ``unsafeBaseAddress``.
    package mutating func unsafeMutableBaseAddress() -> UnsafeMutablePointer<Float> {
        makeUnique()
        return storage.pointer
    }

    /// Whether this tensor and `other` read the same storage: one is a copy of the other and
    /// neither has been written since (writing to shared storage copies it first). Caches of
    /// values derived from a tensor use it as their "unchanged" test.
    package func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    @inlinable
    internal mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// The same values with a new shape of the same element count; shares storage.
    /// One extent may be `-1`, inferred from the others.
    internal func viewing(as newShape: [Int]) -> Tensor {
        var result = self
        result.shape = newShape
        result.node = nil
        return result
    }
}

extension Tensor: @unchecked Sendable {}

extension Tensor: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public init(floatLiteral value: Float) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Float(value)) }
}
