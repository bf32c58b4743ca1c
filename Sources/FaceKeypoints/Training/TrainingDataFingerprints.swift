import Foundation

/// The fingerprints of a run's two sets.
struct TrainingDataFingerprints: Codable, Equatable {
    var training: DatasetFingerprint
    var validation: DatasetFingerprint
}
