import Foundation

/// Why a face cannot be aligned or a template cannot be used.
public enum AlignmentError: Error, Equatable, CustomStringConvertible, LocalizedError, Sendable {
    /// The template's values are wrong; the text names the field and what was expected.
    case invalidTemplate(String)
    /// A template file cannot be used: its path, and what is wrong.
    case invalidTemplateFile(String, String)
    /// The face has no five reference points: the model's scheme has no eyes, nose tip and
    /// mouth corners this package knows, and no detector gave its five points.
    case noReferencePoints(scheme: String)
    /// The face's reference points coincide or are not finite, so no transform fits them.
    case degeneratePoints

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidTemplate(let problem): return "alignment template: \(problem)"
        case .invalidTemplateFile(let path, let problem): return "\(path): \(problem)"
        case .noReferencePoints(let scheme):
            return
                "the model's '\(scheme)' points have no eye centers, nose tip and mouth corners to align by, and the face has no detector points: find the faces with the detector, or use a 68-point model"
        case .degeneratePoints:
            return "the face's reference points coincide or are not finite: no alignment fits them"
        }
    }

    /// The description, for `LocalizedError`.
    public var errorDescription: String? { description }
}
