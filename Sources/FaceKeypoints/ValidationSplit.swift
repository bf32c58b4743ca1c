import FaceData

/// A seeded hold-out split of an imglab file's faces: the fraction held out for validation and
/// the shuffle's seed. Training, `evaluate` and `calibrate` make the same split from the same
/// two numbers; the fraction is checked here, once.
///
/// ```swift
/// let split = try ValidationSplit(fraction: 0.1, seed: 0)
/// let held = split.part(.validation, of: try FaceDataset.imglab(labels, configuration: spec.datasetConfiguration()))
/// ```
public struct ValidationSplit: Sendable, Equatable {
    /// Which faces of a split a caller reads.
    public enum Part: String, Sendable, CaseIterable {
        /// The held-out faces.
        case validation
        /// The rest: the faces a run trains on.
        case train
        /// Every face, unsplit.
        case all
    }

    /// The fraction of faces held out, in `(0, 1)`.
    public let fraction: Double
    /// The seed of the shuffle (a training run's `splitSeed`, or else its `seed`).
    public let seed: UInt64

    /// Throws ``TrainingError/invalidConfiguration(_:)`` unless `0 < fraction < 1`.
    public init(fraction: Double, seed: UInt64) throws {
        guard fraction > 0 && fraction < 1 else {
            throw TrainingError.invalidConfiguration(
                "the validation fraction (--val-fraction) must be between 0 and 1 (exclusive), got \(fraction)")
        }
        self.fraction = fraction
        self.seed = seed
    }

    /// `part` of `faces`, split as a training run with this fraction and seed splits them.
    public func part(_ part: Part, of faces: FaceDataset) -> FaceDataset {
        switch part {
        case .all: return faces
        case .validation: return faces.split(validationFraction: fraction, seed: seed).validation
        case .train: return faces.split(validationFraction: fraction, seed: seed).train
        }
    }
}
