import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// The PIPNet heatmap model: it trains on a user's scheme with absent points (`keypoints
/// train`), its file carries the neighbour lists, the library evaluates it, and `keypoints
/// predict` writes each point's confidence; test-time mirroring is exactly symmetric.
@Suite(.serialized) struct HeatmapModelTests {
    struct Metrics: Decodable {
        let train_loss: [Float]
        let val_nme: Float
    }
    struct Photo: Decodable {
        struct Face: Decodable {
            let points: [[Float]]
            let confidence: [Float]?
        }
        let faces: [Face]
    }

    /// Five named points, a fifth of them left out, PIPNet at 64 px (2 x 2 cells), three short
    /// epochs on 51 faces (about a minute of a debug build on two cores).
    @Test func pipNetTrainsOnAnySchemeWithAbsentPointsAndReportsConfidence() throws {
        let folder = try CommandRunner.temporaryDirectory("pipnet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = folder.appendingPathComponent("labels.xml")
        try AnySchemeTests.fivePointLabels(faces: 64, dropping: 0.2).write(to: labels)
        let out = folder.appendingPathComponent("run")
        let run = try AnySchemeTests.train(
            labels, mirror: "e36 e45\nm48 m54\n", architecture: .pipNetResNet18, inputSize: 64, epochs: 3, into: out)
        #expect(run.output.contains("loss PIPNet's"), "\(run.output)")
        let metrics = try JSONDecoder().decode(
            Metrics.self, from: Data(contentsOf: out.appendingPathComponent("metrics.json")))
        #expect(metrics.train_loss.count == 3 && metrics.train_loss[2] < metrics.train_loss[0], "\(metrics.train_loss)")

        let model = out.appendingPathComponent("model.safetensors")
        let (spec, _) = try KeypointModelFile.spec(of: model)
        #expect(spec.architecture == .pipNetResNet18 && spec.head.kind != .regression)
        #expect(spec.neighbours?.count == 5 && spec.neighbours?.allSatisfy { $0.count == 4 } == true)

        let report = try AnySchemeTests.evaluate(model, on: labels)
        #expect(report.images == 13 && report.nme.isFinite)
        // The file carries the point offsets measured at the end, and metrics.json its figures.
        #expect(spec.pointOffsets?.count == 5)
        #expect(abs(report.nme - metrics.val_nme) < 1e-5, "evaluated \(report.nme) vs metrics.json \(metrics.val_nme)")

        let predictions = folder.appendingPathComponent("predictions")
        let predict = try CommandRunner.run([
            "predict", "--model", model.path, "--xml", labels.path, "--mirror", "--out", predictions.path
        ])
        #expect(predict.status == 0, "\(predict.error)")
        let first = try #require(
            try FileManager.default.contentsOfDirectory(atPath: predictions.path).sorted().first {
                $0.hasSuffix("_keypoints.json")
            })
        let photo = try JSONDecoder().decode(
            Photo.self, from: Data(contentsOf: predictions.appendingPathComponent(first)))
        let face = try #require(photo.faces.first)
        let confidence = try #require(face.confidence)
        #expect(face.points.count == 5 && confidence.count == 5 && confidence.allSatisfy(\.isFinite))

        // A scheme without a mirror map cannot mirror: one clear line.
        let scheme = try LandmarkScheme(
            name: "plain", pointNames: ["e36", "e45", "m48", "m54", "nose"], mirror: nil, normalization: .boxSize)
        let plainSpec = KeypointModelSpec.custom(scheme: scheme, architecture: .noseNet, inputSize: 80)
        var generator = RandomGenerator(seed: 1)
        let plainModel = folder.appendingPathComponent("plain.safetensors")
        try KeypointModelFile.save(plainSpec.makeModel(using: &generator), spec: plainSpec, to: plainModel)
        let refused = try CommandRunner.run([
            "predict", "--model", plainModel.path, "--xml", labels.path, "--mirror",
            "--out", folder.appendingPathComponent("refused").path
        ])
        #expect(
            refused.status != 0
                && refused.error.contains("--mirror: test-time mirroring needs the scheme's mirror map"),
            "\(refused.error)")
    }

    /// With mirroring, a mirrored photo and box give the mirrored points (each point where its
    /// mirror partner was, reflected) and the same confidences, for the regression, PIPNet (at
    /// both strides) and integral-regression models alike (seeded, untrained: the property holds for any weights);
    /// without mirroring it does not.
    @Test(arguments: [KeypointModelSpec.Architecture.resnet18, .pipNetResNet18, .pipNet16ResNet18, .integralResNet18])
    func mirroringIsExactlySymmetric(architecture: KeypointModelSpec.Architecture) throws {
        var spec = KeypointModelSpec.landmarks
        (spec.architecture, spec.inputWidth, spec.inputHeight) = (architecture, 64, 64)
        var generator = RandomGenerator(seed: 4)
        if architecture.isPIPNet {
            let meanFace = (0..<68).map { _ in SIMD2(generator.nextUniform(), generator.nextUniform()) }
            spec.neighbours = PIPNetNeighbours(meanFace: meanFace, count: 10).indices
        }
        let model = spec.makeModel(using: &generator)
        if architecture == .integralResNet18 {  // untrained heatmaps are nearly flat: every point near the centre
            let last = try #require(model.namedParameters().first { $0.name == "head.8.weight" }).parameter
            last.assign(Tensor.randomNormal(last.value.shape, using: &generator))
        }
        model.eval()
        var detector = KeypointModel(network: model, spec: spec)
        let photo = try Image(contentsOf: TestData.root.appendingPathComponent("300w_subset/afw/1051618982_1.jpg"))
        let box = BoundingBox(
            x: 0.3 * Float(photo.width), y: 0.2 * Float(photo.height), width: 0.3 * Float(photo.width),
            height: 0.35 * Float(photo.height))
        let flipped = photo.flippedHorizontally()
        let flippedBox = BoundingBox(
            x: Float(photo.width) - box.x - box.width, y: box.y, width: box.width, height: box.height)
        let mirror = try #require(spec.scheme.mirror)

        func asymmetry() throws -> (points: Float, confidences: Float) {
            let a = try detector.estimate(in: photo, box: box), b = try detector.estimate(in: flipped, box: flippedBox)
            var points: Float = 0, confidences: Float = 0
            for i in 0..<68 {
                let partner = a.points[mirror.permutation[i]]
                let d = b.points[i] - Point(Float(photo.width) - partner.x, partner.y)
                points = max(points, abs(d.x), abs(d.y))
                if let x = a.confidences, let y = b.confidences {
                    confidences = max(confidences, abs(y[i] - x[mirror.permutation[i]]))
                }
            }
            return (points, confidences)
        }
        let plain = try asymmetry()
        detector = try detector.mirrored()
        let mirrored = try asymmetry()
        #expect(plain.points > 0.1, "without mirroring an untrained model is not symmetric: \(plain)")
        #expect(mirrored.points < 0.01 && mirrored.confidences < 1e-4, "\(mirrored)")
    }
}
