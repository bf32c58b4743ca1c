import Foundation
import Testing

@testable import FaceKeypoints

@Suite("Training settings: checked ranges, checkpoints from before a setting existed still resume")
struct TrainingConfigurationTests {
    @Test(
        "a checkpoint's augmentation written before occlusion and saturation existed reads as none of them; new ones round-trip"
    )
    func occlusionDecodesWhenAbsent() throws {
        let old =
            #"{"rotation":15,"shift":0.05,"scaleLow":0.9,"scaleHigh":1.1,"flipProbability":0.5,"brightness":0.3,"contrast":0.3}"#
        let decoded = try JSONDecoder().decode(Augmentation.self, from: Data(old.utf8))
        #expect(decoded == KeypointTask.landmarkAugmentation)
        #expect(decoded.occlusion.isNone && decoded.colorJitter.saturation == 0)
        var occluded = KeypointTask.landmarkAugmentation
        occluded.occlusion = RandomOcclusion(probability: 0.5, maxSize: 0.3)
        occluded.colorJitter.saturation = 0.2
        let again = try JSONDecoder().decode(Augmentation.self, from: try JSONEncoder().encode(occluded))
        #expect(again == occluded)
        let missing = #"{"rotation":15,"shift":0.05}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Augmentation.self, from: Data(missing.utf8))
        }
    }

    @Test("a checkpoint's out-of-range augmentation is refused while decoding, naming the setting, never trapped on")
    func outOfRangeAugmentationIsRefusedWhileDecoding() throws {
        let reversed =
            #"{"rotation":15,"shift":0.05,"scaleLow":1.2,"scaleHigh":0.8,"flipProbability":0.5,"brightness":0.3,"contrast":0.3}"#
        #expect {
            try JSONDecoder().decode(Augmentation.self, from: Data(reversed.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription == "the scale range must be positive and ordered, got 1.2...0.8"
        }
    }

    @Test(
        "a checkpoint's settings written before the split seed existed read as none (the split follows the seed); a set one round-trips"
    )
    func splitSeedDecodesWhenAbsent() throws {
        let old =
            #"{"epochs":50,"batchSize":16,"learningRate":0.001,"weightDecay":0,"schedule":"warmup-cosine","loss":"wing","seed":3,"workers":1,"#
            + #""augmentation":{"rotation":15,"shift":0.05,"scaleLow":0.9,"scaleHigh":1.1,"flipProbability":0.5,"brightness":0.3,"contrast":0.3}}"#
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(old.utf8))
        #expect(
            decoded.seed == 3 && decoded.splitSeed == nil && decoded.poseBalance == nil && decoded.scoreLoss == nil
                && decoded.plainFinalEpochs == nil)
        #expect(decoded.resolvedScoreLoss == .mse)
        var configuration = decoded
        configuration.splitSeed = 0
        #expect(
            try JSONDecoder().decode(TrainingConfiguration.self, from: try JSONEncoder().encode(configuration))
                == configuration)
        #expect(describeDifferences(decoded, configuration) == "splitSeed: checkpoint none, now 0")
    }

    /// Augmentation changed field by field (as the command line's options do), out of range.
    static func changed(_ change: (inout Augmentation) -> Void) -> Augmentation {
        var augmentation = Augmentation.none
        change(&augmentation)
        return augmentation
    }

    @Test(
        "out-of-range augmentation is refused with the setting's name when the configuration is checked",
        arguments: [
            (changed { $0.rotation = -3 }, "the rotation range must be 0...180 degrees, got -3.0"),
            (changed { $0.scale = 0...1.1 }, "the scale range must be positive and ordered, got 0.0...1.1"),
            (changed { $0.flipProbability = 2 }, "the flip probability must be in 0...1, got 2.0"),
            (changed { $0.occlusion.probability = -0.1 }, "the occlusion probability must be in 0...1, got -0.1"),
            (changed { $0.colorJitter.contrast = .nan }, "the contrast strength must be >= 0, got nan")
        ])
    func badAugmentationIsRefused(_ augmentation: Augmentation, _ expected: String) {
        let configuration = TrainingConfiguration(
            epochs: 1, batchSize: 1, learningRate: 1e-3, augmentation: augmentation)
        #expect {
            try configuration.validate()
        } throws: { error in
            "\(error)" == expected
        }
    }

    @Test("pose balancing's strength is checked, and it round-trips")
    func poseBalanceIsChecked() throws {
        var configuration = TrainingConfiguration(epochs: 1, batchSize: 1, learningRate: 1e-3, poseBalance: 1.5)
        #expect { try configuration.validate() } throws: {
            "\($0)" == "the pose balancing strength must be in 0...1, got 1.5"
        }
        configuration.poseBalance = 0.5
        try configuration.validate()
        #expect(
            try JSONDecoder().decode(TrainingConfiguration.self, from: try JSONEncoder().encode(configuration))
                == configuration)
    }

    @Test("PIPNet's score loss round-trips and is the one a PIPNet trains with")
    func scoreLossRoundTrips() throws {
        let configuration = TrainingConfiguration(epochs: 1, batchSize: 1, learningRate: 1e-3, scoreLoss: .adaptiveWing)
        #expect(configuration.resolvedScoreLoss == .adaptiveWing)
        let encoded = try JSONEncoder().encode(configuration)
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""scoreLoss":"adaptive-wing""#))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: encoded) == configuration)
    }

    @Test("every recipe's settings pass the check")
    func recipesAreValid() throws {
        for recipe in KeypointTask.Recipe.allCases {
            for task in [
                KeypointTask.nose(recipe), .face(recipe), .landmarks(recipe),
                .landmarks(recipe, architecture: .pipNetResNet18)
            ] {
                try task.configuration.validate()
            }
        }
    }
}
