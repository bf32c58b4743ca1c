import Foundation
import Vision

/// A face left out of a dataset, and why.
public struct SkippedSample: Sendable, Equatable, CustomStringConvertible {
    /// The annotation or image file.
    public var file: String
    /// Why the face was left out.
    public var error: FaceDataError
    /// A record of a face from `file` left out because of `error`.
    public init(file: String, error: FaceDataError) {
        self.file = file
        self.error = error
    }
    public var description: String { error.description }
}
