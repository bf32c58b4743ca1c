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
        /// Mean squared error, and mean absolute error.
        case mse, l1
        /// Smooth L1 (Huber) loss with beta 0.02 in normalized units (about 2.2 px on a 224 px input).
        case smoothL1 = "smooth-l1"
        /// Wing loss with width 0.05 and curvature 0.01 in normalized units (about 5.6 px and
        /// 1.1 px on a 224 px input), scaled from the paper's w = 10 px, ε = 2 px.
        case wing
    }

    /// Training epochs (`--epochs`).
    public var epochs: Int
    /// Images per training step (`--batch-size`; per rank in a data-parallel run).
    public var batchSize: Int
    /// Adam's initial learning rate (`--lr`).
    public var learningRate: Double
    /// L2 weight decay added to the gradients by Adam.
    public var weightDecay: Double
    /// The learning-rate schedule (`--schedule`).
    public var schedule: Schedule
    /// The training loss of regression models (`--loss`).
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
    public var augmentation: Augmentation
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

    /// A configuration; by default no weight decay, a constant rate, MSE, seed 0, no augmentation
    /// and one loader worker.
    public init(
        epochs: Int, batchSize: Int, learningRate: Double, weightDecay: Double = 0, schedule: Schedule = .constant,
        loss: Loss = .mse, scoreLoss: PIPNetScoreLoss? = nil, seed: UInt64 = 0, splitSeed: UInt64? = nil,
        augmentation: Augmentation = .none,
        movingAverageDecay: Float? = nil, poseBalance: Double? = nil, plainFinalEpochs: Int? = nil, workers: Int = 1
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.schedule = schedule
        self.loss = loss
        self.scoreLoss = scoreLoss
        self.seed = seed
        self.splitSeed = splitSeed
        self.augmentation = augmentation
        self.movingAverageDecay = movingAverageDecay
        self.poseBalance = poseBalance
        self.plainFinalEpochs = plainFinalEpochs
        self.workers = workers
    }

    /// Checks the values a user can type, naming the option and what is allowed.
    public func validate() throws {
        func fail(_ message: String) throws -> Never { throw TrainingError.invalidConfiguration(message) }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("the batch size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0 && learningRate.isFinite) {
            try fail("the learning rate must be a positive number, got \(learningRate)")
        }
        if !(weightDecay >= 0 && weightDecay.isFinite) { try fail("the weight decay must be >= 0, got \(weightDecay)") }
        if let decay = movingAverageDecay, !(decay >= 0 && decay < 1) {
            try fail("the moving average's decay must be in [0, 1), got \(decay)")
        }
        if let strength = poseBalance, !(0...1).contains(strength) {
            try fail("the pose balancing strength must be in 0...1, got \(strength)")
        }
        if let plain = plainFinalEpochs, !(0...epochs).contains(plain) {
            try fail("the plain final epochs must be in 0...\(epochs) (the run's epochs), got \(plain)")
        }
        if workers < 0 { try fail("the number of loader workers must be >= 0, got \(workers)") }
        if let problem = augmentation.problem { try fail(problem) }
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
