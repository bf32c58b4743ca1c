import Foundation

/// The settings of one training run. Saved in checkpoints: a run resumes only with the same
/// settings, so a resumed run ends exactly where an uninterrupted one would.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// The learning-rate schedule over epochs.
    public enum Schedule: String, Codable, Sendable, CaseIterable {
        /// The same rate throughout (the study's setting).
        case constant
        /// Cosine annealing from the initial rate to 0 over all epochs.
        case cosine
        /// One epoch of linear warm-up from a tenth of the rate, then cosine annealing to 0.
        case warmupCosine = "warmup-cosine"
    }

    /// The training loss on normalized targets (see FaceData's `TargetNormalization`).
    public enum Loss: String, Codable, Sendable, CaseIterable {
        case mse, l1
        case smoothL1 = "smooth-l1"
        /// Wing loss with width 0.05 and curvature 0.01 in normalized units (about 5.6 px and
        /// 1.1 px on a 224 px input), scaled from the paper's w = 10 px, ε = 2 px.
        case wing
    }

    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// L2 weight decay added to the gradients by Adam.
    public var weightDecay: Double
    public var schedule: Schedule
    public var loss: Loss
    /// The criterion of PIPNet's score maps (`nil`: the reference's mean squared error); PIPNet
    /// models train with their own loss, not ``loss``.
    public var scoreLoss: PIPNetScoreLoss?
    /// The score maps' criterion a PIPNet model trains with: ``scoreLoss``, or the reference's
    /// mean squared error when it is unset.
    public var resolvedScoreLoss: PIPNetScoreLoss { scoreLoss ?? .mse }
    /// Seed of the initialization, the batch order and the augmentation, and of the split
    /// unless `splitSeed` is set.
    public var seed: UInt64
    /// Seed of the shuffle that splits an imglab source into training and validation faces,
    /// when it differs from `seed`: set it to train with other seeds on the same held-out faces.
    public var splitSeed: UInt64?
    /// Geometric and colour augmentation of the training samples.
    public var augmentation: AugmentationSettings
    /// The decay of an exponential moving average of the weights and BatchNorm statistics,
    /// updated after every step, which is then validated and saved instead of the last weights
    /// (`nil`: no average; see NN's `ExponentialMovingAverage`).
    public var movingAverageDecay: Float?
    /// The strength of pose-based data balancing, in 0...1: each epoch draws the training
    /// faces with FaceData's `PoseBalancing` weights, so rare poses come more often (`nil`:
    /// every face once per epoch).
    public var poseBalance: Double?
    /// The last this many epochs train on plain crops: no rotation, scale, shift, colour change
    /// or occlusion, only the mirror (a mirrored face is still a natural one), so the model
    /// ends on faces framed exactly as its annotated boxes frame them (`nil`: every epoch
    /// augmented). It pays on such boxes, not on a detector's (Docs/Training.md).
    public var plainFinalEpochs: Int?
    /// Background workers decoding and augmenting batches.
    public var workers: Int

    public init(epochs: Int, batchSize: Int, learningRate: Double, weightDecay: Double = 0, schedule: Schedule = .constant,
                loss: Loss = .mse, scoreLoss: PIPNetScoreLoss? = nil, seed: UInt64 = 0, splitSeed: UInt64? = nil, augmentation: AugmentationSettings = .none,
                movingAverageDecay: Float? = nil, poseBalance: Double? = nil, plainFinalEpochs: Int? = nil, workers: Int = 1) {
        self.epochs = epochs; self.batchSize = batchSize; self.learningRate = learningRate; self.weightDecay = weightDecay
        self.schedule = schedule; self.loss = loss; self.scoreLoss = scoreLoss; self.seed = seed; self.splitSeed = splitSeed
        self.augmentation = augmentation; self.movingAverageDecay = movingAverageDecay; self.poseBalance = poseBalance
        self.plainFinalEpochs = plainFinalEpochs; self.workers = workers
    }

    /// Checks the values a user can type, naming the option and what is allowed.
    public func validate() throws {
        func fail(_ message: String) throws -> Never { throw TrainingError.invalidConfiguration(message) }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("the batch size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0 && learningRate.isFinite) { try fail("the learning rate must be a positive number, got \(learningRate)") }
        if !(weightDecay >= 0 && weightDecay.isFinite) { try fail("the weight decay must be >= 0, got \(weightDecay)") }
        if let decay = movingAverageDecay, !(decay >= 0 && decay < 1) { try fail("the moving average's decay must be in [0, 1), got \(decay)") }
        if let strength = poseBalance, !(0...1).contains(strength) { try fail("the pose balancing strength must be in 0...1, got \(strength)") }
        if let plain = plainFinalEpochs, !(0...epochs).contains(plain) {
            try fail("the plain final epochs must be in 0...\(epochs) (the run's epochs), got \(plain)")
        }
        if workers < 0 { try fail("the number of loader workers must be >= 0, got \(workers)") }
        try augmentation.validate()
    }

    /// The loss function.
    public func lossFunction() -> (Tensor, Tensor) -> Tensor {
        switch loss {
        case .mse: return { mseLoss($0, $1) }
        case .l1: return { l1Loss($0, $1) }
        case .smoothL1: return { smoothL1Loss($0, $1, beta: 0.02) }
        case .wing: return { wingLoss($0, $1, width: 0.05, curvature: 0.01) }
        }
    }
}

