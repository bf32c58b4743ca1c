import Tensor

extension Image {
    /// Brightness scaled by `factor` (0 gives black, 1 the original), clamped to `0...1`, as
    /// torchvision's `adjust_brightness`. Alpha is kept.
    public func adjustingBrightness(_ factor: Float) -> Image {
        blended(with: { _, _ in 0 }, factor: factor)
    }

    /// Contrast blended toward the mean gray level of the whole image by `factor` (0 gives a
    /// uniform gray, 1 the original), clamped, as torchvision's `adjust_contrast`.
    public func adjustingContrast(_ factor: Float) -> Image {
        let gray = grayscale()
        let mean = gray.pixels.reduce(0, +) / Float(Swift.max(1, gray.pixels.count))
        return blended(with: { _, _ in mean }, factor: factor)
    }

    /// Saturation blended toward the image's own grayscale by `factor` (0 gives gray, 1 the
    /// original, 2 doubles saturation), clamped, as torchvision's `adjust_saturation`. Gray
    /// images are returned unchanged.
    public func adjustingSaturation(_ factor: Float) -> Image {
        guard channels >= 3 else { return self }
        let gray = grayscale()
        return gray.pixels.withUnsafeBufferPointer { g in
            blended(with: { _, i in g[i] }, factor: factor)
        }
    }

    /// `clamp(factor * x + (1 - factor) * other(channel, pixel))` over the color channels.
    private func blended(with other: (Int, Int) -> Float, factor: Float) -> Image {
        var result = self
        let n = pixelCount
        let colorChannels = hasAlpha ? channels - 1 : channels
        result.pixels.withUnsafeMutableBufferPointer { p in
            for c in 0..<colorChannels {
                for i in 0..<n {
                    let v = factor * p[c * n + i] + (1 - factor) * other(c, i)
                    p[c * n + i] = Swift.min(Swift.max(v, 0), 1)
                }
            }
        }
        return result
    }
}

/// Random brightness, contrast and saturation changes, as torchvision's `ColorJitter`
/// (without hue): each factor is drawn uniformly from `[max(0, 1 - s), 1 + s]` for
/// strength `s`, and the three adjustments run in a random order.
///
/// ```swift
/// var rng = RandomGenerator(seed: 7)
/// let jitter = ColorJitter(brightness: 0.3, contrast: 0.3, saturation: 0.3)
/// let augmented = jitter.apply(to: image, using: &rng)
/// ```
public struct ColorJitter: Sendable, Equatable {
    /// The brightness strength `s`: factors are drawn from `[max(0, 1 - s), 1 + s]`; 0 leaves
    /// brightness alone.
    public var brightness: Float
    /// The contrast strength `s`: factors are drawn from `[max(0, 1 - s), 1 + s]`; 0 leaves
    /// contrast alone.
    public var contrast: Float
    /// The saturation strength `s`: factors are drawn from `[max(0, 1 - s), 1 + s]`; 0 leaves
    /// saturation alone. Gray images are unaffected.
    public var saturation: Float

    /// A jitter with the given non-negative strengths; the defaults change nothing.
    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0) {
        precondition(brightness >= 0 && contrast >= 0 && saturation >= 0, "ColorJitter: strengths must be non-negative")
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
    }

    /// `image` with freshly drawn factors applied. Geometry is untouched, so keypoints stay.
    public func apply(to image: Image, using generator: inout RandomGenerator) -> Image {
        var order = [0, 1, 2]
        for i in stride(from: 2, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        func factor(_ strength: Float) -> Float {
            let low = Swift.max(0, 1 - strength), high = 1 + strength
            return low + (high - low) * generator.nextUniform()
        }
        var result = image
        for step in order {
            switch step {
            case 0 where brightness > 0: result = result.adjustingBrightness(factor(brightness))
            case 1 where contrast > 0: result = result.adjustingContrast(factor(contrast))
            case 2 where saturation > 0: result = result.adjustingSaturation(factor(saturation))
            default: break
            }
        }
        return result
    }
}
