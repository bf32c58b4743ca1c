import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// Aligned crops: the templates, the reference points of a 68-point face, where the template's
/// points land in a crop, the same crop from a turned and scaled photo, template files with
/// mistakes, and `keypoints align` / `predict --aligned` end to end.
@Suite struct AlignmentTests {
    /// A black photo with a Gaussian blob at each of `points`.
    func blobs(at points: [Point], width: Int, height: Int, sigma: Float) -> Image {
        var image = Image(width: width, height: height, channels: 1)
        for y in 0..<height {
            for x in 0..<width {
                let pixel = Point(Float(x) + 0.5, Float(y) + 0.5)
                image[x, y, 0] = points.map { exp(-(($0 - pixel) * ($0 - pixel)).sum() / (2 * sigma * sigma)) }.reduce(
                    0, +)
            }
        }
        return image
    }

    /// The brightness-weighted centroid of `image` within `radius` pixels of `near`.
    func centroid(of image: Image, near: Point, radius: Float) -> Point {
        var total: Float = 0, sum = Point.zero
        for y in 0..<image.height {
            for x in 0..<image.width {
                let pixel = Point(Float(x) + 0.5, Float(y) + 0.5)
                guard ((pixel - near) * (pixel - near)).sum() <= radius * radius else { continue }
                total += image[x, y, 0]
                sum += image[x, y, 0] * pixel
            }
        }
        return sum / total
    }

