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
    /// The final validation report (after the last finished epoch).
    public var validation: EvaluationReport?
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

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        task = try c.decode(String.self, forKey: .task)
        trainLoss = try c.decode([Float].self, forKey: .trainLoss)
        validationLoss = try c.decode([Float].self, forKey: .validationLoss)
        validationErrorPx = try c.decode([Float].self, forKey: .validationErrorPx)
        validationNME = try c.decode([Float].self, forKey: .validationNME)
        learningRate = try c.decode([Double].self, forKey: .learningRate)
        epochSeconds = try c.decode([Double].self, forKey: .epochSeconds)
        imagesPerSecond = try c.decode([Double].self, forKey: .imagesPerSecond)
        validation = try c.decodeIfPresent(EvaluationReport.self, forKey: .validation)
        configuration = try c.decodeIfPresent(TrainingConfiguration.self, forKey: .configuration)
        trainImages = try c.decode(Int.self, forKey: .trainImages)
        validationImages = try c.decode(Int.self, forKey: .validationImages)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(task, forKey: .task)
        try c.encode(trainLoss, forKey: .trainLoss)
        try c.encode(validationLoss, forKey: .validationLoss)
        try c.encode(validationErrorPx, forKey: .validationErrorPx)
        try c.encode(validationNME, forKey: .validationNME)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(epochSeconds, forKey: .epochSeconds)
        try c.encode(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encodeIfPresent(validation, forKey: .validation)
        try c.encodeIfPresent(configuration, forKey: .configuration)
        try c.encode(trainImages, forKey: .trainImages)
        try c.encode(validationImages, forKey: .validationImages)
        try c.encodeIfPresent(validation?.meanErrorPx, forKey: .finalErrorPx)
        try c.encodeIfPresent(validation?.nme, forKey: .finalNME)
    }

    /// The JSON written to `metrics.json`.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
