import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// A user's own point scheme: five of the 68 300-W points (outer eye corners, nose tip, mouth
/// corners) under names of their own, trained from imglab XML with `keypoints train --xml`,
/// once with every point and once with a fifth of the points left out at random, then
/// evaluated through the library; `keypoints predict` writes the predictions back out as
/// imglab XML, read in again.
@Suite(.serialized) struct AnySchemeTests {
    /// iBUG index -> the name in the five-point files.
    static let names = [36: "e36", 45: "e45", 30: "nose", 48: "m48", 54: "m54"]
    /// Trains `architecture` on `labels` into `out` with `keypoints train --xml` (the release
    /// binary: training is the slow part, 10-50x slower in a debug build), holding out a fifth
    /// of the faces (seed 1); `mirror` is the mirror file's text.
    static func train(
        _ labels: URL, mirror: String, architecture: KeypointModelSpec.Architecture, inputSize: Int,
        epochs: Int, loss: TrainingConfiguration.Loss? = nil, into out: URL
    ) throws -> CommandRunner.Result {
        let mirrorFile = out.appendingPathExtension("mirror.txt")
        try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
        try mirror.write(to: mirrorFile, atomically: true, encoding: .utf8)
        let run = try CommandRunner.run(
            [
                "train", "--xml", labels.path, "--out", out.path, "--mirror", mirrorFile.path, "--normalize-by",
                "e36,e45",
                "--architecture", architecture.rawValue, "--input-size", "\(inputSize)", "--epochs", "\(epochs)",
                "--batch-size", "8", "--lr", "0.002", "--schedule", "constant", "--val-fraction", "0.2", "--seed", "1"
            ] + (loss.map { ["--loss", $0.rawValue] } ?? []))
        #expect(run.status == 0, "\(run.error)")
        return run
    }

    /// The model at `model` evaluated on `part` of `labels` split as training split it.
    static func evaluate(
        _ model: URL, on labels: URL, part: ValidationSplit.Part = .validation
    ) throws
        -> EvaluationReport
    {
        let keypoints = try KeypointModel(contentsOf: model)
        let faces = try AnnotatedFaces.imglab(labels, split: try ValidationSplit(fraction: 0.2, seed: 1))
            .faces(for: keypoints.spec, part: part)
        return try Evaluation.run(keypoints, on: faces, boxes: .truth).report
    }

    /// The first `faces` faces of the 300-W labels with five named parts; with `dropping`, each
    /// part is left out with that probability (seeded; every box keeps at least one).
    static func fivePointLabels(faces: Int, dropping fraction: Float) throws -> ImglabDataset {
        let labels = try ImglabDataset(contentsOf: TestData.root.appendingPathComponent("300w_subset/labels.xml"))
        let folder = TestData.root.appendingPathComponent("300w_subset").standardizedFileURL.path
        var generator = RandomGenerator(seed: 17)
        var images: [ImglabImage] = []
        for image in labels.images.prefix(faces) {
            var copy = image
            copy.file = folder + "/" + image.file
            for b in copy.boxes.indices {
                var parts = copy.boxes[b].parts.compactMap { part in
                    Int(part.name).flatMap { names[$0] }.map { ImglabPart(name: $0, x: part.x, y: part.y) }
                }
                var kept: [ImglabPart] = []
                for part in parts where generator.nextUniform() >= fraction { kept.append(part) }
                if kept.isEmpty { kept = [parts.removeFirst()] }
                copy.boxes[b].parts = kept
            }
            images.append(copy)
        }
        return ImglabDataset(name: "five points", images: images)
    }

