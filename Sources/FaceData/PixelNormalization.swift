import Tensor
import Vision

/// How image samples (`0...1`) become input tensor values.
public enum PixelNormalization: Sendable, Equatable {
    /// Unchanged: `0...1`.
    case unit
    /// `x - 0.5`: `-0.5...0.5`.
    case centered
    /// `(x - mean[c]) / std[c]`, one value for all channels or one per channel
    /// (e.g. ``Vision/Image/imageNetMean``).
    case meanStd(mean: [Float], std: [Float])
    /// Per image: mean 0, standard deviation 1.
    case standardized

    /// The tensor `[C, H, W]` for `image`.
    public func tensor(_ image: Image) -> Tensor {
        switch self {
        case .unit: return image.tensor()
        case .centered: return image.normalizedTensor(mean: [0.5], std: [1])
        case .meanStd(let mean, let std): return image.normalizedTensor(mean: mean, std: std)
        case .standardized: return image.standardizedTensor()
        }
    }

    /// The image for an input tensor (for display), clamped to `0...1`. Not available for
    /// ``standardized`` (the statistics are gone); that case shows the values shifted by 0.5.
    public func image(_ tensor: Tensor) -> Image {
        switch self {
        case .unit: return Image(tensor: tensor).clamped()
        case .centered: return Image(tensor: tensor, mean: [0.5], std: [1])
        case .meanStd(let mean, let std): return Image(tensor: tensor, mean: mean, std: std)
        case .standardized: return Image(tensor: tensor, mean: [0.5], std: [0.25])
        }
    }
}
