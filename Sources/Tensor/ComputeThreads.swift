import CBLAS
import CKernels
import Synchronization

/// How many cores the numeric kernels use.
///
/// OpenBLAS always runs on the calling thread: its own worker threads spin while they wait
/// for work, and beside this library's workers they would take the cores from them. Large
/// matrix products are instead split by ``sgemm(transposeA:transposeB:m:n:k:alpha:a:b:beta:c:)``
/// into column or row blocks, one per worker, and the loops BLAS does not cover (im2col,
/// pooling, elementwise work on large tensors) are split over the same workers by
/// ``parallelFor(_:_:)``.
///
/// Safe to read and set from any thread: the count is an atomic, read once per loop.
public enum ComputeThreads {
    /// The count, 0 until first read or set.
    private static let chosenCount = Atomic<Int>(0)

    /// The number of worker threads. Defaults to the number of active processors (or
    /// `OPENBLAS_NUM_THREADS` when set).
    public static var count: Int {
        let chosen = chosenCount.load(ordering: .relaxed)
        if chosen > 0 { return chosen }
        let processors = Swift.max(1, Int(openblas_get_num_threads()))
        openblas_set_num_threads(1)
        // A concurrent `set` or first read wins; every caller then sees the same count.
        let (exchanged, original) = chosenCount.compareExchange(expected: 0, desired: processors, ordering: .relaxed)
        return exchanged ? processors : original
    }

    /// The most worker threads ``set(_:)`` accepts. More threads than cores only slow the
    /// kernels down (each helper spins between loops); the bound keeps a mistyped count
    /// (`--threads 100000`) from starting thousands of threads with their stacks.
    public static let maximumCount = 256

    /// Sets the number of worker threads (`1...maximumCount`). Call it at start-up, before
    /// any work runs: a loop already running keeps the count it started with.
    public static func set(_ threads: Int) {
        precondition(
            (1...maximumCount).contains(threads),
            "ComputeThreads.set: expected 1...\(maximumCount) threads, got \(threads)")
        openblas_set_num_threads(1)
        chosenCount.store(threads, ordering: .relaxed)
    }

    /// Runs `body`. Matrix products inside a chunk of a parallel loop now always run whole on
    /// the thread that runs the chunk (a per-thread mark, not a process-wide flag), so this
    /// wrapper is no longer needed.
    @available(*, deprecated, message: "products inside parallelFor already run on one thread; call the body directly")
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        try body()
    }

    /// The name of the CPU kernel OpenBLAS chose (for example `SkylakeX` or `Haswell`).
    public static var blasCoreName: String {
        String(cString: openblas_get_corename())
    }
}

/// Runs `body(chunk)` for `chunk` in `0..<chunks`, spread over ``ComputeThreads/count``
/// workers (the worker pool's helper threads and the caller). Runs inline when there is one chunk or
/// one thread, or when the pool is already running a loop (nested or concurrent calls).
@inlinable
public func parallelFor(_ chunks: Int, _ body: (Int) -> Void) {
    let threads = ComputeThreads.count
    if chunks <= 1 || threads == 1 || !WorkerPool.shared.run(chunks, helpers: Swift.min(chunks, threads) - 1, body) {
        runChunksInline(chunks, body)
    }
}

/// Runs the chunks on the calling thread, marked as chunks of a loop as the pool marks them:
/// their matrix products run whole, so a loop gives the same numbers on the pool or inline.
@usableFromInline
func runChunksInline(_ chunks: Int, _ body: (Int) -> Void) {
    fk_add_parallel_chunk_depth(1)
    defer { fk_add_parallel_chunk_depth(-1) }
    for chunk in 0..<chunks { body(chunk) }
}

/// Whether the calling thread is running a chunk of a ``parallelFor(_:_:)`` loop.
var isInsideParallelChunk: Bool { fk_parallel_chunk_depth() > 0 }

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
