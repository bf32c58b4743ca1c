import Tensor

/// A random rectangle painted over the image in one random colour, as PIPNet's training
/// augmentation (`RandomOcclude`): with probability ``probability``, a box whose width and
/// height are each drawn uniformly from `[0, maxSize]` times the image's, placed uniformly
/// inside the image, filled with a colour drawn uniformly per channel (in gray images, the first
/// channel's draw as gray). It teaches a keypoint model that a hand or an object over part of the face still
/// leaves the points where they are; geometry is untouched, so keypoints stay.
///
/// ```swift
/// var rng = RandomGenerator(seed: 7)
/// let occluded = RandomOcclusion(probability: 0.5).apply(to: image, using: &rng)
/// ```
public struct RandomOcclusion: Sendable, Equatable {
    /// The chance that an image is occluded at all.
    public var probability: Float
    /// The largest width and height of the box, as fractions of the image's.
    public var maxSize: Float

    /// An occlusion applied with chance `probability`, its box at most `maxSize` times the image's
    /// width and height (both in `0...1`). The default probability 0 never occludes.
    public init(probability: Float = 0, maxSize: Float = 0.4) {
        precondition(
            (0...1).contains(probability), "RandomOcclusion: probability must be in [0, 1], got \(probability)")
        precondition((0...1).contains(maxSize), "RandomOcclusion: maxSize must be in [0, 1], got \(maxSize)")
        self.probability = probability
        self.maxSize = maxSize
    }

    /// Whether this never changes an image (and never draws from the generator).
    public var isNone: Bool { probability == 0 || maxSize == 0 }

    /// `image`, occluded with probability ``probability``. Draws nothing when ``isNone``;
    /// otherwise one number, then (when occluding) width, height, x, y and the three colour
    /// channels, in that order.
    public func apply(to image: Image, using generator: inout RandomGenerator) -> Image {
        guard !isNone, generator.nextUniform() < probability else { return image }
        let width = Float(image.width) * maxSize * generator.nextUniform()
        let height = Float(image.height) * maxSize * generator.nextUniform()
        let x = (Float(image.width) - width) * generator.nextUniform()
        let y = (Float(image.height) - height) * generator.nextUniform()
        let (red, green, blue) = (generator.nextUniform(), generator.nextUniform(), generator.nextUniform())
        let color =
            image.channels >= 3 ? Color(red: red, green: green, blue: blue) : Color(red: red, green: red, blue: red)
        var result = image
        result.fillRectangle(BoundingBox(x: x, y: y, width: width, height: height), color: color)
        return result
    }
}
