/// A failure to read, decode or write an image. It names the file (or `<memory>`) and what is
/// wrong, e.g. `photo.jpg: truncated: premature end of JPEG data`.
public struct ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Reason: String, Sendable {
        /// The file could not be read or written.
        case unreadable
        /// The bytes are not a PNG, JPEG or PNM file.
        case unknownFormat
        /// The decoder rejected the data.
        case corrupt
        /// The data ends before the image does.
        case truncated
        /// The declared size exceeds ``Image/maximumPixelCount`` or the caller's budget.
        case tooLarge
        /// A valid file using a feature this library does not support, or an image that the
        /// chosen format cannot store.
        case unsupported
        /// The encoder failed.
        case encodingFailed
    }

    /// The kind of failure, for callers that branch on it.
    public let reason: Reason
    /// The file path, or `<memory>` for bytes that did not come from a file.
    public let source: String
    /// A human-readable explanation.
    public let detail: String

    /// An error of kind `reason` about `source` (a file path, or `<memory>`), explained by
    /// `detail`.
    public init(_ reason: Reason, source: String, _ detail: String) {
        self.reason = reason
        self.source = source
        self.detail = detail
    }

    public var description: String { "\(source): \(reason.rawValue): \(detail)" }
}
