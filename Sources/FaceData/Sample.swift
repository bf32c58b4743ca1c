import Tensor
import Vision

/// How keypoint targets are scaled for regression.
///
/// A point `p` in model-input pixels becomes `t = (p - size / 2) / (size / 2)` per axis, so the
/// input's corners are at -1 and +1 and its center at 0: targets are zero-centered with a
/// spread near 0.5, which suits a linear output layer trained with MSE from a zero-mean
/// initialization. Points pushed outside the input by augmentation get values beyond +-1
/// (they are kept, not clipped).
///
/// ```swift
/// let n = TargetNormalization(width: 224, height: 224)
/// n.normalize([Point(112, 56)])        // [0, -0.5]
/// n.denormalize([0, -0.5])             // [Point(112, 56)]
/// ```
public struct TargetNormalization: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "TargetNormalization: expected a positive size, got \(width)x\(height)")
        self.width = width
        self.height = height
    }

    private var half: Point { Point(Float(width) / 2, Float(height) / 2) }

    /// `[x0, y0, x1, y1, ...]` for points in input pixels.
    public func normalize(_ points: [Point]) -> [Float] {
        let h = half
        return points.flatMap { p -> [Float] in let t = (p - h) / h; return [t.x, t.y] }
    }

    /// The points in input pixels for `[x0, y0, x1, y1, ...]`.
    public func denormalize(_ values: [Float]) -> [Point] {
        precondition(values.count % 2 == 0, "TargetNormalization.denormalize: expected an even number of values, got \(values.count)")
        let h = half
        return stride(from: 0, to: values.count, by: 2).map { Point(values[$0], values[$0 + 1]) * h + h }
    }
}

/// What a sample is and how it maps back to its photograph.
///
/// ```swift
/// // prediction: the model's 2K outputs for this sample
/// let inPhoto = info.originalKeypoints(fromPrediction: prediction)   // original pixels
/// ```
public struct SampleInfo: Sendable, Equatable {
    /// The sample's index in its dataset.
    public var index: Int
    /// The image file the sample came from (and `#n` for the n-th face when an image holds several).
    public var identity: String
    /// Original image pixels -> model-input pixels (including any augmentation).
    public var transform: Affine2D
    /// How the targets are scaled from model-input pixels.
    public var normalization: TargetNormalization
    /// Whether the sample was mirrored (its points were then reordered by the mirror map).
    public var flipped: Bool
    /// The reordering applied after mirroring (an involution), or nil.
    public var permutation: [Int]?
    /// The target keypoints in model-input pixels.
    public var keypoints: [Point]

    public init(index: Int, identity: String, transform: Affine2D, normalization: TargetNormalization,
                flipped: Bool = false, permutation: [Int]? = nil, keypoints: [Point]) {
        self.index = index; self.identity = identity; self.transform = transform
        self.normalization = normalization; self.flipped = flipped; self.permutation = permutation
        self.keypoints = keypoints
    }

    /// Model outputs (normalized, `[x0, y0, ...]`) mapped back to the original photograph's
    /// pixels and point order.
    public func originalKeypoints(fromPrediction values: [Float]) -> [Point] {
        originalKeypoints(fromInputPoints: normalization.denormalize(values))
    }

    /// Points in model-input pixels mapped back to original pixels and point order.
    public func originalKeypoints(fromInputPoints points: [Point]) -> [Point] {
        let original = transform.inverse.apply(points)
        guard let permutation else { return original }
        return permutation.map { original[$0] }   // an involution undoes itself
    }
}

/// One model input with its targets.
///
/// - `input`: `[C, H, W]`, pixels normalized as the dataset's ``InputFormat`` says.
/// - `target`: `[2K]`, `[x0, y0, x1, y1, ...]` normalized by ``TargetNormalization``.
public struct Sample: Sendable {
    public var input: Tensor
    public var target: Tensor
    public var info: SampleInfo

    public init(input: Tensor, target: Tensor, info: SampleInfo) {
        self.input = input; self.target = target; self.info = info
    }

    /// The target keypoints in model-input pixels.
    public var keypoints: [Point] { info.keypoints }
}

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

/// The model input's size, channels and pixel scaling.
public struct InputFormat: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (gray) or 3 (RGB).
    public var channels: Int
    public var pixels: PixelNormalization

    public init(width: Int, height: Int, channels: Int = 1, pixels: PixelNormalization = .centered) {
        precondition(width > 0 && height > 0, "InputFormat: expected a positive size, got \(width)x\(height)")
        precondition(channels == 1 || channels == 3, "InputFormat: expected 1 or 3 channels, got \(channels)")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// The tensor shape of one input: `[channels, height, width]`.
    public var shape: [Int] { [channels, height, width] }
}