    @Test(arguments: [AlignmentTemplate.arcface, try! AlignmentTemplate.dlibChip(size: 150, padding: 0.25)])
    func theTemplatePointsLandWithinHalfAPixel(_ template: AlignmentTemplate) throws {
        // The face in the photo: the template's points turned 23 degrees, 2.3 times as large, moved.
        let placement = Affine2D.scale(2.3).then(.rotation(degrees: 23, about: Point(160, 170))).then(
            .translation(dx: 60, dy: 40))
        let facePoints = placement.apply(template.points)
        let photo = blobs(at: facePoints, width: 480, height: 480, sigma: 3)
        let aligned = try AlignedFace(photo: photo, referencePoints: facePoints, template: template)
        #expect(aligned.image.width == template.width && aligned.image.height == template.height)
        #expect(
            abs(aligned.transform.rotationDegrees + 23) < 1e-3
                && abs(aligned.transform.similarityScale - 1 / 2.3) < 1e-4)
        for expected in template.points {
            let found = centroid(of: aligned.image, near: expected, radius: 4)
            let distance = ((found - expected) * (found - expected)).sum().squareRoot()
            #expect(distance < 0.5, "template point \(expected) found at \(found)")
        }
    }

    @Test func aTurnedAndScaledPhotoGivesTheSameCrop() throws {
        let folder = TestData.root.appendingPathComponent("300w_subset/afw")
        let photo = try Image(contentsOf: folder.appendingPathComponent("1051618982_1.jpg"))
        let face = FaceLandmarks(
            box: BoundingBox(x: 0, y: 0, width: 1, height: 1),
            points: try PTSFile.read(folder.appendingPathComponent("1051618982_1.pts")))
        let points = try #require(face.referencePoints(scheme: .ibug68))
        let original = try AlignedFace(photo: photo, referencePoints: points, template: .arcface)
        // The photo turned 30 degrees and enlarged 1.5 times, on a canvas that holds all of it;
        // its points move with it.
        let center = Point(Float(photo.width) / 2, Float(photo.height) / 2)
        let turn = Affine2D.rotation(degrees: 30, about: center).then(.scale(1.5, about: center))
            .then(.translation(dx: Float(photo.width), dy: Float(photo.height)))
        let turned = photo.warped(by: turn, width: photo.width * 3, height: photo.height * 3)
        let again = try AlignedFace(photo: turned, referencePoints: turn.apply(points), template: .arcface)
        #expect(turn.then(again.transform).isApproximatelyEqual(to: original.transform, tolerance: 1e-3))
        // The turned photo was resampled once more, which blurs edges a little: the same crop
        // within 1 % of full scale on average and 15 % at worst (measured: 0.23 % and 8.6 %),
        // away from the crop's 4-pixel border.
        var total: Float = 0, worst: Float = 0, count = 0
        for c in 0..<3 {
            for y in 4..<108 {
                for x in 4..<108 {
                    let difference = abs(original.image[x, y, c] - again.image[x, y, c])
                    total += difference
                    worst = max(worst, difference)
                    count += 1
                }
            }
        }
        #expect(total / Float(count) < 0.01 && worst < 0.15, "mean \(total / Float(count)), worst \(worst)")
    }

    @Test func referencePointsOfA68PointFaceAndOfTheDetector() throws {
        var points = (0..<68).map { Point(Float($0), 0) }
        points[30] = Point(5, 6)
        let face = FaceLandmarks(
            box: BoundingBox(x: 0, y: 0, width: 10, height: 10), points5: [Point](repeating: Point(1, 2), count: 5),
            points: points)
        let reference = try #require(face.referencePoints(scheme: .ibug68))
        #expect(reference == [Point(38.5, 0), Point(44.5, 0), Point(5, 6), Point(48, 0), Point(54, 0)])
        // Another scheme falls back to the detector's five points, or to none.
        #expect(face.referencePoints(scheme: .imm58) == face.points5)
        var boxOnly = face
        boxOnly.points5 = nil
        #expect(boxOnly.referencePoints(scheme: .imm58) == nil)
    }

    @Test func templatesAndTheirSizes() throws {
        let chip = try AlignmentTemplate.dlibChip(size: 150, padding: 0.25)
        // dlib's left eye center (0.225492, 0.215990) with a quarter of padding on each side.
        #expect(abs(chip.points[0].x - (0.25 + 0.225_492) / 1.5 * 150) < 1e-3)
        #expect(abs(chip.points[0].y - (0.25 + 0.215_990) / 1.5 * 150) < 1e-3)
        let large = try AlignmentTemplate(named: "arcface", width: 224)
        #expect(large.width == 224 && large.height == 224)
        #expect(abs(large.points[2].x - 56.0252 * 2) < 1e-3)
        #expect(try AlignmentTemplate(named: "dlib", width: 200) == (try AlignmentTemplate.dlibChip(size: 200)))
        #expect(throws: AlignmentError.self) { try AlignmentTemplate.dlibChip(size: 0) }
        #expect(throws: AlignmentError.self) { try AlignmentTemplate.dlibChip(padding: -1) }
    }

    @Test(arguments: [
        (#"{"width": 112, "height": 112, "points": [[1, 2], [3, 4]]}"#, "points: expected 5"),
        (#"{"width": 112, "points": [[1, 2], [3, 4], [5, 6], [7, 8], [9, 1]]}"#, "no 'height'"),
        (#"{"width": 0, "height": 112, "points": [[1, 2], [3, 4], [5, 6], [7, 8], [9, 1]]}"#, "width and height"),
        (
            #"{"width": 112, "height": 112, "points": [[1, 2], [3], [5, 6], [7, 8], [9, 1]]}"#,
            "points.1: expected [x, y]"
        ),
        (#"{"width": 112, "height": 112, "points": [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1]]}"#, "distinct"),
        (#"{"width": "wide", "height": 112, "points": []}"#, "'width'"),
        ("not json", "not JSON")
    ])
    func aTemplateFileWithAMistakeIsNamed(_ text: String, _ expected: String) throws {
        let folder = try CommandRunner.temporaryDirectory("alignment-template")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("template.json")
        try Data(text.utf8).write(to: file)
        let error = try #require(throws: AlignmentError.self) { try AlignmentTemplate(contentsOf: file) }
        #expect(error.description.hasPrefix(file.path + ": ") && error.description.contains(expected), "\(error)")
        // A good file round-trips.
        try JSONEncoder().encode(AlignmentTemplate.arcface).write(to: file)
        #expect(try AlignmentTemplate(contentsOf: file) == .arcface)
    }

    @Test func alignAndPredictWriteTheCropsAndTheirTransforms() throws {
        let folder = try CommandRunner.temporaryDirectory("align")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = TestData.root.appendingPathComponent("dlib_examples/2008_002470.jpg")
        let out = folder.appendingPathComponent("aligned")
        let run = try CommandRunner.run(["align", photo.path, "--out", out.path])
        #expect(run.status == 0, "\(run.error)")
        let records = try String(contentsOf: out.appendingPathComponent("aligned.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(AlignedFaceRecord.self, from: Data($0.utf8)) }
        #expect(records.map(\.face) == Array(0..<6), "faces: \(records.map(\.face))")
        for record in records {
            let crop = try Image(contentsOf: out.appendingPathComponent(record.file))
            #expect(crop.width == 112 && crop.height == 112 && record.file.hasPrefix("2008_002470_face"))
            // Faces of about 50-70 px in this photo: about two crop pixels per photo pixel, upright.
            #expect(record.scale > 1 && record.scale < 3 && abs(record.rotation) < 20, "\(record)")
        }
        // predict --aligned writes the same crops beside its own outputs, here dlib's chip.
        let predicted = folder.appendingPathComponent("predicted")
        let predict = try CommandRunner.run([
            "predict", photo.path, "--out", predicted.path, "--aligned", "--template", "dlib", "--size", "100"
        ])
        #expect(predict.status == 0, "\(predict.error)")
        let chip = try Image(contentsOf: predicted.appendingPathComponent("2008_002470_face5.png"))
        #expect(chip.width == 100 && chip.height == 100)
        #expect(FileManager.default.fileExists(atPath: predicted.appendingPathComponent("aligned.jsonl").path))
        // A template that cannot be read is one line naming it, before any work.
        let bad = try CommandRunner.run(["align", photo.path, "--out", out.path, "--template", "/nonexistent.json"])
        #expect(
            bad.status != 0 && bad.error.contains("--template /nonexistent.json: /nonexistent.json: cannot be read"))
        let tiny = try CommandRunner.run(["align", photo.path, "--out", out.path, "--size", "4"])
        #expect(tiny.status != 0 && tiny.error.contains("--size must be 8...4096 pixels, got 4"), "\(tiny.error)")
    }
}
