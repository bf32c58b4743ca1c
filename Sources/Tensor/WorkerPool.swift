import CKernels
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The threads behind ``parallelFor(_:_:)``: `ComputeThreads.count - 1` helpers that run
/// chunks of a loop beside the calling thread.
///
/// A training step crosses a few hundred parallel loops, many of them well under a millisecond.
/// Waking a sleeping thread costs 60-100 µs on a virtual machine (`DispatchQueue.concurrentPerform`
/// measured 107 µs for two 50 µs halves, slower than one thread doing both), so between loops
/// the helpers spin for a while (with `pause`, then yielding the core to other runnable threads)
/// and only then sleep on a condition variable.
///
/// One loop runs at a time: a loop started from inside another one (or from a second thread
/// while one runs) runs inline on its caller.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    /// One loop: runs of consecutive chunks claimed in turn by the caller and the helpers.
    private final class Loop: @unchecked Sendable {
        let body: UnsafePointer<(Int) -> Void>
        let chunks: Int
        let chunksPerClaim: Int
        let helpersWanted: Int
        let nextChunk = Atomic<Int>(0)
        let finishedChunks = Atomic<Int>(0)
        let helpersJoined = Atomic<Int>(0)

        init(body: UnsafePointer<(Int) -> Void>, chunks: Int, helpersWanted: Int) {
            self.body = body
            self.chunks = chunks
            self.helpersWanted = helpersWanted
            // About 8 claims per thread: few atomic operations on a shared cache line, and
            // neighbouring chunks (neighbouring memory) stay on one core; a thread held up
            // by the host still leaves the others enough claims to balance the loop.
            chunksPerClaim = Swift.max(1, chunks / ((helpersWanted + 1) * 8))
        }

        /// Claims and runs chunks until none is left.
        func runChunks() {
            fk_add_parallel_chunk_depth(1)
            let finished = runClaims()
            fk_add_parallel_chunk_depth(-1)
            // Published only after `runClaims` dropped its reference to the body: the caller
            // returns (and the body's captures end) as soon as every chunk is counted.
            if finished > 0 { finishedChunks.add(finished, ordering: .releasing) }
        }

        @inline(never) private func runClaims() -> Int {
            var start = nextChunk.add(chunksPerClaim, ordering: .relaxed).oldValue
            guard start < chunks else { return 0 }
            let body = self.body.pointee  // one reference for all the chunks this thread runs
            var finished = 0
            while start < chunks {
                let end = Swift.min(chunks, start + chunksPerClaim)
                for chunk in start..<end { body(chunk) }
                finished += end - start
                start = nextChunk.add(chunksPerClaim, ordering: .relaxed).oldValue
            }
            return finished
        }
    }

    /// How long an idle helper keeps spinning before it sleeps, and after how long of it it
    /// starts yielding its core to other runnable threads (data loading, for one).
    private static let spinNanoseconds: UInt64 = 2_000_000
    private static let yieldAfterNanoseconds: UInt64 = 100_000

    @usableFromInline static let shared = WorkerPool()

    private let generation = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let current = Locked<Loop?>(nil)
    private let helperCount = Locked<Int>(0)
    private let sleep = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// A pool of its own (tests); the library uses ``shared``.
    init() {
        pthread_mutex_init(sleep, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body(chunk)` for every chunk in `0..<chunks` on the calling thread and up to
    /// `helpers` helper threads. Returns false, having run nothing, when the pool is already
    /// running a loop; the caller then runs the chunks itself.
    @usableFromInline
    func run(_ chunks: Int, helpers: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        startHelpers(upTo: helpers)
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                let loop = Loop(body: pointer, chunks: chunks, helpersWanted: helpers)
                current.withLock { $0 = loop }
                generation.add(1, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(sleep)
                    pthread_cond_broadcast(wake)
                    pthread_mutex_unlock(sleep)
                }
                loop.runChunks()
                // A helper that joins late finds no chunk left and never touches `body`.
                while loop.finishedChunks.load(ordering: .acquiring) < chunks { fk_spin_pause() }
                current.withLock { $0 = nil }
            }
        }
        return true
    }

    /// Starts helpers until there are `wanted`. A thread the system cannot start (out of
    /// memory for its stack, a thread limit) is not an error: the loop runs on the helpers there
    /// are and the caller, which claims every chunk no helper takes.
    private func startHelpers(upTo wanted: Int) {
        helperCount.withLock { count in
            while count < wanted {
                var thread = pthread_t()
                let context = Unmanaged.passRetained(self).toOpaque()
                let created = pthread_create(
                    &thread, nil,
                    { context in
                        let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
                        pool.helperLoop()
                    }, context)
                guard created == 0 else {
                    Unmanaged<WorkerPool>.fromOpaque(context).release()
                    return
                }
                count += 1
                pthread_detach(thread)
            }
        }
    }

    private func helperLoop() -> Never {
        var seen = -1  // look at the loop running now, if any: the helper may start after it was posted
        while true {
            seen = waitForNextLoop(after: seen)
            guard let loop = current.withLock({ $0 }) else { continue }
            if loop.helpersJoined.add(1, ordering: .relaxed).oldValue < loop.helpersWanted {
                loop.runChunks()
            }
        }
    }

    /// Spins (then yields, then sleeps) until the generation differs from `seen`; returns it.
    private func waitForNextLoop(after seen: Int) -> Int {
        var spins = 0
        var started: UInt64 = 0
        while true {
            let now = generation.load(ordering: .acquiring)
            if now != seen { return now }
            spins += 1
            if spins & 255 != 0 {
                fk_spin_pause()
                continue
            }
            let time = monotonicNanoseconds()
            if started == 0 { started = time }
            if time - started < Self.yieldAfterNanoseconds {
                continue
            } else if time - started < Self.spinNanoseconds {
                sched_yield()
                continue
            }
            pthread_mutex_lock(sleep)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            var latest = generation.load(ordering: .sequentiallyConsistent)
            while latest == seen {
                pthread_cond_wait(wake, sleep)
                latest = generation.load(ordering: .sequentiallyConsistent)
            }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(sleep)
            return latest
        }
    }
}

private func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
