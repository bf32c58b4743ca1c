import Foundation
import Tensor
import Vision

/// The batches of one epoch, in order. Background workers (if any) build up to `capacity`
/// batches ahead of the consumer. Dropping the iterator stops them.
public final class BatchIterator: Sendable {
    private let state: PrefetchState

    init(count: Int, workers: Int, capacity: Int, build: @escaping @Sendable (Int) throws -> Batch) {
        state = PrefetchState(count: count, capacity: capacity, build: build)
        if workers > 0 {
            let threads = min(workers, max(count, 1))
            state.start(threads: threads)
        }
    }

    deinit { state.cancel() }

    /// The number of batches in the epoch.
    public var batchCount: Int { state.count }

    /// The next batch, or nil after the last. Rethrows the error of a batch that failed (a bad
    /// image under ``CachePolicy/none``, for example), after which the iterator is finished.
    public func next() throws -> Batch? { try state.next() }

    /// Stops the workers; ``next()`` returns nil afterwards.
    public func cancel() { state.cancel() }

    /// Blocks until every worker thread has exited (after the epoch ends or ``cancel()``).
    public func waitForWorkers() { state.waitForWorkers() }
}

/// The shared state of a ``BatchIterator`` and its worker threads. All mutable state is
/// guarded by `condition`.
private final class PrefetchState: @unchecked Sendable {
    private let condition = NSCondition()
    let count: Int
    private let capacity: Int
    private let build: @Sendable (Int) throws -> Batch
    private var nextToBuild = 0
    private var nextToDeliver = 0
    private var ready: [Int: Result<Batch, Error>] = [:]
    private var cancelled = false
    private var running = 0
    private var threaded = false

    init(count: Int, capacity: Int, build: @escaping @Sendable (Int) throws -> Batch) {
        self.count = count
        self.capacity = capacity
        self.build = build
    }

    func start(threads: Int) {
        condition.lock()
        threaded = true
        running = threads
        condition.unlock()
        for n in 0..<threads {
            let thread = Thread { [self] in self.work() }
            thread.name = "FaceData.DataLoader.\(n)"
            thread.start()
        }
    }

    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToDeliver < count, !cancelled else { return nil }
        let result: Result<Batch, Error>
        if threaded {
            while ready[nextToDeliver] == nil && !cancelled { condition.wait() }
            guard let delivered = ready.removeValue(forKey: nextToDeliver) else { return nil }
            result = delivered
        } else {
            result = Result { try build(nextToDeliver) }
        }
        nextToDeliver += 1
        if case .failure = result { cancelled = true }
        condition.broadcast()
        return try result.get()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    func waitForWorkers() {
        condition.lock()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            while !cancelled && nextToBuild < count && nextToBuild >= nextToDeliver + capacity { condition.wait() }
            if cancelled || nextToBuild >= count { break }
            let number = nextToBuild
            nextToBuild += 1
            condition.unlock()
            let result = Result { try build(number) }
            condition.lock()
            if !cancelled { ready[number] = result }
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }
}
