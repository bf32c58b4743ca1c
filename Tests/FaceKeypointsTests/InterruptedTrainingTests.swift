import Foundation
import TestSupport
import Testing

@testable import FaceKeypoints

/// A training process killed with SIGKILL resumes from its last checkpoint and ends with the
/// same weights as a run never interrupted; a resume on other data or settings is refused; a
/// non-finite loss stops training without touching what was saved.
@Suite(.serialized) struct InterruptedTrainingTests {
    /// SIGKILL at random moments (seeded, at least 20 kills over the whole run: start-up, data
    /// loading, training steps, the three writes of each epoch, the pictures at the end), each
    /// followed by `--resume`; every chain of runs must end with the uninterrupted run's weights
    /// and metrics. When a chain finishes before enough kills have landed, a new one starts.
    @Test func runsKilledAtRandomMomentsResumeToTheSameWeights() throws {
        let arguments = [
            "nose", "--data", CommandRunner.data, "--epochs", "6", "--limit", "16", "--recipe", "study", "--seed", "3"
        ]
        let uninterrupted = try CommandRunner.temporaryDirectory("uninterrupted")
        defer { try? FileManager.default.removeItem(at: uninterrupted) }
        let start = Date()
        let reference = try CommandRunner.run(arguments + ["--out", uninterrupted.path])
        #expect(reference.status == 0, "\(reference.error)")
        let runSeconds = Date().timeIntervalSince(start)
        let referenceModel = try Data(contentsOf: uninterrupted.appendingPathComponent("model.safetensors"))
        let referenceMetrics = try Metrics(contentsOf: uninterrupted.appendingPathComponent("metrics.json"))

        var generator = RandomGenerator(seed: 20)
        var kills = 0, chains = 0
        while kills < 20 && chains < 40 {
            chains += 1
            let out = try CommandRunner.temporaryDirectory("killed")
            defer { try? FileManager.default.removeItem(at: out) }
            var delays: [Double] = []
            while true {
                // Anywhere in a whole run's time: most kills land mid-run, some before the first checkpoint.
                let delay = 0.05 + Double(generator.nextUniform()) * runSeconds * 0.6
                let process = try CommandRunner.start(arguments + ["--out", out.path, "--resume"])
                usleep(UInt32(delay * 1e6))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                guard process.terminationReason == .uncaughtSignal else {
                    #expect(
                        process.terminationStatus == 0,
                        "chain \(chains): a resumed run failed after kills at \(delays) s")
                    break
                }
                kills += 1
                delays.append((delay * 100).rounded() / 100)
            }
            let model = try Data(contentsOf: out.appendingPathComponent("model.safetensors"))
            #expect(
                model == referenceModel,
                "chain \(chains) (kills after \(delays) s): the weights differ from the uninterrupted run's")
            let metrics = try Metrics(contentsOf: out.appendingPathComponent("metrics.json"))
            #expect(
                metrics.train_loss == referenceMetrics.train_loss && metrics.val_loss == referenceMetrics.val_loss,
                "chain \(chains) (kills after \(delays) s): train loss \(metrics.train_loss) against \(referenceMetrics.train_loss), validation loss \(metrics.val_loss) against \(referenceMetrics.val_loss)"
            )
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter {
                $0.hasSuffix(".tmp")
            }
            #expect(leftovers.count <= delays.count, "temporary files pile up: \(leftovers)")
        }
        print(
            "killed training \(kills) times in \(chains) chains; every chain ended with the uninterrupted run's weights"
        )
        #expect(kills >= 20, "only \(kills) kills landed in \(chains) chains")
    }

    /// A run stopped right after each of an epoch's three writes (model, checkpoint, metrics)
    /// resumes to the uninterrupted run's weights: in particular after the model is written but
    /// before the checkpoint is, when model.safetensors is one epoch ahead of the checkpoint.
    /// The same with a moving average of the weights, which the checkpoint must carry.
    @Test(arguments: ["model.safetensors", "checkpoint.safetensors", "metrics.json"], [nil, 0.5] as [Float?])
    func runStoppedBetweenWritesResumesToTheSameWeights(stopAfter file: String, movingAverageDecay: Float?) throws {
        struct Stop: Error {}
        let folder = URL(fileURLWithPath: CommandRunner.data + "/imm_face_db")
        var spec = KeypointModelSpec.nose
        // a quarter of the study's input: the resume logic, not the model, is tested
        (spec.inputWidth, spec.inputHeight) = (40, 30)
        let training = try FaceDataset.imm(folder: folder, split: .train, configuration: spec.datasetConfiguration())
            .subset(Array(0..<8))
        let validation = try FaceDataset.imm(
            folder: folder, split: .validation, configuration: spec.datasetConfiguration()
        ).subset(Array(0..<4))
        let configuration = TrainingConfiguration(
            epochs: 3, batchSize: 4, learningRate: 1e-3, seed: 5, movingAverageDecay: movingAverageDecay)
        func trainer(_ out: URL) throws -> KeypointTrainer {
            try KeypointTrainer(
                spec: spec, configuration: configuration, training: training, validation: validation, output: out)
        }
        let (reference, stopped) = (
            try CommandRunner.temporaryDirectory("reference"), try CommandRunner.temporaryDirectory("stopped")
        )
        defer { for url in [reference, stopped] { try? FileManager.default.removeItem(at: url) } }
        try trainer(reference).run(resume: false)

        let first = try trainer(stopped)
        var writes = 0
        first.afterWriting = { url in
            if url.lastPathComponent == file { writes += 1 }
            if writes == 2 { throw Stop() }  // in the second epoch
        }
        #expect(throws: Stop.self) { try first.run(resume: false) }
        var resumedFrom = -1
        try trainer(stopped).run(resume: true) { if case .resumed(let epoch) = $0 { resumedFrom = epoch } }
        #expect(resumedFrom == (file == "model.safetensors" ? 1 : 2))
        #expect(
            try Data(contentsOf: stopped.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: reference.appendingPathComponent("model.safetensors")))
    }

    @Test func resumingWithOtherSettingsIsRefused() throws {
        let out = try CommandRunner.temporaryDirectory("settings")
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try CommandRunner.run([
            "nose", "--data", CommandRunner.data, "--epochs", "1", "--limit", "4", "--out", out.path
        ])
        #expect(first.status == 0, "\(first.error)")
        let second = try CommandRunner.run([
            "nose", "--data", CommandRunner.data, "--epochs", "1", "--limit", "4", "--lr", "0.01",
            "--out", out.path, "--resume"
        ])
        #expect(second.status != 0)
        #expect(
            second.error.contains("cannot resume") && second.error.contains("learningRate: checkpoint 0.001, now 0.01"),
            "stderr: \(second.error)")
    }

    /// Other data is refused with one line naming the difference (here `--limit`, which changes
    /// both sets); the same data through another path to its folder resumes; another thread
    /// count resumes with a warning that the run now rounds differently.
    @Test func resumingOnOtherDataIsRefusedAndOtherThreadsWarned() throws {
        let out = try CommandRunner.temporaryDirectory("data")
        let linked = try CommandRunner.temporaryDirectory("linked-data")
        defer { for url in [out, linked] { try? FileManager.default.removeItem(at: url) } }
        try FileManager.default.createSymbolicLink(
            at: linked.appendingPathComponent("imm_face_db"),
            withDestinationURL: URL(fileURLWithPath: CommandRunner.data + "/imm_face_db"))
        let base = ["nose", "--epochs", "1", "--out", out.path, "--threads", "1"]
        let first = try CommandRunner.run(base + ["--data", CommandRunner.data, "--limit", "4"])
        #expect(first.status == 0, "\(first.error)")

        let otherLimit = try CommandRunner.run(base + ["--data", CommandRunner.data, "--limit", "5", "--resume"])
        #expect(otherLimit.status == 1)
        let lines = otherLimit.error.split(separator: "\n")
        #expect(
            lines.count == 1 && otherLimit.error.contains("cannot resume: it was trained on other data: 4 faces from ")
                && otherLimit.error.contains("now 5 faces from "), "stderr: \(otherLimit.error)")

        let moved = try CommandRunner.run(base + ["--data", linked.path, "--limit", "4", "--resume"])
        #expect(moved.status == 0 && !moved.error.contains("warning"), "stderr: \(moved.error)")

        let threads = try CommandRunner.run([
            "nose", "--epochs", "1", "--out", out.path, "--threads", "2", "--data", CommandRunner.data,
            "--limit", "4", "--resume"
        ])
        #expect(threads.status == 0, "stderr: \(threads.error)")
        #expect(
            threads.error.contains(
                "warning: the checkpoint was made with 1 threads, this run uses 2: from here on it rounds differently"),
            "stderr: \(threads.error)")
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastCheckpoint() throws {
        let out = try CommandRunner.temporaryDirectory("nonfinite")
        defer { try? FileManager.default.removeItem(at: out) }
        let folder = URL(fileURLWithPath: CommandRunner.data + "/imm_face_db")
        var spec = KeypointModelSpec.nose
        // a quarter of the study's input: the resume logic, not the model, is tested
        (spec.inputWidth, spec.inputHeight) = (40, 30)
        let training = try FaceDataset.imm(folder: folder, split: .train, configuration: spec.datasetConfiguration())
            .subset(Array(0..<8))
        let validation = try FaceDataset.imm(
            folder: folder, split: .validation, configuration: spec.datasetConfiguration()
        ).subset(Array(0..<4))
        let trainer = try KeypointTrainer(
            spec: spec, configuration: TrainingConfiguration(epochs: 3, batchSize: 4, learningRate: 1e-3),
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
