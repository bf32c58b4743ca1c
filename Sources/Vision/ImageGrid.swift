import Tensor

extension Image {
    /// Tiles images (converted to RGB) left to right, top to bottom into one RGB image.
    ///
    /// Cells are as large as the largest image; each image sits at its cell's top-left. With
    /// `captions` (one per image, may be empty strings) a line of text is drawn under each
    /// cell at `captionScale`.
    public static func grid(
        _ images: [Image], columns: Int, margin: Int = 2, background: Color = .white,
        captions: [String]? = nil, captionColor: Color = .black, captionScale: Int = 1
    ) -> Image {
        precondition(columns > 0, "Image.grid: columns must be positive, got \(columns)")
        precondition(
            captions == nil || captions!.count == images.count,
            "Image.grid: \(images.count) images but \(captions!.count) captions")
        guard !images.isEmpty else { return Image(width: 0, height: 0, channels: 3) }
        let cellWidth = images.map(\.width).max()!, cellHeight = images.map(\.height).max()!
        let captionHeight = captions == nil ? 0 : BitmapFont.lineHeight * captionScale + 2
        let rows = (images.count + columns - 1) / columns
        let usedColumns = Swift.min(columns, images.count)
        let width = margin + usedColumns * (cellWidth + margin)
        let height = margin + rows * (cellHeight + captionHeight + margin)
        var result = Image(width: width, height: height, color: background)
        for (index, image) in images.enumerated() {
            let x = margin + (index % columns) * (cellWidth + margin)
            let y = margin + (index / columns) * (cellHeight + captionHeight + margin)
            result.paste(image.rgb(), x: x, y: y)
            if let captions {
                result.drawText(captions[index], x: x, y: y + cellHeight + 2, color: captionColor, scale: captionScale)
            }
        }
        return result
    }

    /// Copies `image` (same channel count) into this one with its top-left pixel at `(x, y)`,
    /// clipping at the border.
    public mutating func paste(_ image: Image, x: Int, y: Int) {
        precondition(image.channels == channels, "Image.paste: \(image) into \(self) needs equal channel counts")
        let x0 = Swift.max(0, x), x1 = Swift.min(width, x + image.width)
        let y0 = Swift.max(0, y), y1 = Swift.min(height, y + image.height)
        guard x0 < x1 && y0 < y1 else { return }
        let n = pixelCount, m = image.pixelCount
        image.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for row in y0..<y1 {
                        (dst.baseAddress! + c * n + row * width + x0)
                            .update(from: src.baseAddress! + c * m + (row - y) * image.width + (x0 - x), count: x1 - x0)
                    }
                }
            }
        }
    }

    /// Convolution filters as a picture: every filter min-max normalized to `0...1` on its
    /// own, enlarged by `scale` (nearest neighbour) and tiled with `margin` pixels of
    /// `background`. Filters with 3 input channels are drawn in color, one tile per output
    /// channel; otherwise each (output, input) pair is a gray tile, one row per output channel
    /// (`columns` is then the input-channel count).
    ///
    /// Shape: `weights` is `[out, in, kH, kW]`.
    public static func filterGrid(
        _ weights: Tensor, scale: Int = 4, margin: Int = 1, columns: Int? = nil,
        background: Color = .white
    ) -> Image {
        precondition(weights.rank == 4, "Image.filterGrid: expected weights [out, in, kH, kW], got \(weights.shape)")
        precondition(scale >= 1, "Image.filterGrid: scale must be at least 1")
        let (outputs, inputs, kh, kw) = (weights.shape[0], weights.shape[1], weights.shape[2], weights.shape[3])
        let values = weights.scalars
        var tiles: [Image] = []
        let color = inputs == 3
        let perTile = color ? 3 * kh * kw : kh * kw
        for start in stride(from: 0, to: values.count, by: perTile) {
            let filter = Array(values[start..<(start + perTile)])
            let low = filter.min() ?? 0, high = filter.max() ?? 0
            let range = high - low
            let normalized = filter.map { range > 0 ? ($0 - low) / range : 0.5 }
            let tile = Image(width: kw, height: kh, channels: color ? 3 : 1, pixels: normalized)
            tiles.append(tile.resized(width: kw * scale, height: kh * scale, interpolation: .nearest))
        }
        let columnCount = columns ?? (color ? Swift.max(1, Int(Float(outputs).squareRoot().rounded(.up))) : inputs)
        return grid(tiles, columns: columnCount, margin: margin, background: background)
    }

    /// How ``resized(width:height:interpolation:)`` samples.
    public enum Interpolation: Sendable {
        /// Each output pixel copies the source pixel under its center (for enlarging masks,
        /// filters and pixel art).
        case nearest
        /// Bilinear with antialiasing, as ``resized(width:height:antialias:)``.
        case bilinear
    }

    /// The image resized with the chosen interpolation.
    public func resized(width newWidth: Int, height newHeight: Int, interpolation: Interpolation) -> Image {
        switch interpolation {
        case .bilinear: return resized(width: newWidth, height: newHeight, antialias: true)
        case .nearest:
            precondition(newWidth >= 0 && newHeight >= 0, "Image.resized: negative size \(newWidth)x\(newHeight)")
            var result = Image(width: newWidth, height: newHeight, channels: channels)
            let xs = (0..<newWidth).map {
                Swift.min(width - 1, Int((Float($0) + 0.5) * Float(width) / Float(newWidth)))
            }
            let ys = (0..<newHeight).map {
                Swift.min(height - 1, Int((Float($0) + 0.5) * Float(height) / Float(newHeight)))
            }
            let n = pixelCount, on = newWidth * newHeight
            for c in 0..<channels {
                for (oy, sy) in ys.enumerated() {
                    for (ox, sx) in xs.enumerated() {
                        result.pixels[c * on + oy * newWidth + ox] = pixels[c * n + sy * width + sx]
                    }
                }
            }
            return result
        }
    }
}
