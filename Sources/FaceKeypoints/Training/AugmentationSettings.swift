import Foundation

/// Augmentation ranges in the units a user types: degrees, pixels or fractions of the input.
/// Replaced by FaceData's `Augmentation`, which is `Codable` with the same JSON; kept for one
/// release.
@available(*, deprecated, message: "use FaceData's Augmentation, Codable with the same JSON")
public struct AugmentationSettings: Codable, Sendable, Equatable {
    /// Rotation drawn from `±rotation` degrees.
    public var rotation: Float
    /// Shift drawn from `±shift` times the input size.
    public var shift: Float
    /// The smallest scale factor drawn (`--scale S` sets `1 - S`; 1: no scaling).
    public var scaleLow: Float
    /// The largest scale factor drawn (`--scale S` sets `1 + S`).
    public var scaleHigh: Float
    /// The probability of a horizontal flip, its points swapped by the scheme's mirror map, in `0...1`.
    public var flipProbability: Float
    /// The brightness factor drawn from `1 ± brightness`.
    public var brightness: Float
    /// The contrast factor drawn from `1 ± contrast`.
    public var contrast: Float
    /// The probability of a random rectangle up to 0.4 of the input's width and height painted
    /// over the image (Vision's `RandomOcclusion`, PIPNet's occlusion).
    public var occlusion: Float

    /// Settings from their parts; a setting left out adds no augmentation.
    public init(
        rotation: Float = 0, shift: Float = 0, scaleLow: Float = 1, scaleHigh: Float = 1, flipProbability: Float = 0,
        brightness: Float = 0, contrast: Float = 0, occlusion: Float = 0
    ) {
        self.rotation = rotation
        self.shift = shift
        self.scaleLow = scaleLow
        self.scaleHigh = scaleHigh
        self.flipProbability = flipProbability
        self.brightness = brightness
        self.contrast = contrast
        self.occlusion = occlusion
    }

    /// No augmentation.
    public static let none = AugmentationSettings()

    /// FaceData's augmentation.
    public var augmentation: Augmentation {
        Augmentation(
            rotation: rotation, shift: shift, scale: scaleLow...scaleHigh, flipProbability: flipProbability,
            colorJitter: ColorJitter(brightness: brightness, contrast: contrast),
            occlusion: RandomOcclusion(probability: occlusion))
    }

    private enum CodingKeys: String, CodingKey {
        case rotation, shift, scaleLow, scaleHigh, flipProbability, brightness, contrast, occlusion
    }

    /// Decodes the settings; checkpoints written before occlusion existed read as no occlusion.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            rotation: try c.decode(Float.self, forKey: .rotation), shift: try c.decode(Float.self, forKey: .shift),
            scaleLow: try c.decode(Float.self, forKey: .scaleLow),
            scaleHigh: try c.decode(Float.self, forKey: .scaleHigh),
            flipProbability: try c.decode(Float.self, forKey: .flipProbability),
            brightness: try c.decode(Float.self, forKey: .brightness),
            contrast: try c.decode(Float.self, forKey: .contrast),
            occlusion: try c.decodeIfPresent(Float.self, forKey: .occlusion) ?? 0)
    }
}
