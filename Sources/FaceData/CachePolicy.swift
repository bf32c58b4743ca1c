import Foundation
import Tensor
import Vision

/// Whether decoded images are kept in memory.
public enum CachePolicy: Sendable, Equatable {
    /// Decode the photo for every sample (least memory; the loader's workers decode).
    case none
    /// Decode every photo once, when the dataset is built, and keep the crop region grown by
    /// `margin` (clipped to the photo; room for shifts and rotations) as 8-bit samples at
    /// `oversample` times the input resolution (never above the photo's own). 1207 300-W
    /// faces at 224x224, margin 1.3: about 100 MB. Bad images are found at build time.
    case memory(margin: Float = 1.3, oversample: Float = 1)
}
