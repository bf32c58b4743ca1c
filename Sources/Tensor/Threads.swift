import CBLAS
import Dispatch

/// How many cores the numeric kernels use.
///
/// Matrix products run on OpenBLAS threads; the loops BLAS does not cover (im2col, pooling,
/// elementwise work on large tensors) are split over the same number of workers with
/// `DispatchQueue.concurrentPerform`. A loop that is already parallel calls BLAS with one
/// thread, so the two never oversubscribe the cores.
public enum ComputeThreads {
    nonisolated(unsafe) private static var _count = 0

    /// The number of worker threads. Defaults to the number of active processors.
    public static var count: Int {
        if _count == 0 { _count = Swift.max(1, Int(openblas_get_num_threads())) }
        return _count
    }

    /// Sets the number of worker threads for BLAS and for the library's own loops.
    /// Call it once at start-up, before any work runs.
    public static func set(_ threads: Int) {
        precondition(threads >= 1, "ComputeThreads.set: expected at least 1 thread, got \(threads)")
        _count = threads
        openblas_set_num_threads(Int32(threads))
    }

    /// Runs `body` with OpenBLAS on one thread, for matrix products made from inside a
    /// parallel loop (each worker then runs its own products), and restores ``count``
    /// threads afterwards. Call it from one thread at a time.
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        let threads = count
        guard threads > 1 else { return try body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(threads)) }
        return try body()
    }

    /// The name of the CPU kernel OpenBLAS chose (for example `SkylakeX` or `Haswell`).
    public static var blasCoreName: String {
        String(cString: openblas_get_corename())
    }
}

/// Runs `body(chunk)` for `chunk` in `0..<chunks`, spread over ``ComputeThreads/count``
/// workers. Runs inline when there is one chunk or one thread.
@inlinable
public func parallelFor(_ chunks: Int, _ body: (Int) -> Void) {
    if chunks <= 1 || ComputeThreads.count == 1 {
        for chunk in 0..<chunks { body(chunk) }
    } else {
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { box.value($0) }
        }
    }
}

/// Splits `0..<count` into at most ``ComputeThreads/count`` contiguous ranges and runs them in
/// parallel. Small counts (below `minimumPerThread` elements a worker) run inline.
@inlinable
public func parallelRanges(_ count: Int, minimumPerThread: Int = 32_768, _ body: (Range<Int>) -> Void) {
    let workers = Swift.min(ComputeThreads.count, Swift.max(1, count / Swift.max(1, minimumPerThread)))
    if workers <= 1 {
        body(0..<count)
        return
    }
    let step = (count + workers - 1) / workers
    parallelFor(workers) { worker in
        let start = worker * step
        let end = Swift.min(count, start + step)
        if start < end { body(start..<end) }
    }
}

/// Carries a value across threads where the caller guarantees the accesses do not race
/// (each worker writes its own disjoint part of a buffer).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
