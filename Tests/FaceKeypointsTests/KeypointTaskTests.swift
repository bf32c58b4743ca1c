import FaceKeypoints
import Foundation
import TestSupport
import Testing

/// The study's parts as library calls: the README's few lines run, and the CLI, which only
/// parses options and prints, trains exactly what the library trains.
@Suite struct KeypointTaskTests {
    /// The README's part 3, shortened to one epoch on eight faces at 64x64 px.
    @Test func part3InAFewLines() throws {
        let output = try CommandRunner.temporaryDirectory("part3")
        defer { try? FileManager.default.removeItem(at: output) }
        var task = KeypointTask.landmarks()
        task.configuration.epochs = 1
        (task.spec.inputWidth, task.spec.inputHeight) = (64, 64)
        let data = try task.datasets(
            from: .imglab(TestData.root.appendingPathComponent("300w_subset/labels.xml")), limit: 8)
        let history = try task.train(data, output: output)
        #expect(history.epochs == 1 && history.validation?.normalization == "inter-ocular")
        #expect(history.validation.map { $0.nme.isFinite && $0.images == 8 } == true)
        for file in [
            "model.safetensors", "checkpoint.safetensors", "metrics.json", "loss.png", "samples.png", "predictions.png",
            "filters.png"
        ] {
            #expect(
                FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file) is missing")
        }
        #expect(task.configuration.loss == .wing && KeypointTask.landmarks(.study).configuration.loss == .mse)
    }

    /// The split follows `splitSeed` when it is set, so another training seed keeps the same
    /// held-out faces; without it, the split follows `seed`.
    @Test func splitSeedKeepsTheHeldOutFaces() throws {
        // dlib's 25 example faces with 68 points (a model's, not people's: only the split matters here).
        let labels = KeypointTask.DataSource.imglab(
            TestData.root.appendingPathComponent("dlib_examples/testing_with_face_landmarks.xml"),
            validationFraction: 0.2)
        func heldOut(seed: UInt64, splitSeed: UInt64?) throws -> [String] {
            var task = KeypointTask.landmarks()
            (task.configuration.seed, task.configuration.splitSeed) = (seed, splitSeed)
            return try task.datasets(from: labels).validation.faces.map(\.identity)
        }
        let seedZero = try heldOut(seed: 0, splitSeed: nil)
        #expect(seedZero.count == 5)
        #expect(try heldOut(seed: 1, splitSeed: 0) == seedZero)
        #expect(try heldOut(seed: 1, splitSeed: nil) != seedZero)
    }

    /// PIPNet crops 1.2x the annotated box (its recipe); the regression and every detector-box
    /// model keep the study's 1.4x.
    @Test func pipNetCropsTighterOnAnnotatedBoxes() {
        #expect(KeypointTask.landmarks(architecture: .pipNetResNet18).spec.crop == .faceBox(enlargement: 1.2))
        #expect(
            KeypointTask.landmarks(boxes: .detector, architecture: .pipNetResNet18).spec.crop
                == .faceBox(enlargement: 1.4))
        #expect(KeypointTask.landmarks().spec.crop == .faceBox(enlargement: 1.4))
        #expect(KeypointTask.landmarks(architecture: .integralResNet18).spec.crop == .faceBox(enlargement: 1.4))
    }

    /// `keypoints nose` and `KeypointTask.nose()` with the same settings write the same bytes.
    @Test func commandTrainsWhatTheLibraryTrains() throws {
        let (library, command) = (
            try CommandRunner.temporaryDirectory("library"), try CommandRunner.temporaryDirectory("command")
        )
        defer { for url in [library, command] { try? FileManager.default.removeItem(at: url) } }
        var task = KeypointTask.nose()
        task.configuration.epochs = 2
        try task.train(
            try task.datasets(from: .imm(TestData.root.appendingPathComponent("imm_face_db")), limit: 12),
            output: library)
        let run = try CommandRunner.run([
            "nose", "--data", CommandRunner.data, "--epochs", "2", "--limit", "12", "--out", command.path
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(
            try Data(contentsOf: library.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: command.appendingPathComponent("model.safetensors")))
    }

    /// A loss the architecture does not train with is refused by the library, in one line.
    @Test func lossesAreChosenForTheArchitecture() throws {
        let pip = KeypointTask.landmarks(architecture: .pipNetResNet18)
        #expect(throws: TrainingError.self) { _ = try pip.choosingLosses(loss: .mse, scoreLoss: nil) }
        #expect(try pip.choosingLosses(loss: nil, scoreLoss: .adaptiveWing).configuration.scoreLoss == .adaptiveWing)
        let regression = KeypointTask.landmarks()
        #expect(throws: TrainingError.self) { _ = try regression.choosingLosses(loss: nil, scoreLoss: .mse) }
        #expect(try regression.choosingLosses(loss: .l1, scoreLoss: nil).configuration.loss == .l1)
        #expect(try regression.choosingLosses(loss: nil, scoreLoss: nil).configuration == regression.configuration)
    }
}
