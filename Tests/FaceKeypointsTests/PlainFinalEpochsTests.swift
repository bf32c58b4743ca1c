import Foundation
import Testing

@testable import FaceKeypoints

/// Training with `plainFinalEpochs`: the augmentation stops, but for the mirror, exactly that
/// many epochs before the end.
@Suite struct PlainFinalEpochsTests {
    @Test("the last epochs train on plain crops: the first epoch as an augmented run's, the second not")
    func theAugmentationStopsForTheLastEpochs() throws {
        let (faces, validation) = try MovingAverageTrainingTests.sets()
        let training = try faces.with(augmentation: Augmentation(rotation: 20, scale: 0.8...1.2))
        func losses(plainFinalEpochs: Int?) throws -> [Float] {
            let out = try CommandRunner.temporaryDirectory("plain")
            defer { try? FileManager.default.removeItem(at: out) }
            let configuration = TrainingConfiguration(
                epochs: 2, batchSize: 4, learningRate: 1e-2, seed: 5, plainFinalEpochs: plainFinalEpochs)
            let trainer = try KeypointTrainer(
                spec: .nose, configuration: configuration, training: training, validation: validation, output: out)
            #expect(trainer.firstPlainEpoch == 2 - (plainFinalEpochs ?? 0))
            return try trainer.run(resume: false).trainLoss
        }
        let augmented = try losses(plainFinalEpochs: nil), plain = try losses(plainFinalEpochs: 1)
        #expect(try losses(plainFinalEpochs: 0) == augmented)
        #expect(plain[0] == augmented[0], "epoch 1 is augmented in both runs")
        #expect(plain[1] != augmented[1], "epoch 2 is plain in one")
    }

    @Test("the plain crops keep the mirror and drop everything else")
    func thePlainCropsKeepTheMirror() throws {
        let (faces, validation) = try MovingAverageTrainingTests.sets()
        let training = try faces.with(
            augmentation: Augmentation(
                rotation: 20, shift: 0.1, scale: 0.8...1.2, flipProbability: 0.5,
                colorJitter: ColorJitter(brightness: 0.3, contrast: 0.3)))
        let configuration = TrainingConfiguration(epochs: 3, batchSize: 4, learningRate: 1e-3, plainFinalEpochs: 2)
        let trainer = try KeypointTrainer(
            spec: .nose, configuration: configuration, training: training, validation: validation,
            output: URL(fileURLWithPath: "/nonexistent"))
        #expect(trainer.firstPlainEpoch == 1)
        #expect(try trainer.plainTraining().configuration.augmentation == Augmentation(flipProbability: 0.5))
    }

    @Test("more plain epochs than the run has are refused, naming the setting")
    func tooManyPlainEpochsAreRefused() throws {
        let configuration = TrainingConfiguration(epochs: 3, batchSize: 1, learningRate: 1e-3, plainFinalEpochs: 4)
        #expect { try configuration.validate() } throws: {
            "\($0)" == "the plain final epochs must be in 0...3 (the run's epochs), got 4"
        }
        let decoded = try JSONDecoder().decode(
            TrainingConfiguration.self, from: try JSONEncoder().encode(configuration))
        #expect(decoded == configuration && decoded.plainFinalEpochs == 4)
    }
}
