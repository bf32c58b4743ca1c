import Foundation
import Testing
import FaceKeypoints
import TestSupport

/// A training process killed with SIGKILL resumes from its last checkpoint and ends with the
/// same weights as a run never interrupted; a non-finite loss stops training without touching
/// what was saved.
@Suite(.serialized) struct InterruptedTrainingTests {
    static let arguments = ["nose", "--data", CommandRunner.data, "--epochs", "5", "--limit", "64", "--recipe", "study", "--seed", "3"]

    @Test func killedRunResumesToTheSameWeights() throws {
        let uninterrupted = try CommandRunner.temporaryDirectory("uninterrupted")
        let killed = try CommandRunner.temporaryDirectory("killed")
        defer {
            try? FileManager.default.removeItem(at: uninterrupted)
            try? FileManager.default.removeItem(at: killed)
        }
        let reference = try CommandRunner.run(Self.arguments + ["--out", uninterrupted.path])
        #expect(reference.status == 0, "\(reference.error)")

        // Kill the second run during its third epoch (after two checkpoints).
        let process = try CommandRunner.start(Self.arguments + ["--out", killed.path])
        let metrics = killed.appendingPathComponent("metrics.json")
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            if let data = try? Data(contentsOf: metrics), let parsed = try? JSONDecoder().decode(Metrics.self, from: data),
               parsed.train_loss.count >= 2 {
                break
            }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        let interruptedEpochs = try Metrics(contentsOf: metrics).train_loss.count
        #expect(interruptedEpochs < 5)

        let resumed = try CommandRunner.run(Self.arguments + ["--out", killed.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("resuming after epoch \(interruptedEpochs)"))
        let a = try Data(contentsOf: uninterrupted.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("model.safetensors"))
        #expect(a == b, "the resumed run's weights differ from the uninterrupted run's")
        let left = try Metrics(contentsOf: uninterrupted.appendingPathComponent("metrics.json"))
        let right = try Metrics(contentsOf: metrics)
        #expect(left.train_loss == right.train_loss && left.val_loss == right.val_loss)
    }

    @Test func resumingWithOtherSettingsIsRefused() throws {
        let out = try CommandRunner.temporaryDirectory("settings")
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try CommandRunner.run(["nose", "--data", CommandRunner.data, "--epochs", "1", "--limit", "4", "--out", out.path])
        #expect(first.status == 0, "\(first.error)")
        let second = try CommandRunner.run(["nose", "--data", CommandRunner.data, "--epochs", "1", "--limit", "4", "--lr", "0.01",
                                            "--out", out.path, "--resume"])
        #expect(second.status != 0)
        #expect(second.error.contains("cannot resume") && second.error.contains("learningRate: checkpoint 0.001, now 0.01"), "stderr: \(second.error)")
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastCheckpoint() throws {
        let out = try CommandRunner.temporaryDirectory("nonfinite")
        defer { try? FileManager.default.removeItem(at: out) }
        let folder = URL(fileURLWithPath: CommandRunner.data + "/imm_face_db")
        let spec = KeypointModelSpec.nose
        let training = try FaceDataset.imm(folder: folder, split: .train, configuration: spec.datasetConfiguration()).subset(Array(0..<8))
        let validation = try FaceDataset.imm(folder: folder, split: .validation, configuration: spec.datasetConfiguration()).subset(Array(0..<4))
        let trainer = try KeypointTrainer(spec: spec, configuration: TrainingConfiguration(epochs: 3, batchSize: 4, learningRate: 1e-3),
                                          training: training, validation: validation, output: out)
        var saved = Data()
        let error = try #require(throws: TrainingError.self) {
            try trainer.run(resume: false) { progress in
                if case .epoch(let epoch, _, _, _, _, _) = progress, epoch == 1 {
                    saved = (try? Data(contentsOf: trainer.checkpointURL)) ?? Data()
                    trainer.model.parameters()[0].update { $0[0] = .nan }
                }
            }
        }
        guard case .nonFinite(_, let epoch, let step, _, let checkpoint) = error else {
            Issue.record("expected TrainingError.nonFinite, got: \(error)")
            return
        }
        #expect(epoch == 2 && step == 1 && checkpoint == trainer.checkpointURL.path, "\(error)")
        #expect(error.description.contains("became NaN or infinite at epoch 2, step 1"), "\(error)")
        #expect(!saved.isEmpty)
        #expect(try Data(contentsOf: trainer.checkpointURL) == saved, "the last good checkpoint was changed")
        let metrics = try Metrics(contentsOf: trainer.metricsURL)
        #expect(metrics.train_loss.count == 1)
    }
}
