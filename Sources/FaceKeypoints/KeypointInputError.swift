import Foundation

/// A photo or box a keypoint model cannot use, or a use the model does not support
/// (mirroring without a mirror map).
public struct KeypointInputError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
