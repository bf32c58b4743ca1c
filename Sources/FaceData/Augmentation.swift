import Tensor
import Vision

/// Random geometric and photometric changes for training, drawn from a seeded generator.
///
/// The geometric part (mirror, scale, rotation, shift, all about the input's center) becomes
/// ONE ``Affine2D`` that is composed with the crop/resize transform, so each training
/// image is resampled once and its keypoints are moved by the very same map. A mirror also
/// reorders the keypoints with the dataset's ``MirrorMap``. Brightness and contrast
/// (``Vision/ColorJitter``), then a random rectangle over part of the face
/// (``Vision/RandomOcclusion``), run on the warped image and leave the points alone.
///
/// ```swift
/// let augmentation = Augmentation(rotation: 15, shift: 0.05, scale: 0.9...1.1,
///                                 flipProbability: 0.5, colorJitter: ColorJitter(brightness: 0.3, contrast: 0.3))
/// var rng = RandomGenerator(seed: 1)
/// let draw = augmentation.draw(using: &rng)
/// let t = draw.transform(width: 224, height: 224)     // input pixels -> augmented input pixels
/// ```
public struct Augmentation: Sendable, Equatable {
    /// Rotation drawn uniformly from `[-rotation, rotation]` degrees.
    public var rotation: Float
    /// Shift drawn uniformly from `[-shift, shift]` times the input width (x) and height (y).
    public var shift: Float
    /// Scale factor drawn uniformly from this range (above 1 zooms in).
    public var scale: ClosedRange<Float>
    /// The probability of a horizontal mirror.
    public var flipProbability: Float
    /// Brightness / contrast (/ saturation for RGB inputs) changes.
    public var colorJitter: ColorJitter
    /// A random rectangle painted over the warped image (none by default).
    public var occlusion: RandomOcclusion

    /// Augmentation with the given ranges; the defaults change nothing. `rotation` and `shift` must
    /// be non-negative, `scale` positive and `flipProbability` in `0...1`.
    public init(
        rotation: Float = 0, shift: Float = 0, scale: ClosedRange<Float> = 1...1,
        flipProbability: Float = 0, colorJitter: ColorJitter = ColorJitter(),
        occlusion: RandomOcclusion = RandomOcclusion()
    ) {
        precondition(
            rotation >= 0 && shift >= 0 && scale.lowerBound > 0,
            "Augmentation: expected non-negative ranges and a positive scale")
        precondition(
            (0...1).contains(flipProbability), "Augmentation: flipProbability must be in [0, 1], got \(flipProbability)"
        )
        self.rotation = rotation
        self.shift = shift
        self.scale = scale
        self.flipProbability = flipProbability
        self.colorJitter = colorJitter
        self.occlusion = occlusion
    }

    /// No change at all.
    public static let none = Augmentation()

    /// A sensible default for face crops: +-10 degrees, +-5% shift, 0.9-1.1 scale, mirror half of
    /// the time, brightness and contrast +-30%.
    public static let standard = Augmentation(
        rotation: 10, shift: 0.05, scale: 0.9...1.1, flipProbability: 0.5,
        colorJitter: ColorJitter(brightness: 0.3, contrast: 0.3))

    /// Whether this changes nothing.
    public var isNone: Bool { self == .none }

    /// Whether this may mirror.
    public var mayFlip: Bool { flipProbability > 0 }

    /// Draws one set of parameters. The geometric values are drawn in a fixed order
    /// (rotation, shift x, shift y, scale, flip) whatever the ranges are, so changing one range
    /// does not reshuffle the others.
    public func draw(using generator: inout RandomGenerator) -> AugmentationDraw {
        func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * generator.nextUniform() }
        let angle = uniform(-rotation, rotation)
        let dx = uniform(-shift, shift), dy = uniform(-shift, shift)
        let factor = uniform(scale.lowerBound, scale.upperBound)
        let flip = generator.nextUniform() < flipProbability
        return AugmentationDraw(rotation: angle, shift: SIMD2(dx, dy), scale: factor, flip: flip)
    }
}
