import Foundation

/// What a run has measured so far, one entry per finished epoch; written to `metrics.json`.
public struct TrainingHistory: Codable, Sendable, Equatable {
    /// The model's task (``KeypointModelSpec/Task`` raw value: `nose`, `face`, `landmarks` or `custom`).
    public var task: String
    /// Mean training loss of each epoch (normalized coordinates; PIPNet's own loss for PIPNet).
    public var trainLoss: [Float] = []
    /// Mean validation loss after each epoch, measured with the same loss.
    public var validationLoss: [Float] = []
    /// Mean Euclidean validation error in original pixels after each epoch.
    public var validationErrorPx: [Float] = []
    /// Validation NME after each epoch (see ``EvaluationReport/normalization``).
    public var validationNME: [Float] = []
    /// The learning rate each epoch trained at.
    public var learningRate: [Double] = []
    /// Each epoch's wall-clock time in seconds, validation included.
    public var epochSeconds: [Double] = []
    /// Each epoch's training throughput, in images per second over all ranks (validation left out).
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
    /// ``validation``'s mean error in original pixels (`val_error_px` in `metrics.json`).
    public private(set) var finalErrorPx: Float?
    /// ``validation``'s NME (`val_nme` in `metrics.json`).
    public private(set) var finalNME: Float?
    /// The settings the run trained with.
    public var configuration: TrainingConfiguration?
    /// Faces in the training set.
    public var trainImages = 0
    /// Faces in the validation set.
    public var validationImages = 0

    /// An empty history for a model of `task`.
    public init(task: String) { self.task = task }

    /// Epochs finished.
    public var epochs: Int { trainLoss.count }

    enum CodingKeys: String, CodingKey {
        case task, configuration, validation
        case trainLoss = "train_loss"
        case validationLoss = "val_loss"
        case validationErrorPx = "val_error_px_per_epoch"
        case validationNME = "val_nme_per_epoch"
        case learningRate = "learning_rate"
        case epochSeconds = "epoch_seconds"
        case imagesPerSecond = "images_per_second"
        case trainImages = "train_images"
        case validationImages = "val_images"
        case finalErrorPx = "val_error_px"
        case finalNME = "val_nme"
    }

    /// The JSON written to `metrics.json`.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
