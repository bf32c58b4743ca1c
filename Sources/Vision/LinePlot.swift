import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A line chart rendered to an RGB ``Image``: axes with ticks and numeric labels, axis
/// titles, a title and a legend. For loss curves per epoch and cumulative error curves.
///
/// ```swift
/// var plot = LinePlot(title: "Loss", xLabel: "epoch", yLabel: "MSE")
/// plot.add("training", x: epochs, y: trainLoss)
/// plot.add("validation", x: epochs, y: validationLoss)
/// try plot.render().write(to: URL(fileURLWithPath: "loss.png"))
/// ```
public struct LinePlot: Sendable {
    /// One named curve.
    public struct Series: Sendable {
        /// The legend label (an empty name leaves the curve out of the legend).
        public var name: String
        /// The data points, in data coordinates, joined by straight lines in this order.
        public var points: [Point]
        /// The color of the line and its markers.
        public var color: Color
        /// Draws a small square at every point as well as the line.
        public var markers: Bool
    }

    /// The title drawn above the chart (empty: none).
    public var title: String
    /// The x-axis title, drawn below the axis (empty: none).
    public var xLabel: String
    /// The y-axis title, drawn vertically left of the axis (empty: none).
    public var yLabel: String
    /// The curves, in the order they were added.
    public private(set) var series: [Series] = []
    /// A fixed x-axis range; `nil` fits the data.
    public var xRange: ClosedRange<Float>?
    /// A fixed y-axis range, in data units; `nil` fits the data with a little padding.
    public var yRange: ClosedRange<Float>?
    /// Plots `log10(y)` with ticks at powers of ten (values <= 0 are skipped).
    public var logarithmicY = false

