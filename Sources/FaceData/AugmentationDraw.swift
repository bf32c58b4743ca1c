import Vision

/// One drawn set of geometric augmentation parameters.
public struct AugmentationDraw: Sendable, Equatable {
    /// Degrees, counter-clockwise on screen.
    public var rotation: Float
    /// Fractions of the input width and height.
    public var shift: SIMD2<Float>
    /// The zoom factor about the input's center (above 1 zooms in).
    public var scale: Float
    /// Whether the input is mirrored horizontally (before the scale, rotation and shift).
    public var flip: Bool

    /// A draw with the given parameters; the defaults leave the input unchanged.
    public init(rotation: Float = 0, shift: SIMD2<Float> = .zero, scale: Float = 1, flip: Bool = false) {
        self.rotation = rotation
        self.shift = shift
        self.scale = scale
        self.flip = flip
    }

    /// The map from un-augmented to augmented input pixels for a `width x height` input:
    /// mirror, then scale and rotate about the center, then shift.
    public func transform(width: Int, height: Int) -> Affine2D {
        let center = Point(Float(width) / 2, Float(height) / 2)
        var t = flip ? Affine2D.horizontalFlip(width: width) : .identity
        t = t.then(.scale(scale, about: center))
            .then(.rotation(degrees: rotation, about: center))
            .then(.translation(dx: shift.x * Float(width), dy: shift.y * Float(height)))
        return t
    }
}
