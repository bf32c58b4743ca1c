import Foundation

/// A photo or box a keypoint model cannot use, or a use the model does not support
/// (mirroring without a mirror map).
public struct KeypointInputError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What is wrong and, where it helps, what to give instead.
    public let message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
    /// The message, for `LocalizedError`.
    public var errorDescription: String? { message }
}