    /// An empty plot with the given title and axis titles (empty strings draw none).
    public init(title: String = "", xLabel: String = "", yLabel: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Adds a curve; `color` defaults to the next ``Color/palette`` entry.
    public mutating func add(_ name: String, points: [Point], color: Color? = nil, markers: Bool = false) {
        series.append(
            Series(
                name: name, points: points, color: color ?? Color.palette[series.count % Color.palette.count],
                markers: markers))
    }

    /// Adds a curve from separate coordinate arrays of equal length.
    public mutating func add(_ name: String, x: [Float], y: [Float], color: Color? = nil, markers: Bool = false) {
        precondition(x.count == y.count, "LinePlot.add: \(x.count) x values but \(y.count) y values")
        add(name, points: zip(x, y).map { Point($0, $1) }, color: color, markers: markers)
    }

    /// Tick positions: about `target` "nice" values (1, 2 or 5 times a power of ten) in `range`.
    static func ticks(_ range: ClosedRange<Float>, target: Int = 6) -> (values: [Float], step: Float) {
        let span = Double(range.upperBound - range.lowerBound)
        guard span > 0 && span.isFinite else { return ([range.lowerBound], 1) }
        let raw = span / Double(target)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var values: [Float] = []
        var v = (Double(range.lowerBound) / step).rounded(.up) * step
        while v <= Double(range.upperBound) + step * 1e-6 {
            values.append(Float(Swift.abs(v) < step * 1e-9 ? 0 : v))
            v += step
        }
        return (values, Float(step))
    }

    /// A tick label with as many decimals as the step needs.
    static func label(_ value: Float, step: Float) -> String {
        let decimals = Swift.max(0, Int((-log10(Double(step))).rounded(.up)))
        if Swift.abs(value) >= 1e5 || (Swift.abs(value) < 1e-4 && value != 0) {
            return String(format: "%.0e", Double(value))
        }
        return String(format: "%.\(Swift.min(decimals, 6))f", Double(value))
    }

    /// Draws the chart on a white `width x height` RGB image.
    public func render(width: Int = 640, height: Int = 480) -> Image {
        var image = Image(width: width, height: height, color: .white)
        func transformY(_ y: Float) -> Float? { logarithmicY ? (y > 0 ? log10f(y) : nil) : y }
        let all = series.flatMap { $0.points }.compactMap { p -> Point? in
            guard let y = transformY(p.y), p.x.isFinite, y.isFinite else { return nil }
            return Point(p.x, y)
        }
        var xr = xRange ?? ((all.map(\.x).min() ?? 0)...(all.map(\.x).max() ?? 1))
        var yr: ClosedRange<Float>
        if let yRange, let low = transformY(yRange.lowerBound), let high = transformY(yRange.upperBound) {
            yr = low...high
        } else {
            let low = all.map(\.y).min() ?? 0, high = all.map(\.y).max() ?? 1
            let pad = (high - low) * 0.05
            yr = (low - pad)...(high + pad)
        }
        if xr.upperBound <= xr.lowerBound { xr = (xr.lowerBound - 1)...(xr.lowerBound + 1) }
        if yr.upperBound <= yr.lowerBound { yr = (yr.lowerBound - 1)...(yr.lowerBound + 1) }

        let xTicks = LinePlot.ticks(xr)
        let yTicks =
            logarithmicY
            ? ((Int(yr.lowerBound.rounded(.up)))...Swift.max(
                Int(yr.lowerBound.rounded(.up)), Int(yr.upperBound.rounded(.down)))).map(Float.init)
            : LinePlot.ticks(yr).values
        let yStep = logarithmicY ? 1 : LinePlot.ticks(yr).step
        let yLabels = yTicks.map {
            logarithmicY ? LinePlot.label(powf(10, $0), step: powf(10, $0)) : LinePlot.label($0, step: yStep)
        }
        let labelWidth = (yLabels.map { BitmapFont.size(of: $0).width }.max() ?? 0)

        // Plot area in pixels.
        let left = 12 + (yLabel.isEmpty ? 0 : BitmapFont.lineHeight + 6) + labelWidth + 6
        let right = width - 12
        let top = title.isEmpty ? 12 : 12 + 2 * BitmapFont.lineHeight + 6
        let bottom = height - 12 - BitmapFont.lineHeight - 6 - (xLabel.isEmpty ? 0 : BitmapFont.lineHeight + 6)
        guard right - left > 10 && bottom - top > 10 else { return image }
        func px(_ x: Float) -> Float {
            Float(left) + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * Float(right - left)
        }
        func py(_ y: Float) -> Float {
            Float(bottom) - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * Float(bottom - top)
        }

        // Grid, ticks and labels.
        for x in xTicks.values {
            let p = Int(px(x))
            image.drawLine(
                from: Point(Float(p) + 0.5, Float(top)), to: Point(Float(p) + 0.5, Float(bottom)),
                color: Color.lightGray)
            image.drawLine(
                from: Point(Float(p) + 0.5, Float(bottom)), to: Point(Float(p) + 0.5, Float(bottom + 4)), color: .black)
            let text = LinePlot.label(x, step: xTicks.step)
            image.drawText(text, x: p - BitmapFont.size(of: text).width / 2, y: bottom + 6, color: .black)
        }
        for (y, text) in zip(yTicks, yLabels) {
            let p = Int(py(y))
            image.drawLine(
                from: Point(Float(left), Float(p) + 0.5), to: Point(Float(right), Float(p) + 0.5),
                color: Color.lightGray)
            image.drawLine(
                from: Point(Float(left - 4), Float(p) + 0.5), to: Point(Float(left), Float(p) + 0.5), color: .black)
            image.drawText(
                text, x: left - 6 - BitmapFont.size(of: text).width, y: p - BitmapFont.glyphHeight / 2, color: .black)
        }
        image.drawRectangle(
            BoundingBox(x: Float(left), y: Float(top), width: Float(right - left + 1), height: Float(bottom - top + 1)),
            color: .black)

        // Titles.
        if !title.isEmpty {
            image.drawText(
                title, x: (left + right) / 2 - BitmapFont.size(of: title, scale: 2).width / 2, y: 10, color: .black,
                scale: 2)
        }
        if !xLabel.isEmpty {
            image.drawText(
                xLabel, x: (left + right) / 2 - BitmapFont.size(of: xLabel).width / 2,
                y: height - 10 - BitmapFont.glyphHeight, color: .black)
        }
        if !yLabel.isEmpty {
            image.drawText(
                yLabel, x: 10, y: (top + bottom) / 2 + BitmapFont.size(of: yLabel).width / 2, color: .black,
                vertical: true)
        }

        // Curves, clipped to the plot area by skipping segments outside it.
        var area = image.cropped(x: left + 1, y: top + 1, width: right - left - 1, height: bottom - top - 1)
        let shift = Point(Float(left + 1), Float(top + 1))
        for s in series {
            let points = s.points.compactMap { p -> Point? in
                guard let y = transformY(p.y), p.x.isFinite, y.isFinite else { return nil }
                return Point(px(p.x), py(y)) - shift
            }
            area.drawPolyline(points, color: s.color, thickness: 2)
            if s.markers {
                for p in points {
                    area.fillRectangle(BoundingBox(x: p.x - 2, y: p.y - 2, width: 4, height: 4), color: s.color)
                }
            }
        }
        image.paste(area, x: left + 1, y: top + 1)

        // Legend in the top-right corner of the plot area.
        let named = series.filter { !$0.name.isEmpty }
        if !named.isEmpty {
            let textWidth = named.map { BitmapFont.size(of: $0.name).width }.max()!
            let boxWidth = textWidth + 34, boxHeight = named.count * 12 + 6
            let bx = right - boxWidth - 8, by = top + 8
            let box = BoundingBox(x: Float(bx), y: Float(by), width: Float(boxWidth), height: Float(boxHeight))
            image.fillRectangle(box, color: .white)
            image.drawRectangle(box, color: .gray)
            for (i, s) in named.enumerated() {
                let y = by + 4 + i * 12
                image.drawLine(
                    from: Point(Float(bx + 6), Float(y) + 4), to: Point(Float(bx + 24), Float(y) + 4), color: s.color,
                    thickness: 2)
                image.drawText(s.name, x: bx + 28, y: y, color: .black)
            }
        }
        return image
    }
}
