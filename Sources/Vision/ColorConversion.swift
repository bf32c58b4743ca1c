extension Image {
    /// ITU-R BT.601 luma weights for red, green and blue, as PIL's `convert("L")` and
    /// torchvision's `rgb_to_grayscale` use them (not scikit-image's BT.709 `rgb2gray`).
    public static let lumaWeights: (red: Float, green: Float, blue: Float) = (0.299, 0.587, 0.114)

    /// A one-channel image: `0.299 R + 0.587 G + 0.114 B` for color images (alpha dropped),
    /// the gray plane for gray images. PIL's `convert("L")` gives the same value rounded to
    /// 8 bits.
    public func grayscale() -> Image {
        switch channels {
        case 1: return self
        case 2: return Image(width: width, height: height, channels: 1, pixels: Array(plane(0)))
        default:
            let n = pixelCount
            let (wr, wg, wb) = Image.lumaWeights
            let gray = pixels.withUnsafeBufferPointer { p in
                [Float](unsafeUninitializedCapacity: n) { out, initialized in
                    for i in 0..<n { out[i] = wr * p[i] + wg * p[n + i] + wb * p[2 * n + i] }
                    initialized = n
                }
            }
            return Image(width: width, height: height, channels: 1, pixels: gray)
        }
    }

    /// A three-channel image: gray is replicated, alpha is dropped (as PIL's `convert("RGB")`).
    public func rgb() -> Image {
        switch channels {
        case 3: return self
        case 4: return Image(width: width, height: height, channels: 3, pixels: Array(pixels[0..<(3 * pixelCount)]))
        default:
            let gray = plane(0)
            return Image(width: width, height: height, channels: 3, pixels: Array(gray) + Array(gray) + Array(gray))
        }
    }

    /// The image without its alpha channel (gray + alpha becomes gray, RGBA becomes RGB).
    public func removingAlpha() -> Image {
        switch channels {
        case 2: return Image(width: width, height: height, channels: 1, pixels: Array(plane(0)))
        case 4: return rgb()
        default: return self
        }
    }

    /// The image with `channels` channels: 1 via ``grayscale()``, 3 via ``rgb()``.
    public func converted(toChannels target: Int) -> Image {
        precondition(target == 1 || target == 3, "Image.converted(toChannels:): expected 1 or 3, got \(target)")
        return target == 1 ? grayscale() : rgb()
    }
}
