import Tensor

/// Separable resampling weights for one axis, computed as PIL's `ImagingResample` does for
/// the bilinear (triangle) filter: output sample `i` is centered at `(i + 0.5) * scale` in
/// source coordinates; when shrinking with antialiasing the triangle is widened by the
/// shrink factor, so every source pixel contributes (a box-like average, no aliasing).
struct ResampleKernel {
    let starts: [Int]
    let counts: [Int]
    let weights: [Float]  // `taps` per output sample
    let taps: Int

    init(inputSize: Int, outputSize: Int, antialias: Bool) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = antialias ? Swift.max(scale, 1) : 1
        let support = 1.0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int](repeating: 0, count: outputSize)
        var counts = [Int](repeating: 0, count: outputSize)
        var weights = [Float](repeating: 0, count: outputSize * taps)
        var row = [Double](repeating: 0, count: taps)
        for i in 0..<outputSize {
            let center = (Double(i) + 0.5) * scale
            let low = Swift.max(0, Int(center - support + 0.5))
            let high = Swift.min(inputSize, Int(center + support + 0.5))
            var total = 0.0
            let n = Swift.max(0, Swift.min(high - low, taps))
            for k in 0..<n {
                let t = Swift.abs((Double(k + low) - center + 0.5) / filterScale)
                row[k] = t < 1 ? 1 - t : 0
                total += row[k]
            }
            for k in 0..<n { weights[i * taps + k] = Float(total != 0 ? row[k] / total : 0) }
            starts[i] = low
            counts[i] = n
        }
        self.starts = starts
        self.counts = counts
        self.weights = weights
        self.taps = taps
    }
}

extension Image {
    /// The image resized to `width x height` with bilinear interpolation. When shrinking and
    /// `antialias` is true (the default) the filter widens with the shrink factor, matching
    /// PIL's `Image.resize(BILINEAR)` and torchvision's `resize(antialias=True)` (on float
    /// samples, no 8-bit rounding). Keypoints follow with
    /// ``Affine2D/resize(fromWidth:fromHeight:toWidth:toHeight:)``.
    public func resized(width newWidth: Int, height newHeight: Int, antialias: Bool = true) -> Image {
        precondition(
            newWidth > 0 && newHeight > 0, "Image.resized: target size must be positive, got \(newWidth)x\(newHeight)")
        precondition(width > 0 && height > 0, "Image.resized: cannot resize an empty \(width)x\(height) image")
        if newWidth == width && newHeight == height { return self }
        let horizontal = ResampleKernel(inputSize: width, outputSize: newWidth, antialias: antialias)
        let vertical = ResampleKernel(inputSize: height, outputSize: newHeight, antialias: antialias)
        let (w, h, ow, oh) = (width, height, newWidth, newHeight)
        // Horizontal pass: [C, h, w] -> [C, h, ow]; vertical pass: -> [C, oh, ow].
        var middle = [Float](repeating: 0, count: channels * h * ow)
        pixels.withUnsafeBufferPointer { src in
            middle.withUnsafeMutableBufferPointer { dst in
                let dstBox = UncheckedSendable(dst)
                parallelRanges(channels * h, minimumPerThread: 64) { rows in
                    let dst = dstBox.value
                    for row in rows {
                        let input = src.baseAddress! + row * w
                        let output = dst.baseAddress! + row * ow
                        for x in 0..<ow {
                            let start = horizontal.starts[x], base = x * horizontal.taps
                            var sum: Float = 0
                            for k in 0..<horizontal.counts[x] { sum += horizontal.weights[base + k] * input[start + k] }
                            output[x] = sum
                        }
                    }
                }
            }
        }
        var result = Image(width: ow, height: oh, channels: channels)
        middle.withUnsafeBufferPointer { src in
            result.pixels.withUnsafeMutableBufferPointer { dst in
                let dstBox = UncheckedSendable(dst)
                parallelRanges(channels * oh, minimumPerThread: 64) { rows in
                    let dst = dstBox.value
                    for row in rows {
                        let channel = row / oh, y = row % oh
                        let plane = src.baseAddress! + channel * h * ow
                        let output = dst.baseAddress! + row * ow
                        for x in 0..<ow { output[x] = 0 }
                        let start = vertical.starts[y], base = y * vertical.taps
                        for k in 0..<vertical.counts[y] {
                            let weight = vertical.weights[base + k]
                            let input = plane + (start + k) * ow
                            for x in 0..<ow { output[x] += weight * input[x] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The image resized by `factor` in both directions (sizes rounded, at least 1).
    public func resized(by factor: Float, antialias: Bool = true) -> Image {
        resized(
            width: Swift.max(1, Int((Float(width) * factor).rounded())),
            height: Swift.max(1, Int((Float(height) * factor).rounded())), antialias: antialias)
    }
}
