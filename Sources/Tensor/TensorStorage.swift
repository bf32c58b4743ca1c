/// One contiguous, 64-byte-aligned buffer of `Float32` values.
///
/// `Tensor` owns its storage through this class and copies it on write, so tensors behave
/// as values. The buffer is never resized. Large buffers come from and go back to
/// ``BufferCache``, so the tensors of a training step reuse the previous step's memory.
@usableFromInline package final class TensorStorage: @unchecked Sendable {
    /// Number of `Float` elements in the buffer.
    @usableFromInline package let count: Int
    /// The first element. Valid for `count` elements for the lifetime of the storage.
    @usableFromInline package let pointer: UnsafeMutablePointer<Float>

    /// Allocates uninitialized storage for `count` elements.
    package init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        let raw = BufferCache.allocate(byteCount: count * MemoryLayout<Float>.stride)
        self.pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    /// Allocates storage for `count` elements, all set to `value`.
    package convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A new storage holding the same values.
    @usableFromInline package func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.initialize(from: pointer, count: count)
        return result
    }

    deinit {
        BufferCache.deallocate(UnsafeMutableRawPointer(pointer), byteCount: count * MemoryLayout<Float>.stride)
    }
}
