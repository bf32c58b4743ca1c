import Foundation

/// Everything needed to rebuild a trained keypoint model and feed it: the architecture, the
/// input size and pixel scaling, the point scheme, and how the input is cropped from a photo.
/// Stored as JSON in the metadata of every `model.safetensors` the trainer writes, so
/// ``KeypointDetector``, `keypoints evaluate` and `keypoints predict` need nothing else.
public struct KeypointModelSpec: Codable, Sendable, Equatable {
    /// The network.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        case noseNet = "NoseNet", faceNet = "FaceNet", resnet18 = "ResNet18"
    }

    /// The study's part this model solves (used to refuse a model file for another part).
    public enum Task: String, Codable, Sendable, CaseIterable {
        /// Part 1: the IMM nose tip.
        case nose
        /// Part 2: all 58 IMM points.
        case face
        /// Part 3: the 68 iBUG / 300-W landmarks.
        case landmarks
    }

    /// How the model input is cut from a photo.
    public enum Crop: Codable, Sendable, Equatable {
        /// The whole photo, resized (IMM).
        case wholeImage
        /// A square of `enlargement` times the face box's longer side around its center (300-W).
        case faceBox(enlargement: Float)
    }

    /// Input pixel scaling (see FaceData's `PixelNormalization`).
    public enum Pixels: String, Codable, Sendable {
        /// `0...1`.
        case unit
        /// `-0.5...0.5`.
        case centered
    }

    public var task: Task
    public var architecture: Architecture
    public var inputWidth: Int
    public var inputHeight: Int
    public var inputChannels: Int
    /// The annotation scheme: `imm58` or `ibug68`.
    public var scheme: String
    /// The scheme's points the model predicts, in output order (nil: all of them).
    public var points: [Int]?
    public var crop: Crop
    public var pixels: Pixels

    /// The number of points the model predicts (its output has twice as many values).
    public var pointCount: Int { points?.count ?? (scheme == "imm58" ? 58 : 68) }

    /// Part 1: NoseNet on the whole IMM photo at 80x60, point 52.
    public static let nose = KeypointModelSpec(task: .nose, architecture: .noseNet, inputWidth: 80, inputHeight: 60, inputChannels: 1,
                                               scheme: "imm58", points: [52], crop: .wholeImage, pixels: .centered)
    /// Part 2: the 5-conv FaceNet on the whole IMM photo at 240x180, all 58 points.
    public static let face = KeypointModelSpec(task: .face, architecture: .faceNet, inputWidth: 240, inputHeight: 180, inputChannels: 1,
                                               scheme: "imm58", points: nil, crop: .wholeImage, pixels: .centered)
    /// Part 3: ResNet18 on a 224x224 grayscale crop of 1.4x the face box, 68 points.
    public static let landmarks = KeypointModelSpec(task: .landmarks, architecture: .resnet18, inputWidth: 224, inputHeight: 224,
                                                    inputChannels: 1, scheme: "ibug68", points: nil, crop: .faceBox(enlargement: 1.4),
                                                    pixels: .centered)

    /// A freshly initialized model of this architecture and size.
    public func makeModel(using generator: inout RandomGenerator) -> Module {
        switch architecture {
        case .noseNet: NoseNet(inputHeight: inputHeight, inputWidth: inputWidth, points: pointCount, using: &generator)
        case .faceNet: FaceNet(inputHeight: inputHeight, inputWidth: inputWidth, points: pointCount, using: &generator)
        case .resnet18: NN.resnet18(inputChannels: inputChannels, outputs: 2 * pointCount, using: &generator)
        }
    }

    /// The model input's format for FaceData.
    public var inputFormat: InputFormat {
        InputFormat(width: inputWidth, height: inputHeight, channels: inputChannels, pixels: pixels == .unit ? .unit : .centered)
    }

    /// The crop for FaceData.
    public var cropMode: CropMode {
        switch crop {
        case .wholeImage: .wholeImage
        case .faceBox(let enlargement): .faceBox(enlargement: enlargement)
        }
    }

    /// The scheme's mirror map (for flips).
    public var mirrorMap: MirrorMap { scheme == "imm58" ? .imm58 : .ibug68 }

    /// A dataset configuration that produces this model's inputs and targets.
    public func datasetConfiguration(augmentation: Augmentation = .none, onBadSample: BadSamplePolicy = .fail) -> FaceDatasetConfiguration {
        FaceDatasetConfiguration(input: inputFormat, crop: cropMode, points: points, mirrorMap: mirrorMap,
                                 augmentation: augmentation, onBadSample: onBadSample)
    }
}
