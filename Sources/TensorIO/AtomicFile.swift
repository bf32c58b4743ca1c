import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a file by writing a temporary file beside it, flushing it to disk, and renaming it
/// over the destination: a reader (or a crash) sees the old file or the new one, never a part.
/// Failures throw an ``AtomicFileError`` naming the path and the step that failed.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    /// Writes the chunks `contents` passes to its sink to `url` atomically.
    public static func write(to url: URL, contents: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path

        func failure(_ step: AtomicFileError.Step, _ code: Int32) -> AtomicFileError {
            AtomicFileError(path: path, temporaryPath: temporaryPath, step: step, code: code)
        }

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw failure(.create, errno)
        }
        var isOpen = true
        var isRenamed = false
        defer {
            if isOpen { _ = close(descriptor) }
            if !isRenamed { _ = unlink(temporaryPath) }
        }

        try contents { chunk in
            guard var next = chunk.baseAddress else { return }
            var remaining = chunk.count
            while remaining > 0 {
                let written = systemWrite(descriptor, next, remaining)
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    throw failure(.write, code)
                }
                next += written
                remaining -= written
            }
        }
        guard fsync(descriptor) == 0 else { throw failure(.flush, errno) }
        isOpen = false
        guard close(descriptor) == 0 else { throw failure(.close, errno) }
        guard rename(temporaryPath, path) == 0 else { throw failure(.rename, errno) }
        isRenamed = true

        // Make the rename itself durable; a failure here does not undo the write.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, pointer, count)
        #elseif canImport(Musl)
            Musl.write(descriptor, pointer, count)
        #else
            Darwin.write(descriptor, pointer, count)
        #endif
    }
}
