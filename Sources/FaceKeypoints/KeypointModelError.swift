import Foundation

/// Why a file is not a usable keypoint model.
public struct KeypointModelError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// The file at fault, as a path (`shipped` for the package's own model).
    public let file: String
    /// What is wrong with it.
    public let message: String

    /// An error about `file` saying `message`.
    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    /// The file and the message: `FILE: MESSAGE`.
    public var description: String { "\(file): \(message)" }
    /// The same text as `description`, for `LocalizedError`.
    public var errorDescription: String? { description }
}
