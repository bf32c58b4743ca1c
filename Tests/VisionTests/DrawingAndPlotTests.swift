import Foundation
import Tensor
import Testing

@testable import Vision

@Suite("Drawing and plots")
struct DrawingAndPlotTests {
    @Test("keypoints, lines, rectangles and text land where asked; PNG written")
    func drawing() throws {
        var image = Image(width: 60, height: 40, color: .black)
        image.drawKeypointComparison(groundTruth: [Point(10.5, 10.5)], prediction: [Point(30.5, 10.5)], radius: 2)
        image.drawLine(from: Point(0, 30.5), to: Point(60, 30.5), color: .blue)
        image.drawRectangle(BoundingBox(x: 40, y: 20, width: 10, height: 8), color: .yellow)
        image.drawCircle(center: Point(50, 8), radius: 5, color: .white)
        image.drawText("Hi", x: 2, y: 2, color: .white)

        let dir = try Files.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("drawing.png")
        try image.write(to: url)
        let back = try Image(contentsOf: url)
        #expect(back.width == 60 && back.height == 40 && back.channels == 3)
        func rgb(_ x: Int, _ y: Int) -> [Float] { (0..<3).map { back[x, y, $0] } }
        #expect(rgb(10, 10) == [0, 1, 0])  // ground truth: green
        #expect(rgb(30, 10) == [1, 0, 0])  // prediction: red
        #expect(rgb(20, 10) == [0, 0, 0])
        #expect(rgb(5, 30) == [0, 0, 1])  // line
        #expect(rgb(40, 24) == [1, 1, 0] && rgb(49, 27) == [1, 1, 0] && rgb(45, 24) == [0, 0, 0])
        #expect(rgb(54, 8) == [1, 1, 1] && rgb(50, 8) == [0, 0, 0])
        // 'H' starts with a full column at x = 2, rows 2...8.
        #expect((2...8).allSatisfy { rgb(2, $0) == [1, 1, 1] })
    }

    @Test("drawing clips at the border and works on gray images")
    func clipping() {
        var gray = Image(width: 8, height: 8, channels: 1)
        gray.fillCircle(center: Point(0, 0), radius: 3, color: .white)
        gray.drawLine(from: Point(-100, 4.5), to: Point(100, 4.5), color: .white, thickness: 3)
        gray.drawKeypoints([Point(.nan, 3)], color: .white)
        #expect(gray[0, 0, 0] == 1 && gray[7, 4, 0] == 1 && gray[7, 0, 0] == 0)
    }

    @Test("grids tile images with margins and captions")
    func grids() {
        let tiles = (0..<5).map { Image(width: 10, height: 8, color: Color.palette[$0]) }
        let grid = Image.grid(tiles, columns: 3, margin: 2, captions: ["a", "b", "c", "d", "e"])
        // 3 columns: 2 + 3 * 12; 2 rows of (8 + caption 10 + margin 2).
        #expect(grid.width == 38 && grid.height == 2 + 2 * 20)
        #expect(grid[2, 2, 0] == Color.palette[0].red && grid[14, 2, 1] == Color.palette[1].green)
        #expect(grid[1, 1, 0] == 1)
        #expect(grid[2, 22, 2] == Color.palette[3].blue)
    }

    @Test("filter grid normalizes each filter and enlarges it")
    func filterGrid() {
        let weights = Tensor(shape: [4, 1, 2, 2], values: [0, 1, 2, 3, -1, -1, -1, 5, 7, 7, 7, 7, 0, 0, 1, 0])
        let grid = Image.filterGrid(weights, scale: 3, margin: 1)
        #expect(grid.channels == 3)
        #expect(grid.width == 1 + 1 * (6 + 1) && grid.height == 1 + 4 * (6 + 1))
        #expect(grid[1, 1, 0] == 0 && grid[6, 6, 0] == 1)  // filter 0: min top-left, max bottom-right
        #expect(abs(grid[4, 1, 0] - 1.0 / 3) < 1e-6)
        #expect(grid[1, 15, 0] == 0.5)  // constant filter 2 -> mid gray
        var generator = RandomGenerator(seed: 1)
        let color = Image.filterGrid(Tensor.randomNormal([6, 3, 5, 5], using: &generator), scale: 2)
        #expect(color.width == 1 + 3 * 11 && color.height == 1 + 2 * 11)
    }

    @Test("line plot renders axes, curves and legend to a PNG")
    func linePlot() throws {
        var plot = LinePlot(title: "Loss", xLabel: "epoch", yLabel: "MSE")
        let epochs = (1...20).map(Float.init)
        plot.add("training", x: epochs, y: epochs.map { 1 / $0 }, color: .blue)
        plot.add("validation", x: epochs, y: epochs.map { 1.2 / $0 + 0.05 }, color: .red, markers: true)
        let image = plot.render(width: 400, height: 300)
        #expect(image.width == 400 && image.height == 300)
        let dir = try Files.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("loss.png")
        try image.write(to: url)
        let back = try Image(contentsOf: url)
        var blue = 0, red = 0, black = 0
        for y in 0..<back.height {
            for x in 0..<back.width {
                let c = (back[x, y, 0], back[x, y, 1], back[x, y, 2])
                if c == (0, 0, 1) { blue += 1 }
                if c == (1, 0, 0) { red += 1 }
                if c == (0, 0, 0) { black += 1 }
            }
        }
        #expect(blue > 200 && red > 200, "blue \(blue), red \(red)")
        #expect(black > 1000, "axes, ticks and labels: \(black) black pixels")
        #expect(back[0, 0, 0] == 1 && back[399, 299, 1] == 1)

        var log = LinePlot(title: "CED", xLabel: "NME", yLabel: "images")
        log.logarithmicY = true
        log.add(
            "model",
            points: KeypointMetrics.cumulativeErrorCurve([0.01, 0.03, 0.05], threshold: 0.08).map {
                Point($0.x, $0.y + 0.01)
            })
        #expect(log.render(width: 320, height: 240).width == 320)
    }

    @Test("tick selection picks 1-2-5 steps")
    func ticks() {
        let t = LinePlot.ticks(0...1)
        #expect(t.step == 0.2 && t.values.count == 6)
        #expect(LinePlot.ticks(3...97).step == 20)
        #expect(LinePlot.label(0.4, step: 0.2) == "0.4")
        #expect(LinePlot.label(40, step: 20) == "40")
    }
}
