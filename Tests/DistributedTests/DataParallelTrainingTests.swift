import Foundation
import Tensor
import TensorIO
import Testing

/// Data-parallel training through `mpirun -np 2 keypoints nose ... --distributed` (NoseNet has
/// no BatchNorm, so 2 ranks compute exactly the gradients of one process at twice the batch).
/// CI runs this suite as its own step with `FACEKEYPOINTS_REQUIRE_MPI=1`; elsewhere it is
/// skipped when `mpirun` is not installed.
@Suite(
    .serialized,
    .enabled(
        if: MPIRun.enabled,
        "mpirun not found: install Open MPI (apt-get install -y libopenmpi-dev openmpi-bin) to run the 2-rank tests; CI always runs them"
    ))
struct DataParallelTrainingTests {
    /// 80 training images, 4 epochs at a global batch of 16: 20 steps.
    static func arguments(out: URL, epochs: Int = 4, batchSize: Int) -> [String] {
        [
            "nose", "--data", MPIRun.data, "--limit", "80", "--epochs", String(epochs), "--batch-size",
            String(batchSize),
            "--threads", "1", "--seed", "3", "--out", out.path
        ]
    }

    /// The model's tensors.
    static func weights(_ out: URL) throws -> [String: Tensor] {
        try SafeTensors.read(contentsOf: out.appendingPathComponent("model.safetensors")).tensors
    }

    /// `a` and `b` hold the same tensors within float tolerance (the sums are split differently).
    static func expectClose(_ a: [String: Tensor], _ b: [String: Tensor], _ what: String) {
        #expect(Set(a.keys) == Set(b.keys))
        for (name, x) in a {
            guard let y = b[name] else { continue }
            let worst = zip(x.scalars, y.scalars).map { abs($0 - $1) - 1e-3 * abs($0) }.max() ?? 0
            #expect(worst <= 1e-5, "\(what): \(name) differs by more than 1e-5 + 1e-3 |x| (excess \(worst))")
        }
    }