    @Test func fivePointSchemeTrainsWithMissingPointsAndRoundTrips() throws {
        let folder = try CommandRunner.temporaryDirectory("five")
        defer { try? FileManager.default.removeItem(at: folder) }
        let full = folder.appendingPathComponent("full.xml"), missing = folder.appendingPathComponent("missing.xml")
        try Self.fivePointLabels(faces: 320, dropping: 0).write(to: full)
        let partial = try Self.fivePointLabels(faces: 320, dropping: 0.2)
        try partial.write(to: missing)
        let present = partial.faces.reduce(0) { $0 + $1.box.parts.count }
        #expect(present < 320 * 5 * 85 / 100 && present > 320 * 5 * 75 / 100, "\(present) of 1600 points kept")
        let mirrorPairs = "e36 e45   # outer eye corners\nm48,m54\n"

        var nme: [String: Float] = [:]
        for (name, xml) in [("full", full), ("missing", missing)] {
            let out = folder.appendingPathComponent(name)
            // Small and quick: NoseNet on 80x80 crops.
            let run = try Self.train(
                xml, mirror: mirrorPairs, architecture: .noseNet, inputSize: 80, epochs: 8, loss: .mse, into: out)
            #expect(
                run.output.contains("scheme \(name): 5 points (e36, e45, m48, m54, nose), mirrored by"), "\(run.output)"
            )
            // Both models on the same held-out faces with every point annotated.
            let report = try Self.evaluate(out.appendingPathComponent("model.safetensors"), on: full)
            #expect(report.images == 64)
            nme[name] = report.nme
            if name == "full" {  // the rest of the split: the faces it trained on
                let fit = try Self.evaluate(out.appendingPathComponent("model.safetensors"), on: full, part: .train)
                #expect(fit.images == 256)
                let model = try KeypointModel(contentsOf: out.appendingPathComponent("model.safetensors"))
                #expect {
                    try AnnotatedFaces.imglab(full, split: nil).faces(for: model.spec, part: .train)
                } throws: { "\($0)".contains("need the training run's split (--val-fraction and its seed)") }
            }
        }
        let (withAll, withMissing) = (try #require(nme["full"]), try #require(nme["missing"]))
        print("five-point scheme, validation NME (eye corners): all points \(withAll), 20 % missing \(withMissing)")
        #expect(withAll < 0.2, "the full-label model did not learn: NME \(withAll)")
        // Two short runs on different labels differ by up to about 13 % either way (Docs/Data.md);
        // training on the absent points as zeros instead of masking them gives 1.7x.
        #expect(
            withMissing <= 1.25 * withAll, "with 20 % of the points missing: NME \(withMissing), all points \(withAll)")

        // The model file carries the scheme: predict needs nothing else, and writes imglab XML.
        let model = folder.appendingPathComponent("missing/model.safetensors")
        let (spec, _) = try KeypointModelFile.spec(of: model)
        #expect(spec.task == .custom && spec.scheme.pointNames == ["e36", "e45", "m48", "m54", "nose"])
        #expect(spec.scheme.mirror?.permutation == [1, 0, 3, 2, 4] && spec.scheme.normalization == .pair(0, 1))
        let face = try #require(partial.images.first?.boxes.first)
        let photo = try #require(partial.images.first?.file)
        let predictions = folder.appendingPathComponent("predictions")
        let xmlOut = predictions.appendingPathComponent("predicted.xml")
        let predict = try CommandRunner.run([
            "predict", "--model", model.path, photo, "--box", "\(face.left),\(face.top),\(face.width),\(face.height)",
            "--out", predictions.path, "--xml-out", xmlOut.path
        ])
        #expect(predict.status == 0, "\(predict.error)")
        let written = try ImglabDataset(contentsOf: xmlOut)
        let box = try #require(written.images.first?.boxes.first)
        #expect(written.images.count == 1 && written.images[0].file == photo)
        #expect((box.left, box.top, box.width, box.height) == (face.left, face.top, face.width, face.height))
        #expect(box.parts.map(\.name) == ["e36", "e45", "m48", "m54", "nose"])
        let json =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: predictions.appendingPathComponent(
                        URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent + "_keypoints.json")))
            as? [String: Any]
        let firstFace = try #require((json?["faces"] as? [[String: Any]])?.first)
        let points = try #require(firstFace["points"] as? [[Double]])
        // A scheme of its own has no head pose: the key is there, null.
        #expect(firstFace.keys.contains("pose") && firstFace["pose"] is NSNull, "\(firstFace)")
        for (part, point) in zip(box.parts, points) {
            #expect(
                abs(Double(part.x) + 0.5 - point[0]) <= 0.5 && abs(Double(part.y) + 0.5 - point[1]) <= 0.5,
                "\(part) vs \(point)")
        }
        // Read back as training data in the model's scheme, and written again byte for byte.
        let readBack = try FaceDataset.imglab(
            written, file: xmlOut, scheme: spec.scheme, configuration: spec.datasetConfiguration())
        #expect(readBack.count == 1 && readBack.faces[0].keypoints.allSatisfy(\.isPresent))
        let copy = predictions.appendingPathComponent("copy.xml")
        try written.write(to: copy)
        #expect(try Data(contentsOf: copy) == Data(contentsOf: xmlOut))
        #expect(try ImglabDataset(contentsOf: copy) == written)
    }
}
