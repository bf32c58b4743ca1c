import Foundation
import Tensor
import Vision

/// A source of training samples, indexed `0..<count`. ``DataLoader`` batches any of these.
public protocol KeypointDataset: Sendable {
    /// The number of samples.
    var count: Int { get }
    /// Sample `index`, with any random augmentation drawn from `generator`.
    func sample(at index: Int, using generator: inout RandomGenerator) throws -> Sample
}
