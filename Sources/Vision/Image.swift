/// A raster image with `Float32` samples in `0...1`, stored planar (channel-height-width).
///
/// Channels: 1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA. Sample `(x, y)` of channel `c`
/// is `pixels[(c * height + y) * width + x]`, so each channel plane is contiguous and the
/// whole buffer is already in the `[C, H, W]` layout of a `Tensor`.
///
/// Coordinates: pixel `(x, y)` covers the square `[x, x+1) x [y, y+1)`; its center is at
/// `(x + 0.5, y + 0.5)`. Keypoints and ``Affine2D`` use the same continuous system
/// (see `Docs/Coordinates.md`).
///
/// ```swift
/// let image = try Image(contentsOf: URL(fileURLWithPath: "face.jpg"))   // RGB, 0...1
/// let small = image.grayscale().resized(width: 96, height: 96)
/// let input = small.tensor()                                          // [1, 96, 96]
/// ```
public struct Image: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Samples per pixel: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    /// Planar samples in `0...1`, `channels * height * width` of them, channel plane by plane.
    public internal(set) var pixels: [Float]

    /// An image holding `pixels` (planar, channel-height-width).
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0, "Image: negative size \(width)x\(height)")
        precondition((1...4).contains(channels), "Image: channels must be 1...4, got \(channels)")
        precondition(
            pixels.count == width * height * channels,
            "Image: \(width)x\(height)x\(channels) needs \(width * height * channels) samples, got \(pixels.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image with every sample equal to `value`.
    public init(width: Int, height: Int, channels: Int, fill value: Float = 0) {
        self.init(
            width: width, height: height, channels: channels,
            pixels: [Float](repeating: value, count: Swift.max(0, width * height * channels)))
    }

    /// An RGB image filled with `color`.
    public init(width: Int, height: Int, color: Color) {
        self.init(width: width, height: height, channels: 3)
        let n = width * height
        pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                p[i] = color.red
                p[n + i] = color.green
                p[2 * n + i] = color.blue
            }
        }
    }

    /// Pixels per channel plane (`width * height`).
    public var pixelCount: Int { width * height }

    /// Whether the last channel is alpha (2 or 4 channels).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// The sample at column `x`, row `y` of `channel`.
    public subscript(x: Int, y: Int, channel: Int) -> Float {
        get {
            precondition(
                x >= 0 && x < width && y >= 0 && y < height && channel >= 0 && channel < channels,
                "Image subscript: (\(x), \(y), \(channel)) is outside \(width)x\(height)x\(channels)")
            return pixels[(channel * height + y) * width + x]
        }
        set {
            precondition(
                x >= 0 && x < width && y >= 0 && y < height && channel >= 0 && channel < channels,
                "Image subscript: (\(x), \(y), \(channel)) is outside \(width)x\(height)x\(channels)")
            pixels[(channel * height + y) * width + x] = newValue
        }
    }

    /// The samples of one channel, row by row. Count: `width * height`.
    public func plane(_ channel: Int) -> ArraySlice<Float> {
        precondition(channel >= 0 && channel < channels, "Image.plane: channel \(channel) of \(channels)")
        return pixels[(channel * pixelCount)..<((channel + 1) * pixelCount)]
    }

    /// Calls `body` with write access to the planar samples.
    public mutating func withUnsafeMutablePixels<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Every sample clamped to `0...1`.
    public func clamped() -> Image {
        var result = self
        result.pixels.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = Swift.min(Swift.max(p[i], 0), 1) }
        }
        return result
    }
}

extension Image: CustomStringConvertible {
    public var description: String {
        let kind = ["", "gray", "gray+alpha", "RGB", "RGBA"][channels]
        return "Image(\(width)x\(height) \(kind))"
    }
}
