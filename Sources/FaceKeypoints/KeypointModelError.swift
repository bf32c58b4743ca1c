import Foundation

/// Why a file is not a usable keypoint model.
public struct KeypointModelError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public let file: String
    public let message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
    public var errorDescription: String? { description }
}
