import Foundation
import TensorIO

/// Another process holding a folder's ``RunFolderLock``, as a second run would: `flock(1)` on
/// `FOLDER/.lock` until ``stop()`` (or the end of the holder's life).
public final class FolderLockHolder {
    private let process = Process()

    /// Starts `flock(1)` and returns once it holds the lock (at most 5 s).
    public init(folder: URL) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // --close: `sleep` does not inherit the lock, so killing flock(1) releases it.
        process.arguments = [
            "--exclusive", "--close", folder.appendingPathComponent(RunFolderLock.fileName).path, "sleep", "60"
        ]
        try process.run()
        for _ in 0..<100 {
            do {
                _ = try RunFolderLock(folder: folder)  // taken and released at once: flock(1) has not got it yet
                usleep(50_000)
            } catch {
                return
            }
        }
        stop()
        throw TestSupportError("flock(1) did not take the lock on \(folder.path) within 5 s")
    }

    /// Ends `flock(1)` (SIGKILL: on SIGTERM it would wait for its command), releasing the lock.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A test helper could not set up what it was asked for.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
