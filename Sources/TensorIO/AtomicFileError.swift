import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An ``AtomicFile`` write failed. The description names the file, the step and the system's
/// reason, e.g. `out/metrics.json: cannot create a temporary file in out: No space left on device`.
public struct AtomicFileError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The steps of an atomic write.
    public enum Step: Sendable, Equatable {
        /// Creating the temporary file beside the destination.
        case create
        /// Writing the temporary file.
        case write
        /// Flushing the temporary file to disk (`fsync`).
        case flush
        /// Closing the temporary file.
        case close
        /// Renaming the temporary file over the destination.
        case rename
    }

    /// The file being written.
    public let path: String
    /// The temporary file beside it.
    public let temporaryPath: String
    /// The step that failed.
    public let step: Step
    /// The `errno` value the failing call set.
    public let code: Int32

    /// Creates the error for a write of `path` through `temporaryPath` that failed at `step`
    /// with `errno` value `code`.
    public init(path: String, temporaryPath: String, step: Step, code: Int32) {
        self.path = path
        self.temporaryPath = temporaryPath
        self.step = step
        self.code = code
    }

    /// What failed and why, without the path: `cannot write <temporary>: Disk quota exceeded`.
    public var message: String {
        let what =
            switch step {
            case .create: "cannot create a temporary file in \((temporaryPath as NSString).deletingLastPathComponent)"
            case .write: "cannot write \(temporaryPath)"
            case .flush: "cannot flush \(temporaryPath) to disk"
            case .close: "cannot close \(temporaryPath)"
            case .rename: "cannot rename \(temporaryPath) to the destination"
            }
        return "\(what): \(String(cString: strerror(code)))"
    }

    public var description: String { "\(path): \(message)" }

    public var errorDescription: String? { description }
}
