/// Drawing primitives. They work in continuous pixel coordinates (pixel `(x, y)`'s center is
/// `(x + 0.5, y + 0.5)`), clip at the image border, and write `color` into RGB(A) images or
/// its luma into gray images (alpha, if any, becomes opaque). Nothing is anti-aliased.
extension Image {
    /// Sets pixel `(x, y)` to `color` when it is inside the image.
    public mutating func setPixel(x: Int, y: Int, color: Color) {
        guard x >= 0 && x < width && y >= 0 && y < height else { return }
        let n = pixelCount, i = y * width + x
        if channels >= 3 {
            pixels[i] = color.red
            pixels[n + i] = color.green
            pixels[2 * n + i] = color.blue
            if channels == 4 { pixels[3 * n + i] = 1 }
        } else {
            pixels[i] = color.luma
            if channels == 2 { pixels[n + i] = 1 }
        }
    }

    /// Colors every pixel whose center satisfies `inside`, scanning the given pixel bounds.
    private mutating func paint(xRange: ClosedRange<Float>, yRange: ClosedRange<Float>, color: Color,
                                _ inside: (Point) -> Bool) {
        let x0 = Swift.max(0, Int(xRange.lowerBound.rounded(.down))), x1 = Swift.min(width - 1, Int(xRange.upperBound.rounded(.up)))
        let y0 = Swift.max(0, Int(yRange.lowerBound.rounded(.down))), y1 = Swift.min(height - 1, Int(yRange.upperBound.rounded(.up)))
        guard x0 <= x1 && y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 where inside(Point(Float(x) + 0.5, Float(y) + 0.5)) {
                setPixel(x: x, y: y, color: color)
            }
        }
    }

    /// A filled disk: every pixel whose center lies within `radius` of `center`. A radius
    /// below 0.71 still colors the pixel containing `center`.
    public mutating func fillCircle(center: Point, radius: Float, color: Color) {
        guard center.x.isFinite && center.y.isFinite else { return }
        paint(xRange: (center.x - radius - 1)...(center.x + radius + 1),
              yRange: (center.y - radius - 1)...(center.y + radius + 1), color: color) { p in
            let d = p - center
            return (d * d).sum() <= radius * radius
        }
        setPixel(x: Int(center.x.rounded(.down)), y: Int(center.y.rounded(.down)), color: color)
    }

    /// A circle outline of `thickness` pixels centered on the radius.
    public mutating func drawCircle(center: Point, radius: Float, color: Color, thickness: Float = 1) {
        guard center.x.isFinite && center.y.isFinite else { return }
        let half = Swift.max(thickness, 1) / 2
        paint(xRange: (center.x - radius - half - 1)...(center.x + radius + half + 1),
              yRange: (center.y - radius - half - 1)...(center.y + radius + half + 1), color: color) { p in
            let d = p - center
            return Swift.abs((d * d).sum().squareRoot() - radius) <= half
        }
    }

    /// A straight segment from `start` to `end`, `thickness` pixels wide.
    public mutating func drawLine(from start: Point, to end: Point, color: Color, thickness: Float = 1) {
        guard start.x.isFinite && start.y.isFinite && end.x.isFinite && end.y.isFinite else { return }
        let half = Swift.max(thickness, 1) / 2
        if thickness <= 1 {
            // One pixel wide: step along the longer axis so the line has no gaps.
            let delta = end - start
            let steps = Int(Swift.max(Swift.abs(delta.x), Swift.abs(delta.y)).rounded(.up))
            guard steps < 1 << 20 else { return }
            for i in 0...Swift.max(steps, 0) {
                let p = steps == 0 ? start : start + delta * (Float(i) / Float(steps))
                setPixel(x: Int(p.x.rounded(.down)), y: Int(p.y.rounded(.down)), color: color)
            }
            return
        }
        let low = pointwiseMin(start, end), high = pointwiseMax(start, end)
        let direction = end - start
        let lengthSquared = (direction * direction).sum()
        paint(xRange: (low.x - half - 1)...(high.x + half + 1), yRange: (low.y - half - 1)...(high.y + half + 1), color: color) { p in
            let t = lengthSquared > 0 ? Swift.min(Swift.max(((p - start) * direction).sum() / lengthSquared, 0), 1) : 0
            let d = p - (start + direction * t)
            return (d * d).sum() <= half * half
        }
    }

    /// A polyline through `points`.
    public mutating func drawPolyline(_ points: [Point], color: Color, thickness: Float = 1) {
        for (p, q) in zip(points, points.dropFirst()) { drawLine(from: p, to: q, color: color, thickness: thickness) }
    }

    /// The outline of `box`, drawn on the pixels just inside its edges.
    public mutating func drawRectangle(_ box: BoundingBox, color: Color, thickness: Int = 1) {
        let x0 = Int(box.x.rounded()), y0 = Int(box.y.rounded())
        let x1 = Int(box.maxX.rounded()) - 1, y1 = Int(box.maxY.rounded()) - 1
        guard x1 >= x0 && y1 >= y0 else { return }
        for t in 0..<Swift.max(thickness, 1) {
            for x in x0...x1 {
                setPixel(x: x, y: y0 + t, color: color)
                setPixel(x: x, y: y1 - t, color: color)
            }
            for y in y0...y1 {
                setPixel(x: x0 + t, y: y, color: color)
                setPixel(x: x1 - t, y: y, color: color)
            }
        }
    }

    /// Fills every pixel whose center lies inside `box`.
    public mutating func fillRectangle(_ box: BoundingBox, color: Color) {
        let x0 = Swift.max(0, Int(box.x.rounded())), y0 = Swift.max(0, Int(box.y.rounded()))
        let x1 = Swift.min(width, Int(box.maxX.rounded())), y1 = Swift.min(height, Int(box.maxY.rounded()))
        guard x0 < x1 && y0 < y1 else { return }
        for y in y0..<y1 { for x in x0..<x1 { setPixel(x: x, y: y, color: color) } }
    }

    /// Each keypoint as a filled disk of `radius` (ground truth is conventionally
    /// ``Color/groundTruth``, green; predictions ``Color/prediction``, red); absent points
    /// (NaN) are skipped.
    public mutating func drawKeypoints(_ points: [Point], color: Color, radius: Float = 1.5) {
        for p in points where p.isPresent { fillCircle(center: p, radius: radius, color: color) }
    }

    /// Ground truth (green) and predicted (red) keypoints, with a thin line joining each
    /// pair when `connect` is true.
    public mutating func drawKeypointComparison(groundTruth: [Point], prediction: [Point], radius: Float = 1.5, connect: Bool = false) {
        if connect {
            for (g, p) in zip(groundTruth, prediction) where g.isPresent && p.isPresent { drawLine(from: g, to: p, color: .yellow) }
        }
        drawKeypoints(groundTruth, color: .groundTruth, radius: radius)
        drawKeypoints(prediction, color: .prediction, radius: radius)
    }
}
