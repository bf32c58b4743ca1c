import Tensor

extension Image {
    /// The image warped by `transform` onto a `width x height` canvas.
    ///
    /// `transform` maps source coordinates to output coordinates, exactly as it maps keypoints.
    /// Each output pixel center is sent back through `transform.inverse` and the source is
    /// sampled there bilinearly; samples outside the source read `fill` (so edges blend into
    /// it). With `antialias` (default) a transform that shrinks an axis by more than a few
    /// percent first resizes the source with ``resized(width:height:antialias:)`` and then
    /// warps by the adjusted transform, so strong shrinks do not alias.
    ///
    /// - Parameter fill: one value for all channels, e.g. 0 (black) or 0.5 (gray).
    public func warped(
        by transform: Affine2D, width outWidth: Int, height outHeight: Int,
        fill: Float = 0, antialias: Bool = true
    ) -> Image {
        precondition(outWidth >= 0 && outHeight >= 0, "Image.warped: negative output size \(outWidth)x\(outHeight)")
        if antialias && width > 0 && height > 0 {
            let scales = transform.axisScales
            let sx = Swift.min(scales.x, 1), sy = Swift.min(scales.y, 1)
            if sx < 0.95 || sy < 0.95 {
                let w1 = Swift.max(1, Int((Float(width) * sx).rounded()))
                let h1 = Swift.max(1, Int((Float(height) * sy).rounded()))
                if w1 < width || h1 < height {
                    let shrink = Affine2D.resize(fromWidth: width, fromHeight: height, toWidth: w1, toHeight: h1)
                    return resized(width: w1, height: h1)
                        .warped(
                            by: shrink.inverse.then(transform), width: outWidth, height: outHeight, fill: fill,
                            antialias: false)
                }
            }
        }
        let inverse = transform.inverse
        var result = Image(width: outWidth, height: outHeight, channels: channels, fill: fill)
        let (w, h, n, on, ch) = (width, height, width * height, outWidth * outHeight, channels)
        pixels.withUnsafeBufferPointer { src in
            result.pixels.withUnsafeMutableBufferPointer { dst in
                let dstBox = UncheckedSendable(dst)
                parallelRanges(outHeight, minimumPerThread: 16) { rows in
                    let dst = dstBox.value
                    for oy in rows {
                        // Source position of the output pixel center, minus 0.5 to index pixel centers.
                        let start = inverse.apply(Point(0.5, Float(oy) + 0.5))
                        var sx = start.x - 0.5, sy = start.y - 0.5
                        for ox in 0..<outWidth {
                            defer {
                                sx += inverse.a
                                sy += inverse.c
                            }
                            let fx = sx.rounded(.down), fy = sy.rounded(.down)
                            guard fx >= -1 && fy >= -1 && fx < Float(w) && fy < Float(h) else { continue }
                            let x0 = Int(fx), y0 = Int(fy)
                            let ax = sx - fx, ay = sy - fy
                            let w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay
                            let in00 = x0 >= 0 && y0 >= 0, in10 = x0 + 1 < w && y0 >= 0
                            let in01 = x0 >= 0 && y0 + 1 < h, in11 = x0 + 1 < w && y0 + 1 < h
                            let base = y0 * w + x0
                            for c in 0..<ch {
                                let p = c * n + base
                                var v = w00 * (in00 ? src[p] : fill)
                                v += w10 * (in10 ? src[p + 1] : fill)
                                v += w01 * (in01 ? src[p + w] : fill)
                                v += w11 * (in11 ? src[p + w + 1] : fill)
                                dst[c * on + oy * outWidth + ox] = v
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The `width x height` region whose top-left pixel is `(x, y)`, copied exactly; parts
    /// outside the image read `fill`. Keypoints follow with ``Affine2D/crop(x:y:)``.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int, fill: Float = 0) -> Image {
        precondition(cropWidth >= 0 && cropHeight >= 0, "Image.cropped: negative size \(cropWidth)x\(cropHeight)")
        var result = Image(width: cropWidth, height: cropHeight, channels: channels, fill: fill)
        let x0 = Swift.max(x, 0), x1 = Swift.min(x + cropWidth, width)
        let y0 = Swift.max(y, 0), y1 = Swift.min(y + cropHeight, height)
        guard x0 < x1 && y0 < y1 else { return result }
        let n = pixelCount, on = cropWidth * cropHeight
        pixels.withUnsafeBufferPointer { src in
            result.pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for row in y0..<y1 {
                        let from = src.baseAddress! + c * n + row * width + x0
                        let to = dst.baseAddress! + c * on + (row - y) * cropWidth + (x0 - x)
                        to.update(from: from, count: x1 - x0)
                    }
                }
            }
        }
        return result
    }

    /// The image mirrored left-right. Keypoints follow with
    /// ``Affine2D/horizontalFlip(width:)``.
    public func flippedHorizontally() -> Image {
        var result = self
        let w = width
        pixels.withUnsafeBufferPointer { src in
            result.pixels.withUnsafeMutableBufferPointer { dst in
                for row in 0..<(channels * height) {
                    let base = row * w
                    for x in 0..<w { dst[base + x] = src[base + w - 1 - x] }
                }
            }
        }
        return result
    }

    /// The image mirrored top-bottom. Keypoints follow with
    /// ``Affine2D/verticalFlip(height:)``.
    public func flippedVertically() -> Image {
        var result = self
        let (w, h) = (width, height)
        pixels.withUnsafeBufferPointer { src in
            result.pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for y in 0..<h {
                        let to = dst.baseAddress! + (c * h + y) * w
                        to.update(from: src.baseAddress! + (c * h + h - 1 - y) * w, count: w)
                    }
                }
            }
        }
        return result
    }
}
