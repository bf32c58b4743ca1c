#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps freed large tensor buffers for reuse, keyed by their size in bytes.
///
/// A training step allocates the same tensors (activations, gradients, patch matrices) in the
/// same sizes every step. Returning those buffers to the system and asking for them again
/// costs a page fault and a cleared page per 4 KiB touched, which was a third of the time of
/// a small network's step. With this cache the steady state of a step reuses the buffers of
/// the step before and the kernel is not involved.
///
/// Only buffers of at least ``minimumBytes`` are cached (the system allocator serves small
/// ones well); at most ``capacityBytes`` are kept, beyond which a freed buffer goes back to
/// the system. Thread safe.
///
/// The cache is one per process. It grows as it meets new sizes (a server meets a new set
/// with every photo size it is sent) and never holds more than ``capacityBytes`` idle; a
/// long-running process that wants a smaller bound sets it once at start:
///
/// ```swift
/// BufferCache.capacityBytes = 256 << 20  // keep at most 256 MiB of idle tensor buffers
/// ```
public enum BufferCache {
    /// Buffers smaller than this go straight to the system allocator.
    public static let minimumBytes = 64 * 1024

    /// The most bytes of idle buffers the cache keeps. Defaults to 1 GiB; 0 turns caching off.
    /// Lowering it frees the idle buffers beyond the new bound at once. Must not be negative.
    public static var capacityBytes: Int {
        get { state.withLock { $0.capacity } }
        set {
            precondition(newValue >= 0, "BufferCache.capacityBytes: expected a non-negative size, got \(newValue)")
            let evicted = state.withLock { state -> [UnsafeMutableRawPointer] in
                state.capacity = newValue
                return state.evict(downTo: newValue)
            }
            for pointer in evicted { pointer.deallocate() }
        }
    }

    /// Bytes currently held idle by the cache (buffers in use are not counted).
    public static var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Returns every idle buffer to the system (for example after training, before a
    /// long phase that needs other sizes).
    public static func releaseAll() {
        let evicted = state.withLock { $0.evict(downTo: 0) }
        for pointer in evicted { pointer.deallocate() }
    }

    /// A 64-byte aligned buffer of at least `byteCount` bytes; uninitialized.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(byteCount)
        if size >= minimumBytes, let pointer = state.withLock({ $0.take(size) }) {
            return pointer
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Gives back a buffer from ``allocate(byteCount:)`` of the same `byteCount`.
    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = roundedSize(byteCount)
        guard size >= minimumBytes else { return pointer.deallocate() }
        let (cached, evicted) = state.withLock { $0.put(pointer, size) }
        for old in evicted { old.deallocate() }
        if !cached { pointer.deallocate() }
    }

    /// Large buffers come in size classes, eight per doubling (64, 72, 80, ... 120, 128, 144
    /// KiB and so on, whole 4 KiB pages), so that tensors of similar sizes share buffers: a
    /// training step's sizes repeat exactly, but the face detector's differ with every photo
    /// (each pyramid level, each stage's batch), and exact sizes would never be reused there,
    /// costing a page fault and a cleared page per 4 KiB of every new buffer. A buffer is at
    /// most 12.5 % larger than asked for.
    @inline(__always)
    static func roundedSize(_ byteCount: Int) -> Int {
        let bytes = Swift.max(byteCount, MemoryLayout<Float>.stride)
        guard bytes >= minimumBytes else { return bytes }
        let step = (1 << (Int.bitWidth - 1 - bytes.leadingZeroBitCount)) / 8
        return (bytes + step - 1) / step * step
    }

    private struct State {
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var cachedBytes = 0
        var capacity = 1 << 30

        mutating func take(_ size: Int) -> UnsafeMutableRawPointer? {
            guard let pointer = free[size]?.popLast() else { return nil }
            cachedBytes -= size
            return pointer
        }

        /// Caches `pointer`, making room by evicting others (largest first), which the
        /// caller frees outside the lock. Not cached when even an empty cache is too small.
        mutating func put(
            _ pointer: UnsafeMutableRawPointer, _ size: Int
        ) -> (cached: Bool, evicted: [UnsafeMutableRawPointer]) {
            if size > capacity { return (false, []) }
            let evicted = cachedBytes + size > capacity ? evict(downTo: capacity - size) : []
            free[size, default: []].append(pointer)
            cachedBytes += size
            return (true, evicted)
        }

        mutating func evict(downTo limit: Int) -> [UnsafeMutableRawPointer] {
            var result: [UnsafeMutableRawPointer] = []
            for size in free.keys.sorted(by: >) where cachedBytes > limit {
                while cachedBytes > limit, let pointer = free[size]?.popLast() {
                    cachedBytes -= size
                    result.append(pointer)
                }
                if free[size]?.isEmpty == true { free[size] = nil }
            }
            return result
        }
    }

    private static let state = Locked(State())
}

/// Calls `body` with an uninitialized buffer of `count` floats (64-byte aligned) that goes
/// back to ``BufferCache`` when `body` returns: scratch space for kernels (patch matrices,
/// partial products) that costs no page faults in the steady state.
package func withScratchBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    let bytes = Swift.max(count, 1) * MemoryLayout<Float>.stride
    let raw = BufferCache.allocate(byteCount: bytes)
    defer { BufferCache.deallocate(raw, byteCount: bytes) }
    return try body(raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1)))
}
