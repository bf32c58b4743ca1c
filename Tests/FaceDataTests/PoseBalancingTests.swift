import Foundation
import Tensor
import TestSupport
import Testing
import Vision

@testable import FaceData

@Suite("Pose-based data balancing")
struct PoseBalancingTests {
    /// The IMM shapes of views `views` (1, 2, 5 frontal; 3 turned to the person's right, 4 to the left).
    static func immShapes(views: Set<Int>) throws -> [(view: Int, shape: [Point])] {
        try SharedData.files(in: SharedData.imm, extension: "asf").compactMap { url in
            guard let view = DataSplit.immView(of: url.lastPathComponent), views.contains(view) else { return nil }
            return (view, try ASFShape(contentsOf: url).keypoints(imageWidth: 640, imageHeight: 480))
        }
    }

    @Test("the first pose component puts the faces turned right and left at opposite ends, the frontal ones between")
    func turnedFacesAtTheEnds() throws {
        let faces = try Self.immShapes(views: [1, 2, 3, 4, 5])
        let all = PoseBalancing.poseCoordinates(faces.map(\.shape))
        func coordinates(ofView view: Int) -> [Double] { zip(faces, all).filter { $0.0.view == view }.map(\.1) }
        let right = coordinates(ofView: 3), left = coordinates(ofView: 4),
            frontal = [1, 2, 5].flatMap(coordinates(ofView:))
        let sign: Double = right.reduce(0, +) > 0 ? 1 : -1
        let frontalRange = frontal.map { $0 * sign }.min()!...frontal.map { $0 * sign }.max()!
        // Most turned faces lie beyond every frontal one, on their own side.
        #expect(right.filter { $0 * sign > frontalRange.upperBound }.count >= 30, "\(right.sorted())")
        #expect(left.filter { $0 * sign < frontalRange.lowerBound }.count >= 30, "\(left.sorted())")

        let weights = PoseBalancing.samplingWeights(faces.map(\.shape), strength: 1)
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(values.count) }
        let turnedWeights = zip(faces, weights).filter { [3, 4].contains($0.0.view) }.map(\.1)
        let frontalWeights = zip(faces, weights).filter { ![3, 4].contains($0.0.view) }.map(\.1)
        #expect(
            mean(turnedWeights) > 2 * mean(frontalWeights),
            "turned \(mean(turnedWeights)), frontal \(mean(frontalWeights))")
        #expect(PoseBalancing.samplingWeights(faces.map(\.shape), strength: 0).allSatisfy { $0 == 1 })
        #expect(weights.min()! == 1, "the largest bin's faces weigh 1")
    }

    /// 300-W's 68 points: the component is the head's yaw, measured as where the nose tip
    /// (point 30) lies between the jaw's ends (points 0 and 16). Prints the correlation and
    /// the bins' sizes (Docs/Training.md quotes them).
    @Test("on 300-W the first pose component follows the yaw")
    func followsTheYawOn300W() throws {
        let labels = try ImglabDataset(contentsOf: SharedData.labels)
        let shapes = try labels.images.flatMap { image in
            try image.boxes.compactMap { try $0.keypoints(count: 68, file: "labels.xml", element: image.file) }
        }
        #expect(shapes.count == 1207)
        let coordinates = PoseBalancing.poseCoordinates(shapes)
        let yaw = shapes.map { Double(($0[30].x - $0[0].x) / ($0[16].x - $0[0].x)) }
        func centered(_ values: [Double]) -> [Double] {
            let mean = values.reduce(0, +) / Double(values.count)
            return values.map { $0 - mean }
        }
        let (a, b) = (centered(coordinates), centered(yaw))
        let correlation =
            zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            / (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        #expect(abs(correlation) > 0.95, "correlation \(correlation)")
        let weights = PoseBalancing.samplingWeights(shapes, strength: 1)
        let binSizes = Dictionary(grouping: weights, by: { $0 }).values.map(\.count).sorted()
        print("300-W: pose coordinate against yaw: correlation \(correlation); bins of \(binSizes) faces")
    }

    @Test("strength 1 gives every occupied bin the same total weight")
    func fullBalance() throws {
        let shapes = try Self.immShapes(views: [1, 3, 4, 6]).map(\.shape)
        let coordinates = PoseBalancing.poseCoordinates(shapes)
        let weights = PoseBalancing.samplingWeights(shapes, strength: 1, bins: 5)
        let (low, high) = (coordinates.min()!, coordinates.max()!)
        var totals = [Double](repeating: 0, count: 5)
        for (coordinate, weight) in zip(coordinates, weights) {
            totals[Swift.min(4, Int((coordinate - low) / (high - low) * 5))] += weight
        }
        let occupied = totals.filter { $0 > 0 }
        #expect(occupied.count >= 3 && occupied.allSatisfy { abs($0 - occupied[0]) < 1e-9 }, "\(totals)")
    }

    @Test("moving, turning or scaling a face does not change its pose coordinate; absent points are left out")
    func similarityInvariantAndAbsentPoints() throws {
        let shapes = try Self.immShapes(views: [1, 3, 4]).map(\.shape)
        let reference = PoseBalancing.poseCoordinates(shapes)
        var generator = RandomGenerator(seed: 3)
        let moved = shapes.map { shape -> [Point] in
            let angle = (generator.nextUniform() - 0.5) * 0.6, scale = 0.5 + generator.nextUniform()
            let shift = Point(generator.nextUniform() * 300, generator.nextUniform() * 200)
            return shape.map { p in
                Point(scale * (cos(angle) * p.x - sin(angle) * p.y), scale * (sin(angle) * p.x + cos(angle) * p.y))
                    + shift
            }
        }
        let coordinates = PoseBalancing.poseCoordinates(moved)
        let sign: Double = zip(coordinates, reference).reduce(0) { $0 + $1.0 * $1.1 } > 0 ? 1 : -1
        let largest = reference.map(abs).max()!
        #expect(zip(coordinates, reference).allSatisfy { abs($0 * sign - $1) < 1e-3 * largest })

        // Point 7 absent from one face: the coordinates are those of the shapes without point 7.
        var withAbsent = shapes
        withAbsent[4][7] = Point(.nan, .nan)
        let without = shapes.map { shape in shape.enumerated().filter { $0.offset != 7 }.map(\.element) }
        let expected = PoseBalancing.poseCoordinates(without), actual = PoseBalancing.poseCoordinates(withAbsent)
        let sign2: Double = zip(actual, expected).reduce(0) { $0 + $1.0 * $1.1 } > 0 ? 1 : -1
        #expect(zip(actual, expected).allSatisfy { abs($0 * sign2 - $1) < 1e-9 })
        #expect(PoseBalancing.poseCoordinates([shapes[0]]) == [0], "one face: nothing to balance")
    }
}
