import Tensor
import Vision

/// Area resampling, as PyTorch's `F.interpolate(mode: "area")` (that is,
/// `adaptive_avg_pool2d`): output cell `i` of `n` averages input rows
/// `floor(i * H / n) ..< ceil((i + 1) * H / n)`, and likewise for columns. Cells overlap when
/// the ratio is not an integer, and upsampling repeats samples.
///
/// The arithmetic is PyTorch's CPU kernel's, so results agree bit for bit: the window is summed
/// in Float32, rows outer and columns inner, then divided by its height and then by its width.
///
/// ```swift
/// let small = AreaResampling.resampled(batch, height: 24, width: 24)   // [N, C, 24, 24]
/// ```
public enum AreaResampling {
    /// `tensor` resampled to `height` x `width`.
    ///
    /// Shape: `[N, C, H, W]` -> `[N, C, height, width]`.
    public static func resampled(_ tensor: Tensor, height: Int, width: Int) -> Tensor {
        precondition(tensor.shape.count == 4, "AreaResampling: expected [N, C, H, W], got \(tensor.shape)")
        precondition(height > 0 && width > 0, "AreaResampling: output size must be positive, got \(height)x\(width)")
        let (n, c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
        precondition(h > 0 && w > 0, "AreaResampling: empty input \(tensor.shape)")
        var result = Tensor(uninitializedShape: [n, c, height, width])
        tensor.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for plane in 0..<(n * c) {
                    resample(
                        source, planeOffset: plane * h * w, rowStride: w,
                        region: (x: 0, y: 0, width: w, height: h),
                        into: target, at: plane * height * width, height: height, width: width)
                }
            }
        }
        return result
    }

    /// The image resampled to `width` x `height` (all channels, samples unchanged in range).
    ///
    /// Shape: an image `C x H x W` -> `C x height x width`.
    public static func resampled(_ image: Image, width: Int, height: Int) -> Image {
        let tensor = Tensor(shape: [1, image.channels, image.height, image.width], values: image.pixels)
        let out = resampled(tensor, height: height, width: width)
        return Image(width: width, height: height, channels: image.channels, pixels: out.scalars)
    }

    /// Resamples `region` of one plane of `source` (rows `rowStride` apart, starting at
    /// `planeOffset`) into `height` x `width` samples of `target` from `targetOffset`.
    /// The caller owns both buffers; the column windows, the same for every output row, are
    /// worked out once, on the stack.
    ///
    /// Shape: a `region.height x region.width` window -> `height x width`.
    @inlinable
    public static func resample(
        _ source: UnsafeBufferPointer<Float>, planeOffset: Int, rowStride: Int,
        region: (x: Int, y: Int, width: Int, height: Int),
        into target: UnsafeMutableBufferPointer<Float>, at targetOffset: Int,
        height: Int, width: Int
    ) {
        let inH = region.height, inW = region.width
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * width) { columns in
            // Output column ox averages input columns start[ox] ..< end[ox] of the region.
            let start = columns.baseAddress!, end = start + width
            for ox in 0..<width {
                start[ox] = (ox * inW) / width
                end[ox] = ((ox + 1) * inW + width - 1) / width
            }
            for oy in 0..<height {
                let y0 = (oy * inH) / height
                let y1 = ((oy + 1) * inH + height - 1) / height
                let kh = Float(y1 - y0)
                let firstRow = planeOffset + (region.y + y0) * rowStride + region.x
                let outRow = targetOffset + oy * width
                for ox in 0..<width {
                    let x0 = start[ox], x1 = end[ox]
                    var sum: Float = 0
                    var row = firstRow
                    for _ in y0..<y1 {
                        for xx in x0..<x1 { sum += source[row + xx] }
                        row += rowStride
                    }
                    target[outRow + ox] = sum / kh / Float(x1 - x0)
                }
            }
        }
    }
}
