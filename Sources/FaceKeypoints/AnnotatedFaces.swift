import FaceData
import Foundation

/// Where `evaluate` and `calibrate` read annotated faces for a model: the IMM Face Database
/// folder (the study's IMM models) or a dlib imglab XML (68-point and custom models), with the
/// split a training run made of it.
///
/// ```swift
/// let source = AnnotatedFaces.imglab(labels, split: try ValidationSplit(fraction: 0.1, seed: 0))
/// let held = try source.faces(for: model.spec)                 // the faces the run held out
/// ```
public enum AnnotatedFaces: Sendable {
    /// The IMM Face Database folder: persons 01-32 are the training part, 33-40 validation.
    case imm(URL)
    /// An imglab XML; with `split`, the seeded split a training run made of its faces.
    case imglab(URL, split: ValidationSplit?)

    /// The faces of `part` (nil: the held-out faces, or every face of an unsplit imglab file),
    /// prepared as the model's spec crops them. Throws, naming the file, when the source does
    /// not fit the model (an IMM model and an imglab file, or the reverse; an imglab file with
    /// detector boxes for a model that crops from annotated boxes, unless `detectorRuns`), or
    /// when a part of an unsplit file is asked for.
    ///
    /// - Parameters:
    ///   - spec: the model's spec: its scheme, crop and input.
    ///   - part: which faces of the split.
    ///   - detectorRuns: the evaluation finds the faces with the detector, so the file's boxes
    ///     are not used and any imglab file does.
    public func faces(
        for spec: KeypointModelSpec, part: ValidationSplit.Part? = nil, detectorRuns: Bool = false
    ) throws -> FaceDataset {
        switch self {
        case .imm(let folder):
            guard spec.scheme == .imm58 else {
                throw KeypointInputError(
                    "the model is a \(spec.scheme.name) model (\(spec.task.rawValue)); evaluate it on an imglab XML (--xml), not the IMM folder"
                )
            }
            let split: IMMSplit =
                switch part ?? .validation {
                case .validation: .validation
                case .train: .train
                case .all: .all
                }
            return try FaceDataset.imm(folder: folder, split: split, configuration: spec.datasetConfiguration())
        case .imglab(let url, let split):
            guard spec.scheme != .imm58 else {
                throw KeypointInputError(
                    "the model is an IMM model (\(spec.task.rawValue)); evaluate it on the IMM folder (--imm), not an imglab XML"
                )
            }
            if split == nil, let part, part != .all {
                throw KeypointInputError(
                    "the \(part.rawValue) faces of \(url.path) need the training run's split (--val-fraction and its seed)"
                )
            }
            let annotations = try ImglabDataset(contentsOf: url)
            if !detectorRuns, spec.faceBoxes == .truth {
                try DetectorBoxes.requireBoxes(of: annotations, file: url, for: .truth)
            }
            let all = try FaceDataset.imglab(
                annotations, file: url, scheme: spec.scheme, allowingMissing: spec.task == .custom,
                configuration: spec.datasetConfiguration())
            return split?.part(part ?? .validation, of: all) ?? all
        }
    }
}
