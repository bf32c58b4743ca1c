import Foundation
import Vision

/// What to do with a face whose annotation or image is bad.
public enum BadSamplePolicy: Sendable, Equatable {
    /// Throw the first error (the default).
    case fail
    /// Leave the face out and record it in ``FaceDataset/skipped``.
    case skip
}
