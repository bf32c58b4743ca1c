import Foundation
import Tensor

/// An output folder could not be locked: another run holds it, or it cannot be created.
public struct RunFolderLockError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The path of the folder that could not be locked.
    public let folder: String
    /// Why it could not be locked and what to do, without the path.
    public let message: String

    /// Creates the error for the folder at path `folder`, explained by `message`.
    public init(folder: String, _ message: String) {
        self.folder = folder
        self.message = message
    }

    public var description: String { "\(folder): \(message)" }
    public var errorDescription: String? { description }
}