/// Augmentation ranges in the units a user types: degrees, pixels or fractions of the input.
public struct AugmentationSettings: Codable, Sendable, Equatable {
    /// Rotation drawn from `±rotation` degrees.
    public var rotation: Float
    /// Shift drawn from `±shift` times the input size.
    public var shift: Float
    public var scaleLow: Float
    public var scaleHigh: Float
    public var flipProbability: Float
    /// Brightness and contrast factors drawn from `1 ± value`.
    public var brightness: Float
    public var contrast: Float
    /// The probability of a random rectangle up to 0.4 of the input's width and height painted
    /// over the image (Vision's `RandomOcclusion`, PIPNet's occlusion).
    public var occlusion: Float

    public init(rotation: Float = 0, shift: Float = 0, scaleLow: Float = 1, scaleHigh: Float = 1, flipProbability: Float = 0,
                brightness: Float = 0, contrast: Float = 0, occlusion: Float = 0) {
        self.rotation = rotation; self.shift = shift; self.scaleLow = scaleLow; self.scaleHigh = scaleHigh
        self.flipProbability = flipProbability; self.brightness = brightness; self.contrast = contrast; self.occlusion = occlusion
    }

    public static let none = AugmentationSettings()

    /// FaceData's augmentation.
    public var augmentation: Augmentation {
        Augmentation(rotation: rotation, shift: shift, scale: scaleLow...scaleHigh, flipProbability: flipProbability,
                     colorJitter: ColorJitter(brightness: brightness, contrast: contrast), occlusion: RandomOcclusion(probability: occlusion))
    }

    /// Checks the ranges, naming the setting and what is allowed.
    func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw TrainingError.invalidConfiguration(message) }
        }
        try check(rotation >= 0 && rotation <= 180, "the rotation range must be 0...180 degrees, got \(rotation)")
        try check(shift >= 0 && shift <= 1, "the shift must be a fraction of the input in 0...1, got \(shift)")
        try check(scaleLow > 0 && scaleLow <= scaleHigh && scaleHigh.isFinite, "the scale range must be positive and ordered, got \(scaleLow)...\(scaleHigh)")
        for (name, value) in [("flip probability", flipProbability), ("occlusion probability", occlusion)] {
            try check((0...1).contains(value), "the \(name) must be in 0...1, got \(value)")
        }
        for (name, value) in [("brightness", brightness), ("contrast", contrast)] {
            try check(value >= 0 && value.isFinite, "the \(name) strength must be >= 0, got \(value)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case rotation, shift, scaleLow, scaleHigh, flipProbability, brightness, contrast, occlusion
    }

    /// Decodes the settings; checkpoints written before occlusion existed read as no occlusion.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rotation: try c.decode(Float.self, forKey: .rotation), shift: try c.decode(Float.self, forKey: .shift),
                  scaleLow: try c.decode(Float.self, forKey: .scaleLow), scaleHigh: try c.decode(Float.self, forKey: .scaleHigh),
                  flipProbability: try c.decode(Float.self, forKey: .flipProbability),
                  brightness: try c.decode(Float.self, forKey: .brightness), contrast: try c.decode(Float.self, forKey: .contrast),
                  occlusion: try c.decodeIfPresent(Float.self, forKey: .occlusion) ?? 0)
    }
}

/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible, LocalizedError {
    case invalidConfiguration(String)
    /// A loss or gradient became NaN or infinite.
    case nonFinite(what: String, epoch: Int, step: Int, samples: [String], lastCheckpoint: String?)
    /// The checkpoint in the output folder does not fit this run.
    case checkpointMismatch(file: String, reason: String)
    /// The ranks of a distributed run were started with different settings, data or models.
    case ranksDisagree(field: String, ranks: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return message
        case .nonFinite(let what, let epoch, let step, let samples, let checkpoint):
            return "the \(what) became NaN or infinite at epoch \(epoch), step \(step) (batch of \(samples.prefix(4).joined(separator: ", "))\(samples.count > 4 ? ", ..." : "")); "
                + (checkpoint.map { "the last good checkpoint is \($0), untouched; lower the learning rate and resume from it" } ?? "no checkpoint was written yet; lower the learning rate and start again")
        case .checkpointMismatch(let file, let reason):
            return "\(file): cannot resume: \(reason). Resume with the interrupted run's settings and data, or train into another folder"
        case .ranksDisagree(let field, let ranks):
            return "the \(ranks) ranks do not agree on the \(field); start every rank with the same options and data"
        }
    }

    public var errorDescription: String? { description }
}
