/// At most `concurrency` photos processed at once, at most `queueLength` requests waiting for a
/// turn, first come first served. A request that finds the queue full is refused at once
/// (``InferenceLimiter/Refusal``), so an overloaded server answers quickly instead of piling up
/// work it cannot finish.
///
/// ```swift
/// let limiter = InferenceLimiter(concurrency: 2, queueLength: 32)
/// let faces = try await limiter.run { try await landmarker.faces(in: photo) }
/// ```
public actor InferenceLimiter {
    /// Thrown by ``run(_:)`` when every slot is busy and the queue is full.
    public struct Refusal: Error, Sendable {}

    /// How many may run at once.
    public let concurrency: Int
    /// How many may wait.
    public let queueLength: Int
    /// How many run now.
    public private(set) var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// A limiter of `concurrency` slots (at least 1) and `queueLength` waiting places.
    public init(concurrency: Int, queueLength: Int) {
        self.concurrency = max(1, concurrency)
        self.queueLength = max(0, queueLength)
    }

    /// How many wait for a slot now.
    public var queued: Int { waiting.count }

    /// Runs `work` in a slot, waiting in the queue for one; throws ``Refusal`` without running it
    /// when the queue is full.
    public func run<Result: Sendable>(_ work: @Sendable () async throws -> Result) async throws -> Result {
        if running < concurrency {
            running += 1
        } else {
            guard waiting.count < queueLength else { throw Refusal() }
            // The slot is handed over by `release()`: `running` stays counted for this waiter.
            await withCheckedContinuation { waiting.append($0) }
        }
        defer { release() }
        return try await work()
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
