import Foundation
import Tensor
import Vision

/// The IMM person split.
public enum IMMSplit: Sendable, Equatable {
    /// Persons 01-32 (192 images).
    case train
    /// Persons 33-40 (48 images).
    case validation
    /// All 240 images.
    case all

    /// The person numbers in the split (the `PP` of the IMM file names `PP-Vg`).
    public var persons: ClosedRange<Int> {
        switch self {
        case .train: return DataSplit.immTrainPersons
        case .validation: return DataSplit.immValidationPersons
        case .all: return 1...40
        }
    }
}
