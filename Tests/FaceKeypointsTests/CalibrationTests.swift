import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// Point offsets (``KeypointModelSpec/pointOffsets``): added once to every estimate, measured on
/// a model's faces by ``KeypointCalibration``, refused when a file's are malformed, written by
/// training and by `keypoints calibrate`.
@Suite struct CalibrationTests {
    /// Part 3's regression spec with every point moved by its own offset.
    static func offsetSpec() -> (plain: KeypointModelSpec, offset: KeypointModelSpec) {
        var offset = KeypointModelSpec.landmarks
        offset.pointOffsets = (0..<68).map { Point(Float($0) / 10 - 3, 1.5 - Float($0 % 7) / 4) }
        return (.landmarks, offset)
    }

    @Test func offsetsAreAddedOnceToPlainAndMirroredEstimates() throws {
        let (plain, offset) = Self.offsetSpec()
        var generator = RandomGenerator(seed: 4)
        let own = Tensor.randomUniform([2, 136], low: -0.8, high: 0.8, using: &generator)
        let mirrored = Tensor.randomUniform([2, 136], low: -0.8, high: 0.8, using: &generator)
        let offsets = try #require(offset.pointOffsets)
        let mirror = try plain.outputMirrorMap()
        let pairs = [
            (plain.head.estimates(.coordinates(own)), offset.head.estimates(.coordinates(own))),
            (
                plain.head.estimates(.coordinates(own), mergingMirrored: .coordinates(mirrored), mirror: mirror),
                offset.head.estimates(.coordinates(own), mergingMirrored: .coordinates(mirrored), mirror: mirror)
            )
        ]
        for (withoutOffsets, withOffsets) in pairs {
            for (a, b) in zip(withoutOffsets, withOffsets) {
                for (point, (p, q)) in zip(a.points, b.points).enumerated() {
                    #expect(
                        abs(q.x - p.x - offsets[point].x) < 1e-4 && abs(q.y - p.y - offsets[point].y) < 1e-4,
                        "point \(point)")
                }
            }
        }
    }

    @Test func malformedOffsetsAreRefusedNamingTheField() throws {
        var spec = KeypointModelSpec.landmarks
        spec.pointOffsets = Array(repeating: .zero, count: 67)
        #expect { try spec.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "pointOffsets" }
        spec.pointOffsets = Array(repeating: .zero, count: 68)
        spec.pointOffsets![3] = Point(.infinity, 0)
        #expect { try spec.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "pointOffsets[3]" }
        spec.pointOffsets![3] = Point(0, 500)  // beyond the 224 px input
        #expect { try spec.validate() } throws: { ($0 as? KeypointModelSpec.InvalidField)?.field == "pointOffsets[3]" }
        // Files written before calibration have no offsets and read as none.
        let json = try JSONEncoder().encode(KeypointModelSpec.landmarks)
        #expect(!String(decoding: json, as: UTF8.self).contains("pointOffsets"))
        #expect(try JSONDecoder().decode(KeypointModelSpec.self, from: json).pointOffsets == nil)
    }

    /// With the offsets measured on a set of faces, the model's mean error on those faces is
    /// zero at every point (in input pixels), whatever offsets the spec held before.
    @Test func calibratedModelHasNoMeanErrorOnItsFaces() throws {
        let labels = TestData.root.appendingPathComponent("300w_subset/labels.xml")
        var spec = KeypointModelSpec.custom(scheme: .ibug68, architecture: .pipNetResNet18, inputSize: 64)
        spec.crop = .faceBox(enlargement: 1.2)
        let faces = try FaceDataset.imglab(labels, configuration: spec.datasetConfiguration()).subset(Array(0..<6))
        spec = spec.withNeighbours(from: faces)
        var generator = RandomGenerator(seed: 2)
        let model = spec.makeModel(using: &generator)
        model.eval()
        var calibrated = spec
        calibrated.pointOffsets = try KeypointCalibration.pointOffsets(model, spec: spec, on: faces)
        var stale = calibrated
        stale.pointOffsets = Array(repeating: Point(5, -5), count: 68)
        #expect(try KeypointCalibration.pointOffsets(model, spec: stale, on: faces) == calibrated.pointOffsets)

        let predictions = try Evaluation.predict(model, spec: calibrated, on: faces).predictions
        var sums = [Point](repeating: .zero, count: 68)
        for prediction in predictions {
            let toInput = faces.baseTransform(at: prediction.index)
            for (point, (truth, predicted)) in zip(toInput.apply(prediction.truth), toInput.apply(prediction.predicted))
                .enumerated()
            {
                sums[point] += truth - predicted
            }
        }
        let offsets = try #require(calibrated.pointOffsets)
        #expect(
            offsets.contains { ($0 * $0).sum() > 1 },
            "an untrained model should be far off somewhere: \(offsets.prefix(4))")
        for (point, sum) in sums.enumerated() {
            #expect(
                abs(sum.x) / 6 < 1e-3 && abs(sum.y) / 6 < 1e-3,
                "point \(point): mean error \(sum / 6) px after calibration")
        }
    }

    @Test func calibrateCommandWritesTheOffsetsAndRefusesTheWrongBoxes() throws {
        let folder = try CommandRunner.temporaryDirectory("calibrate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let annotations = try DetectorBoxesTests.smallAnnotations(count: 4, in: folder)
        let out = folder.appendingPathComponent("calibrated.safetensors")
        let run = try CommandRunner.run(["calibrate", "--xml", annotations.path, "--out", out.path])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("5 faces: mean offset ("), "\(run.output)")
        let (model, spec, metadata) = try KeypointModelFile.load(out)
        #expect(spec.pointOffsets?.count == 68 && metadata["facekeypoints.provenance"] != nil)
        let shipped = try KeypointModelFile.load(try KeypointModel.shippedLandmarksURL()).model
        #expect(
            model.stateDict().map(\.tensor.scalars) == shipped.stateDict().map(\.tensor.scalars),
            "the weights must stay the shipped file's")

        let (boxes, _) = try DetectorBoxes.replacingBoxes(
            of: try ImglabDataset(contentsOf: annotations), file: annotations, detector: try MTCNN.pretrained())
        let detectorXML = folder.appendingPathComponent("detector.xml")
        try boxes.write(to: detectorXML)
        let refused = try CommandRunner.run(["calibrate", "--xml", detectorXML.path, "--out", out.path])
        #expect(refused.status != 0 && refused.error.contains("holds detector boxes"), "\(refused.error)")
    }
}
