import Tensor
import Vision

/// The model input's size, channels and pixel scaling.
public struct InputFormat: Sendable, Equatable {
    /// The input width in pixels.
    public var width: Int
    /// The input height in pixels.
    public var height: Int
    /// 1 (gray) or 3 (RGB).
    public var channels: Int
    /// How image samples (`0...1`) become input tensor values.
    public var pixels: PixelNormalization

    /// A `width` x `height` input with 1 (gray) or 3 (RGB) channels, pixels in `-0.5...0.5` by
    /// default.
    public init(width: Int, height: Int, channels: Int = 1, pixels: PixelNormalization = .centered) {
        precondition(width > 0 && height > 0, "InputFormat: expected a positive size, got \(width)x\(height)")
        precondition(channels == 1 || channels == 3, "InputFormat: expected 1 or 3 channels, got \(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The tensor shape of one input: `[channels, height, width]`.
    public var shape: [Int] { [channels, height, width] }

    /// Photo pixels -> input pixels for a crop `region` of the photo (before any augmentation).
    public func transform(cropping region: BoundingBox) -> Affine2D {
        .mapping(region, toWidth: width, height: height)
    }

    /// The one preprocessing step that training, evaluation and prediction share: `image`
    /// warped by `transform` (photo pixels -> input pixels) to this size, in these channels,
    /// `adjust`ed (colour jitter in training), then scaled to a tensor.
    ///
    /// Shape: `[channels, height, width]`.
    public func input(
        from image: Image, transform: Affine2D, fill: Float = 0, adjust: (inout Image) -> Void = { _ in }
    ) -> Tensor {
        var warped = image.converted(toChannels: channels).warped(
            by: transform, width: width, height: height, fill: fill)
        adjust(&warped)
        return pixels.tensor(warped)
    }
}
