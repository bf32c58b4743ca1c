import Foundation
import NN
import TestSupport
import Testing

@testable import FaceKeypoints

/// Training with `movingAverageDecay`: the average, not the last weights, is validated and
/// saved; a resume must find the average in the checkpoint.
@Suite struct MovingAverageTrainingTests {
    static func sets() throws -> (training: FaceDataset, validation: FaceDataset) {
        let folder = URL(fileURLWithPath: CommandRunner.data + "/imm_face_db")
        let configuration = KeypointModelSpec.nose.datasetConfiguration()
        return (
            try FaceDataset.imm(folder: folder, split: .train, configuration: configuration).subset(Array(0..<8)),
            try FaceDataset.imm(folder: folder, split: .validation, configuration: configuration).subset(Array(0..<4))
        )
    }

    @Test func theAverageIsValidatedAndSaved() throws {
        let (training, validation) = try Self.sets()
        let out = try CommandRunner.temporaryDirectory("average")
        defer { try? FileManager.default.removeItem(at: out) }
        let configuration = TrainingConfiguration(
            epochs: 2, batchSize: 4, learningRate: 1e-2, seed: 5, movingAverageDecay: 0.5)
        let trainer = try KeypointTrainer(
            spec: .nose, configuration: configuration, training: training, validation: validation, output: out)
        let history = try trainer.run(resume: false)
        #expect(trainer.movingAverage?.updates == 4, "two epochs of two steps")

        let saved = try KeypointModelFile.load(trainer.modelURL).model.stateDict()
        let average = trainer.movingAverage!.tensors
        let last = Dictionary(uniqueKeysWithValues: trainer.model.stateDict().map { ($0.name, $0.tensor) })
        #expect(saved.allSatisfy { $0.tensor == average[$0.name]! }, "model.safetensors holds the average")
        #expect(
            saved.contains { !$0.name.hasSuffix("num_batches_tracked") && $0.tensor != last[$0.name]! },
            "not the last weights")

        let (predictions, _) = try Evaluation.predict(trainer.validatedModel, spec: trainer.spec, on: validation)
        #expect(
            Evaluation.report(predictions, scheme: trainer.spec.scheme).nme == history.validationNME.last!,
            "the average is validated")
    }

    @Test func aCheckpointWithoutTheAverageIsRefused() throws {
        let (training, validation) = try Self.sets()
        let out = try CommandRunner.temporaryDirectory("no-average")
        defer { try? FileManager.default.removeItem(at: out) }
        struct Stop: Error {}
        let configuration = TrainingConfiguration(
            epochs: 2, batchSize: 4, learningRate: 1e-3, seed: 5, movingAverageDecay: 0.5)
        let first = try KeypointTrainer(
            spec: .nose, configuration: configuration, training: training, validation: validation, output: out)
        first.afterWriting = { if $0.lastPathComponent == TrainingCheckpoint.fileName { throw Stop() } }
        #expect(throws: Stop.self) { try first.run(resume: false) }
        // Strip the average from the checkpoint, as a damaged or foreign file would lack it.
        var checkpoint = try TrainingCheckpoint.read(from: first.checkpointURL)
        #expect(checkpoint.movingAverage?.updates == 2)
        checkpoint.movingAverage = nil
        try checkpoint.write(to: first.checkpointURL)
        let error = #expect(throws: TrainingError.self) {
            try KeypointTrainer(
                spec: .nose, configuration: configuration, training: training, validation: validation, output: out
            ).run(resume: true)
        }
        #expect(
            error?.description.contains("holds no moving average of the weights") == true,
            "\(String(describing: error))")
    }

    @Test func theDecayIsChecked() {
        let configuration = TrainingConfiguration(epochs: 1, batchSize: 4, learningRate: 1e-3, movingAverageDecay: 1)
        let error = #expect(throws: TrainingError.self) { try configuration.validate() }
        #expect(error?.description == "the moving average's decay must be in [0, 1), got 1.0")
    }
}