    @Test func twoRanksAtBatch8EndWithTheWeightsOfOneProcessAtBatch16() throws {
        let (single, ranks, again) = (
            try MPIRun.temporaryDirectory("single"), try MPIRun.temporaryDirectory("ranks"),
            try MPIRun.temporaryDirectory("again")
        )
        defer { for url in [single, ranks, again] { try? FileManager.default.removeItem(at: url) } }
        let one = try MPIRun.run(ranks: nil, Self.arguments(out: single, batchSize: 16))
        #expect(one.status == 0, "one process: \(one.error)")
        let two = try MPIRun.run(ranks: 2, Self.arguments(out: ranks, batchSize: 8))
        #expect(two.status == 0, "2 ranks: \(two.error)")
        #expect(two.output.contains("1 threads x 2 ranks (global batch 16)"), "\(two.output)")
        Self.expectClose(try Self.weights(single), try Self.weights(ranks), "2 ranks x 8 against 1 x 16")

        // The same run with the same rank count is reproducible to the bit.
        let repeated = try MPIRun.run(ranks: 2, Self.arguments(out: again, batchSize: 8))
        #expect(repeated.status == 0, "2 ranks again: \(repeated.error)")
        #expect(
            try Data(contentsOf: ranks.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: again.appendingPathComponent("model.safetensors")))
    }

    /// A ResNet18 (20 BatchNorm layers) on 32 px crops of 300-W, 40 images, 4 epochs at a global
    /// batch of 8: 20 steps. With synchronized BatchNorm, 2 ranks at batch 4 compute the
    /// statistics of one process at batch 8 and end with its weights and running statistics;
    /// with per-rank BatchNorm they do not (the running statistics differ), so the check has
    /// teeth. The learning rate is 1e-6: at 1e-3, Adam's first steps (the sign of each gradient
    /// element) turn rounding differences into different weights within a few steps, even
    /// between 1 and 2 threads of one process (Docs/Scaling.md).
    @Test func twoRanksWithSynchronizedBatchNormEndWithTheWeightsOfOneProcess() throws {
        let (single, synchronized, perRank) = (
            try MPIRun.temporaryDirectory("bn-single"), try MPIRun.temporaryDirectory("bn-sync"),
            try MPIRun.temporaryDirectory("bn-per-rank")
        )
        defer { for url in [single, synchronized, perRank] { try? FileManager.default.removeItem(at: url) } }
        func arguments(_ out: URL, batchSize: Int) -> [String] {
            [
                "train", "--xml", MPIRun.data + "/300w_subset/labels.xml", "--architecture", "ResNet18", "--input-size",
                "32",
                "--limit", "40", "--epochs", "4", "--batch-size", String(batchSize), "--lr", "1e-6", "--threads", "1",
                "--seed", "3",
                "--out", out.path
            ]
        }
        let one = try MPIRun.run(ranks: nil, arguments(single, batchSize: 8))
        #expect(one.status == 0, "one process: \(one.error)")
        let two = try MPIRun.run(ranks: 2, arguments(synchronized, batchSize: 4) + ["--sync-batchnorm"])
        #expect(two.status == 0, "2 ranks: \(two.error)")
        #expect(two.output.contains("(global batch 8, synchronized BatchNorm)"), "\(two.output.prefix(600))")
        let reference = try Self.weights(single)
        Self.expectClose(
            reference, try Self.weights(synchronized), "2 ranks x 4 with synchronized BatchNorm against 1 x 8")

        let separate = try MPIRun.run(ranks: 2, arguments(perRank, batchSize: 4))
        #expect(separate.status == 0, "2 ranks, per-rank BatchNorm: \(separate.error)")
        let perRankWeights = try Self.weights(perRank)
        let runningVariancesDiffer = reference.contains { name, x in
            name.hasSuffix("running_var")
                && zip(x.scalars, perRankWeights[name]!.scalars).contains { abs($0 - $1) > 1e-5 + 1e-3 * abs($0) }
        }
        #expect(runningVariancesDiffer, "per-rank BatchNorm should not match one process at the global batch")
    }

    /// A 2-rank run at batch 8, stopped after its first checkpoint (a rank killed), resumes
    /// in one process at batch 16 (the same global batch) and ends with the weights of an
    /// uninterrupted one-process run; at batch 8 it is refused with the batch size to use.
    @Test func aTwoRankCheckpointResumesInOneProcessAtTheSameGlobalBatch() throws {
        let (single, resumed) = (try MPIRun.temporaryDirectory("single"), try MPIRun.temporaryDirectory("resumed"))
        defer { for url in [single, resumed] { try? FileManager.default.removeItem(at: url) } }
        let job = try MPIRun.start(ranks: 2, Self.arguments(out: resumed, batchSize: 8))
        let checkpoint = resumed.appendingPathComponent("checkpoint.safetensors")
        while !FileManager.default.fileExists(atPath: checkpoint.path) && job.isRunning { usleep(50_000) }
        // Stop the job by killing rank 1 (mpirun started from a test runner may have SIGTERM blocked).
        if let victim = MPIRun.rankProcess(1, of: job) { kill(victim, SIGKILL) }
        let stopped = MPIRun.finish(job)
        #expect(
            stopped.status != 0 && stopped.error.contains("is intact: continue with the same command and --resume"),
            "stderr: \(stopped.error)")
        let epoch = try SafeTensors.read(contentsOf: checkpoint).metadata["checkpoint.epoch"].flatMap(Int.init)
        #expect(
            epoch.map { (1..<4).contains($0) } == true, "the checkpoint holds epoch \(String(describing: epoch)) of 4")

        let refused = try MPIRun.run(ranks: nil, Self.arguments(out: resumed, batchSize: 8) + ["--resume"])
        #expect(refused.status == 1)
        #expect(
            refused.error.contains(
                "global batch of 16 (2 ranks x 8), this run's is 8 (1 ranks x 8); with 1 ranks use --batch-size 16"),
            "stderr: \(refused.error)")

        let second = try MPIRun.run(ranks: nil, Self.arguments(out: resumed, batchSize: 16) + ["--resume"])
        #expect(second.status == 0, "resumed in one process: \(second.error)")
        #expect(
            second.error.contains("the checkpoint was made with 2 ranks, this run has 1"), "stderr: \(second.error)")
        let reference = try MPIRun.run(ranks: nil, Self.arguments(out: single, batchSize: 16))
        #expect(reference.status == 0, "one process: \(reference.error)")
        Self.expectClose(
            try Self.weights(single), try Self.weights(resumed), "2 ranks then 1 process against 1 process")
    }

    /// A rank killed mid-run: mpirun ends the job, rank 0 prints one error naming the intact
    /// checkpoint, and the same command with --resume finishes.
    @Test func aKilledRankEndsTheJobWithOneErrorAndTheRunResumes() throws {
        let out = try MPIRun.temporaryDirectory("killed")
        defer { try? FileManager.default.removeItem(at: out) }
        // 40 epochs: the release build (CI's) trains one in about a tenth of a second, so the job is still running when the rank is killed.
        let arguments = Self.arguments(out: out, epochs: 40, batchSize: 8)
        let job = try MPIRun.start(ranks: 2, arguments)
        let checkpoint = out.appendingPathComponent("checkpoint.safetensors")
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && job.isRunning && Date() < deadline {
            usleep(20_000)
        }
        usleep(100_000)  // past the first checkpoint
        let victim = try #require(MPIRun.rankProcess(1, of: job), "rank 1 of the job not found")
        kill(victim, SIGKILL)
        let killed = MPIRun.finish(job)
        #expect(killed.status != 0)
        let errors = killed.error.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(
            errors.count == 1
                && errors[0].contains(
                    "the last checkpoint, \(checkpoint.path), is intact: continue with the same command and --resume"),
            "stderr: \(killed.error)")

        let saved = try SafeTensors.read(contentsOf: checkpoint)
        let epoch = try #require(saved.metadata["checkpoint.epoch"].flatMap(Int.init))
        #expect(epoch >= 1 && epoch < 40 && saved.metadata["checkpoint.ranks"] == "2")

        let resumed = try MPIRun.run(ranks: 2, arguments + ["--resume"])
        #expect(resumed.status == 0, "resumed: \(resumed.error)")
        #expect(resumed.output.contains("epoch  40/40"), "\(resumed.output.suffix(300))")
    }

    /// Ranks started with different settings or data stop before their first collective, with
    /// one line from rank 0 naming what differs (they used to corrupt memory or hang).
    @Test(arguments: [
        (["--batch-size", "4"], ["--batch-size", "2"], "training settings"),
        (["--limit", "16"], ["--limit", "40"], "training data"),
        (["--epochs", "1"], ["--epochs", "3"], "training settings")
    ])
    func ranksThatDisagreeStopWithOneLine(first: [String], second: [String], field: String) throws {
        let out = try MPIRun.temporaryDirectory("disagree")
        defer { try? FileManager.default.removeItem(at: out) }
        let base = ["nose", "--data", MPIRun.data, "--threads", "1", "--out", out.path]
        func withDefaults(_ options: [String]) -> [String] {
            var arguments = base + options
            for (option, value) in [("--limit", "16"), ("--epochs", "1"), ("--batch-size", "4")]
            where !options.contains(option) {
                arguments += [option, value]
            }
            return arguments
        }
        let run = try MPIRun.run(ranksWithArguments: [withDefaults(first), withDefaults(second)])
        #expect(run.status != 0)
        let errors = run.error.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(
            errors.count == 1 && errors[0].contains("the 2 ranks do not agree on the \(field)"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
    }
}
