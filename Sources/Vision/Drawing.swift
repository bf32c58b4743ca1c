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

    /// Sets the pixel containing the continuous point `p` when it is inside the image; points
    /// far outside (even beyond `Int`'s range) are skipped, never converted.
    private mutating func setPixel(containing p: Point, color: Color) {
        guard p.x >= 0 && p.x < Float(width) && p.y >= 0 && p.y < Float(height) else { return }
        setPixel(x: Int(p.x), y: Int(p.y), color: color)
    }

    /// `value` rounded by `rule` and clamped to `bounds`, so that coordinates of any size (1e30,
    /// or beyond `Int`'s range) clip instead of trapping; NaN maps to the lower bound.
    private func pixelIndex(
        _ value: Float, _ rule: FloatingPointRoundingRule, clampedTo bounds: ClosedRange<Int>
    ) -> Int {
        guard value > Float(bounds.lowerBound) else { return bounds.lowerBound }
        guard value < Float(bounds.upperBound) else { return bounds.upperBound }
        return Swift.min(Swift.max(Int(value.rounded(rule)), bounds.lowerBound), bounds.upperBound)
    }

    /// Colors every pixel whose center satisfies `inside`, scanning the given pixel bounds
    /// clipped to the image.
    private mutating func paint(
        xRange: ClosedRange<Float>, yRange: ClosedRange<Float>, color: Color,
        _ inside: (Point) -> Bool
    ) {
        let x0 = pixelIndex(xRange.lowerBound, .down, clampedTo: 0...width),
            x1 = pixelIndex(xRange.upperBound, .up, clampedTo: -1...width - 1)
        let y0 = pixelIndex(yRange.lowerBound, .down, clampedTo: 0...height),
            y1 = pixelIndex(yRange.upperBound, .up, clampedTo: -1...height - 1)
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
        guard center.x.isFinite && center.y.isFinite && !radius.isNaN else { return }
        let radius = Swift.max(radius, 0)  // a negative radius is a point
        paint(
            xRange: (center.x - radius - 1)...(center.x + radius + 1),
            yRange: (center.y - radius - 1)...(center.y + radius + 1), color: color
        ) { p in
            let d = p - center
            return (d * d).sum() <= radius * radius
        }
        setPixel(containing: center, color: color)
    }

    /// A circle outline of `thickness` pixels centered on the radius.
    public mutating func drawCircle(center: Point, radius: Float, color: Color, thickness: Float = 1) {
        guard center.x.isFinite && center.y.isFinite && !radius.isNaN && !thickness.isNaN else { return }
        let radius = Swift.max(radius, 0)
        let half = Swift.max(thickness, 1) / 2
        paint(
            xRange: (center.x - radius - half - 1)...(center.x + radius + half + 1),
            yRange: (center.y - radius - half - 1)...(center.y + radius + half + 1), color: color
        ) { p in
            let d = p - center
            return Swift.abs((d * d).sum().squareRoot() - radius) <= half
        }
    }

    /// A straight segment from `start` to `end`, `thickness` pixels wide.
    public mutating func drawLine(from start: Point, to end: Point, color: Color, thickness: Float = 1) {
        guard start.x.isFinite && start.y.isFinite && end.x.isFinite && end.y.isFinite && !thickness.isNaN else {
            return
        }
        let half = Swift.max(thickness, 1) / 2
        if thickness <= 1 {
            // One pixel wide: step along the longer axis so the line has no gaps.
            let delta = end - start
            let length = Swift.max(Swift.abs(delta.x), Swift.abs(delta.y)).rounded(.up)
            guard length < Float(1 << 20) else { return }
            let steps = Int(length)
            for i in 0...Swift.max(steps, 0) {
                let p = steps == 0 ? start : start + delta * (Float(i) / Float(steps))
                setPixel(containing: p, color: color)
            }
            return
        }
        let low = pointwiseMin(start, end), high = pointwiseMax(start, end)
        let direction = end - start
        let lengthSquared = (direction * direction).sum()
        paint(
            xRange: (low.x - half - 1)...(high.x + half + 1), yRange: (low.y - half - 1)...(high.y + half + 1),
            color: color
        ) { p in
            let t = lengthSquared > 0 ? Swift.min(Swift.max(((p - start) * direction).sum() / lengthSquared, 0), 1) : 0
            let d = p - (start + direction * t)
            return (d * d).sum() <= half * half
        }
    }

    /// A polyline through `points`.
    public mutating func drawPolyline(_ points: [Point], color: Color, thickness: Float = 1) {
        for (p, q) in zip(points, points.dropFirst()) { drawLine(from: p, to: q, color: color, thickness: thickness) }
    }

    /// The outline of `box`, drawn on the pixels just inside its edges. Only the part inside
    /// the image is visited, so a box of any size or thickness costs at most one pass over it.
    public mutating func drawRectangle(_ box: BoundingBox, color: Color, thickness: Int = 1) {
        guard box.x.isFinite && box.y.isFinite && box.maxX.isFinite && box.maxY.isFinite else { return }
        let band = Swift.max(thickness, 1)
        // Edges in pixel indices, clamped far enough outside the image that a band beyond it stays unseen.
        let columns = -band - 1...width + band, rows = -band - 1...height + band
        let left = pixelIndex(box.x, .toNearestOrAwayFromZero, clampedTo: columns)
        let top = pixelIndex(box.y, .toNearestOrAwayFromZero, clampedTo: rows)
        let right = pixelIndex(box.maxX, .toNearestOrAwayFromZero, clampedTo: columns) - 1
        let bottom = pixelIndex(box.maxY, .toNearestOrAwayFromZero, clampedTo: rows) - 1
        guard right >= left && bottom >= top else { return }
        let x0 = Swift.max(left, 0), x1 = Swift.min(right, width - 1)
        let y0 = Swift.max(top, 0), y1 = Swift.min(bottom, height - 1)
        guard x0 <= x1 && y0 <= y1 else { return }
        for y in y0...y1 {
            if y - top < band || bottom - y < band {
                for x in x0...x1 { setPixel(x: x, y: y, color: color) }
            } else {
                for x in stride(from: x0, through: Swift.min(x1, left + band - 1), by: 1) {
                    setPixel(x: x, y: y, color: color)
                }
                for x in stride(from: Swift.max(x0, right - band + 1), through: x1, by: 1) {
                    setPixel(x: x, y: y, color: color)
                }
            }
        }
    }

    /// Fills every pixel whose center lies inside `box`.
    public mutating func fillRectangle(_ box: BoundingBox, color: Color) {
        let x0 = pixelIndex(box.x, .toNearestOrAwayFromZero, clampedTo: 0...width)
        let y0 = pixelIndex(box.y, .toNearestOrAwayFromZero, clampedTo: 0...height)
        let x1 = pixelIndex(box.maxX, .toNearestOrAwayFromZero, clampedTo: 0...width)
        let y1 = pixelIndex(box.maxY, .toNearestOrAwayFromZero, clampedTo: 0...height)
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
    public mutating func drawKeypointComparison(
        groundTruth: [Point], prediction: [Point], radius: Float = 1.5, connect: Bool = false
    ) {
        if connect {
            for (g, p) in zip(groundTruth, prediction) where g.isPresent && p.isPresent {
                drawLine(from: g, to: p, color: .yellow)
            }
        }
        drawKeypoints(groundTruth, color: .groundTruth, radius: radius)
        drawKeypoints(prediction, color: .prediction, radius: radius)
    }
}
