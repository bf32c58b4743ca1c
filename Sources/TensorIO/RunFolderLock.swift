import Foundation
import Tensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run at a time in an output folder: an exclusive `flock` on `FOLDER/.lock`, which holds
/// the owner's process id. The kernel drops the lock when its process ends, however it ends, so
/// a run killed with `kill -9` leaves no stale lock, only the file, which the next run takes
/// over. The first lock a process takes on a folder removes the temporary files that killed
/// ``AtomicFile`` writes left there (`.NAME.<UUID>.tmp`, up to a checkpoint's size).
///
/// Locks nest within a process (a command that locks its folder may call library code that
/// locks it again); the lock is released when the last holder is gone.
///
/// ```swift
/// let lock = try RunFolderLock(folder: output)   // throws if another run holds it
/// defer { withExtendedLifetime(lock) {} }
/// ```
public final class RunFolderLock: Sendable {
    /// The lock file's name inside the folder.
    public static let fileName = ".lock"

    /// The locked folder, as a standardized file URL.
    public let folder: URL
    /// The stale temporary files removed when the lock was taken (names, sorted).
    public let removedTemporaryFiles: [String]

    /// The folders this process holds: path -> (descriptor, holders).
    private static let held = Locked<[String: (descriptor: Int32, holders: Int)]>([:])

    /// Creates `folder` if needed and locks it; throws ``RunFolderLockError`` naming the folder
    /// and the process that holds it when another process does.
    public init(folder: URL) throws {
        let folder = folder.standardizedFileURL, path = folder.path
        self.folder = folder
        if let problem = outputFolderProblem(at: folder) {
            throw RunFolderLockError(folder: path, "\(problem); choose a folder you can write to")
        }
        removedTemporaryFiles = try Self.held.withLock { held throws -> [String] in
            if let entry = held[path] {
                held[path] = (entry.descriptor, entry.holders + 1)
                return []
            }
            let lockPath = folder.appendingPathComponent(Self.fileName).path
            let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw RunFolderLockError(
                    folder: path,
                    "cannot create \(Self.fileName) in it (\(String(cString: strerror(errno)))); choose a folder you can write to"
                )
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                let owner = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(
                    in: .whitespacesAndNewlines)
                close(descriptor)
                if code == EWOULDBLOCK {
                    throw RunFolderLockError(
                        folder: path,
                        "another run (process \(owner.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")) is writing to this folder; "
                            + "wait for it to end, or choose another output folder")
                }
                throw RunFolderLockError(
                    folder: path, "cannot lock \(Self.fileName) (\(String(cString: strerror(code))))")
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(descriptor, 0)
            _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            held[path] = (descriptor, 1)
            return Self.removeStaleTemporaryFiles(in: folder)
        }
    }

    deinit {
        let path = folder.path
        Self.held.withLock { held in
            guard let entry = held[path] else { return }
            if entry.holders > 1 {
                held[path] = (entry.descriptor, entry.holders - 1)
            } else {
                held[path] = nil
                close(entry.descriptor)  // drops the flock
            }
        }
    }

    /// Whether `name` is the name ``AtomicFile`` gives its temporary files: `.NAME.<UUID>.tmp`.
    public static func isTemporaryFileName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let stem = name.dropLast(4)
        guard let dot = stem.lastIndex(of: "."), stem.distance(from: stem.startIndex, to: dot) > 0 else { return false }
        return UUID(uuidString: String(stem[stem.index(after: dot)...])) != nil
    }

    private static func removeStaleTemporaryFiles(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter(isTemporaryFileName).sorted().filter { name in
            unlink(folder.appendingPathComponent(name).path) == 0
        }
    }
}
