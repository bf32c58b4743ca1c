import Foundation

/// What a run has measured so far, one entry per finished epoch; written to `metrics.json`.
public struct TrainingHistory: Codable, Sendable, Equatable {
    public var task: String
    public var trainLoss: [Float] = []
    public var validationLoss: [Float] = []
    /// Mean Euclidean validation error in original pixels after each epoch.
    public var validationErrorPx: [Float] = []
    /// Validation NME after each epoch (see ``EvaluationReport/normalization``).
    public var validationNME: [Float] = []
    public var learningRate: [Double] = []
    public var epochSeconds: [Double] = []
    public var imagesPerSecond: [Double] = []
    /// The final validation report: after the last finished epoch, and once training ends,
    /// of the model file as written (a face-box model's with its point offsets,
    /// ``KeypointCalibration``); setting it also sets ``finalErrorPx`` and ``finalNME``, the
    /// headline figures of `metrics.json`.
    public var validation: EvaluationReport? {
        didSet {
            finalErrorPx = validation?.meanErrorPx
            finalNME = validation?.nme
        }
    }
    public private(set) var finalErrorPx: Float?
    public private(set) var finalNME: Float?
    public var configuration: TrainingConfiguration?
    public var trainImages = 0
    public var validationImages = 0

    public init(task: String) { self.task = task }

    /// Epochs finished.
    public var epochs: Int { trainLoss.count }

    enum CodingKeys: String, CodingKey {
        case task, configuration, validation
        case trainLoss = "train_loss", validationLoss = "val_loss", validationErrorPx = "val_error_px_per_epoch"
        case validationNME = "val_nme_per_epoch", learningRate = "learning_rate", epochSeconds = "epoch_seconds"
        case imagesPerSecond = "images_per_second", trainImages = "train_images", validationImages = "val_images"
        case finalErrorPx = "val_error_px", finalNME = "val_nme"
    }

    /// The JSON written to `metrics.json`.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
