#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value that one thread at a time reads or changes, behind a pthread mutex.
///
/// The package uses this instead of the standard library's `Mutex`: Thread Sanitizer sees a
/// pthread mutex's ordering (it intercepts the calls) but not `Mutex`'s, whose locking runs
/// inside the uninstrumented standard library, so under the sanitizer every `Mutex` would be
/// reported as a data race (seen in Examples/SharedLandmarker) and hide real ones.
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, no other thread inside `withLock` meanwhile.
    @inline(__always)
    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
