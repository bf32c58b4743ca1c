import FaceData
import Foundation
import Vision

/// A keypoint task: the model to train (``spec``), how to train it (``configuration``), where
/// its faces come from, and the files a run leaves behind. The study's three parts are tasks
/// (``nose(_:)``, ``face(_:)``, ``landmarks(_:boxes:architecture:)``, each with the `default` and the `study`
/// recipe); a user's own point scheme is another (``custom(scheme:architecture:inputSize:_:)``).
///
/// Part 3 in a few lines:
///
/// ```swift
/// let task = KeypointTask.landmarks()
/// let data = try task.datasets(from: .imglab(URL(fileURLWithPath: "../shared/data/300w_subset/labels.xml")))
/// let history = try task.train(data, output: URL(fileURLWithPath: "runs/landmarks")) { print($0) }
/// print(history.validation!.nme)          // 0.046 after the recipe's 47 epochs
/// ```
public struct KeypointTask: Sendable {
    /// A task's settings: this library's (`default`) or the original study's (`study`).
    public enum Recipe: String, Sendable, CaseIterable {
        /// This library's settings, and the original study's.
        case `default`, study
    }

    /// Where the faces come from.
    public enum DataSource: Sendable {
        /// The IMM Face Database folder: persons 01-32 train, 33-40 validate.
        case imm(URL)
        /// An imglab XML file, split by a seeded shuffle (the configuration's `splitSeed`, or
        /// else its `seed`).
        case imglab(URL, validationFraction: Double = 0.1)
    }

    /// The task's name: the output folder under `runs/` and the first word of its log.
    public var name: String
    /// The model to train.
    public var spec: KeypointModelSpec
    /// How to train it.
    public var configuration: TrainingConfiguration

    /// A task from its parts (the presets: ``nose(_:)``, ``face(_:)``, ``landmarks(_:boxes:architecture:)``,
    /// ``custom(scheme:architecture:inputSize:_:)``).
    public init(name: String, spec: KeypointModelSpec, configuration: TrainingConfiguration) {
        self.name = name
        self.spec = spec
        self.configuration = configuration
    }

    /// Part 1: the nose tip with NoseNet on the whole IMM photo at 80x60.
    public static func nose(_ recipe: Recipe = .default) -> KeypointTask {
        switch recipe {
        case .study:
            KeypointTask(
                name: "nose", spec: .nose,
                configuration: TrainingConfiguration(epochs: 25, batchSize: 4, learningRate: 1e-3))
        case .default:
            KeypointTask(
                name: "nose", spec: .nose,
                configuration: TrainingConfiguration(
                    epochs: 25, batchSize: 4, learningRate: 1e-3, schedule: .cosine,
                    augmentation: Augmentation(
                        rotation: 5, shift: 0.03, scale: 0.95...1.05, flipProbability: 0.5,
                        colorJitter: ColorJitter(brightness: 0.2, contrast: 0.2))))
        }
    }

    /// Part 2: all 58 IMM points with the study's 5-conv network (NN's `StudyPart2Net`) at 240x180. The study augments with
    /// rotation +-15 degrees, shift +-10 px of 240, brightness and contrast; the default adds
    /// cosine decay (11.07 against 11.29 px); mirrored flips did not help on IMM (12.49 px).
    public static func face(_ recipe: Recipe = .default) -> KeypointTask {
        let augmentation = Augmentation(
            rotation: 15, shift: 10.0 / 240, colorJitter: ColorJitter(brightness: 0.3, contrast: 0.3))
        return KeypointTask(
            name: "face", spec: .face,
            configuration: TrainingConfiguration(
                epochs: 60, batchSize: 4, learningRate: 1e-3, schedule: recipe == .study ? .constant : .cosine,
                augmentation: augmentation))
    }

    /// Rotation, shift, scale, flips and colour of part 3 (both recipes).
    public static let landmarkAugmentation = Augmentation(
        rotation: 15, shift: 0.05, scale: 0.9...1.1, flipProbability: 0.5,
        colorJitter: ColorJitter(brightness: 0.3, contrast: 0.3))

    /// Part 3: 68 iBUG landmarks with ResNet18 on 224x224 crops of 1.4x the face box. The study
    /// (`.study`) trains as the original did: conv1 padding 2 (``KeypointModelSpec/stemPadding``),
    /// Adam at 1e-4 without a schedule, 10 epochs of MSE, batch 4 (the original does not give its
    /// batch size; its part 2 used 4). The default trains 47 epochs at batch 16 with wing loss,
    /// a warm-up epoch and cosine decay from 1e-3. With
    /// `boxes: .detector`, the crops start from MTCNN's boxes (``KeypointModelSpec/detectorLandmarks``;
    /// the training file must hold ``DetectorBoxes``): the model the package ships.
    ///
    /// With a PIPNet architecture (`.pipNetResNet18`, `.pipNet16ResNet18`), the heatmap head
    /// trains with its own loss for 50 epochs on tighter crops around the annotated boxes, 1.2x
    /// (``pipNetCropEnlargement``), with the same augmentation (the shipped model's recipe; the
    /// experiments behind it are in Docs/Reproduction.md, "Beyond the study").
    public static func landmarks(
        _ recipe: Recipe = .default, boxes: KeypointModelSpec.FaceBoxes = .truth,
        architecture: KeypointModelSpec.Architecture = .resnet18
    ) -> KeypointTask {
        var task = KeypointTask(
            name: "landmarks", spec: boxes == .detector ? .detectorLandmarks : .landmarks,
            configuration: TrainingConfiguration(
                epochs: architecture.isPIPNet ? 50 : 47, batchSize: 16, learningRate: 1e-3, schedule: .warmupCosine,
                loss: .wing,
                augmentation: landmarkAugmentation))
        if recipe == .study {
            // The original: torchvision's ResNet18 with conv1 padding 2, Adam at 1e-4, 10 epochs of MSE; its batch size is
            // not given, so part 2's 4 (Docs/Reproduction.md).
            task.configuration = TrainingConfiguration(
                epochs: 10, batchSize: 4, learningRate: 1e-4, schedule: .constant, loss: .mse,
                augmentation: landmarkAugmentation)
            if architecture == .resnet18 { task.spec.stemPadding = 2 }
        }
        task.spec.architecture = architecture
        if architecture.isPIPNet && boxes == .truth { task.spec.crop = .faceBox(enlargement: pipNetCropEnlargement) }
        return task
    }

    /// PIPNet's crop around the annotated box on part 3's faces: the face fills more of the 7 x 7
    /// cells than in the study's 1.4x crop, and the held-out error fell from 3.64 to 3.54 %
    /// (Docs/Reproduction.md).
    public static let pipNetCropEnlargement: Float = 1.2

    /// A user's own scheme: part 3's recipe on `architecture` at `inputSize` pixels a side;
    /// flips only when the scheme has a mirror map.
    public static func custom(
        scheme: LandmarkScheme, architecture: KeypointModelSpec.Architecture = .resnet18, inputSize: Int = 224,
        _ recipe: Recipe = .default
    ) -> KeypointTask {
        var task = landmarks(recipe)
        task.name = "train"
        task.spec = .custom(scheme: scheme, architecture: architecture, inputSize: inputSize)
        if scheme.mirror == nil { task.configuration.augmentation.flipProbability = 0 }
        return task
    }

    /// The task with the losses a user chose (nil: the recipe's): `loss` for a regression
    /// network, `scoreLoss` for PIPNet's score maps. Throws
    /// ``TrainingError/invalidConfiguration(_:)`` for a loss the architecture does not train with.
    public func choosingLosses(loss: TrainingConfiguration.Loss?, scoreLoss: PIPNetScoreLoss?) throws -> KeypointTask {
        let architecture = spec.architecture
        if architecture.isPIPNet, loss != nil {
            throw TrainingError.invalidConfiguration(
                "the loss (--loss) is a regression model's; PIPNet trains with its own (choose its score maps' loss with --score-loss)"
            )
        }
        if !architecture.isPIPNet, scoreLoss != nil {
            throw TrainingError.invalidConfiguration(
                "the score-map loss (--score-loss) applies to PIPNet architectures only; \(architecture.rawValue) takes --loss"
            )
        }
        var task = self
        if let loss { task.configuration.loss = loss }
        if let scoreLoss { task.configuration.scoreLoss = scoreLoss }
        return task
    }

    /// The training set (with the configuration's augmentation) and the validation set (none)
    /// from `source`; with `limit`, the first `limit` faces of each.
    public func datasets(
        from source: DataSource, limit: Int? = nil
    ) throws -> (training: FaceDataset, validation: FaceDataset) {
        if let limit, limit < 1 {
            throw TrainingError.invalidConfiguration("the face limit must be at least 1, got \(limit)")
        }
        let augmented = spec.datasetConfiguration(augmentation: configuration.augmentation)
        switch source {
        case .imm(let folder):
            return (
                try FaceDataset.imm(folder: folder, split: .train, configuration: augmented, limit: limit),
                try FaceDataset.imm(
                    folder: folder, split: .validation, configuration: spec.datasetConfiguration(), limit: limit)
            )
        case .imglab(let url, let fraction):
            let split = try ValidationSplit(fraction: fraction, seed: configuration.splitSeed ?? configuration.seed)
            let annotations = try ImglabDataset(contentsOf: url)
            do {
                try DetectorBoxes.requireBoxes(of: annotations, file: url, for: spec.faceBoxes)
            } catch let error as KeypointInputError {
                throw TrainingError.invalidConfiguration(error.message)
            }
            // The split is of the annotated faces, as `evaluate` makes it (AnnotatedFaces), and
            // only the faces kept (all, or the first `limit` of each part) are decoded.
            var annotationsOnly = spec.datasetConfiguration()
            annotationsOnly.cache = .none
            let all =
                spec.scheme == .ibug68 && spec.task != .custom
                ? try FaceDataset.imglab(url, configuration: annotationsOnly)
                : try FaceDataset.imglab(annotations, file: url, scheme: spec.scheme, configuration: annotationsOnly)
            let parts = all.split(validationFraction: split.fraction, seed: split.seed)
            let kept = { (part: FaceDataset) in Array(part.faces.prefix(limit ?? part.count)) }
            return (
                try FaceDataset(faces: kept(parts.train), configuration: augmented, skipped: all.skipped),
                try FaceDataset(
                    faces: kept(parts.validation), configuration: spec.datasetConfiguration(), skipped: all.skipped)
            )
        }
    }

    /// Trains on `data` into `output` (see ``KeypointTrainer``: model, checkpoint and metrics
    /// replaced after every epoch; with `resume`, continues from the checkpoint there), and
    /// writes the pictures: `samples.png` (a first batch as trained), then `loss.png`,
    /// `predictions.png` (best and worst validation faces) and `filters.png` (first
    /// convolution).
    @discardableResult
    public func train(
        _ data: (training: FaceDataset, validation: FaceDataset), output: URL, resume: Bool = false,
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws -> TrainingHistory {
        let trainer = try makeTrainer(data, output: output)
        return try train(with: trainer, resume: resume, progress: progress)
    }

    /// The trainer ``train(_:output:resume:progress:)`` uses, for callers that show the model first.
    /// With a `group` of several ranks, every rank makes its trainer (see ``KeypointTrainer``).
    public func makeTrainer(
        _ data: (training: FaceDataset, validation: FaceDataset), output: URL,
        group: any ProcessGroup = SingleProcessGroup(), synchronizedBatchNorm: Bool = false
    ) throws -> KeypointTrainer {
        try KeypointTrainer(
            spec: spec, configuration: configuration, training: data.training, validation: data.validation,
            output: output,
            group: group, synchronizedBatchNorm: synchronizedBatchNorm)
    }

    /// Runs `trainer` (made by ``makeTrainer(_:output:group:synchronizedBatchNorm:)``) and writes the pictures (rank 0
    /// only, in a data-parallel run).
    @discardableResult
    public func train(
        with trainer: KeypointTrainer, resume: Bool = false, progress: (TrainingProgress) -> Void = { _ in }
    ) throws -> TrainingHistory {
        let output = trainer.output
        guard trainer.group.isRoot else { return try trainer.run(resume: resume, progress: progress) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let firstBatch = try DataLoader(
            dataset: trainer.training, batchSize: 8, shuffle: true, seed: configuration.seed
        ).batch(0, epoch: 0)
        try TrainingReports.samplesGrid(firstBatch, format: spec.inputFormat).write(
            to: output.appendingPathComponent("samples.png"))
        let history = try trainer.run(resume: resume, progress: progress)
        try TrainingReports.lossPlot(history, title: "\(name): loss per epoch", loss: configuration.loss).write(
            to: output.appendingPathComponent("loss.png"))
        let written = try KeypointModelFile.spec(of: trainer.modelURL).spec  // with a face-box model's point offsets
        let (predictions, _) = try Evaluation.predict(trainer.validatedModel, spec: written, on: trainer.validation)
        try TrainingReports.predictionsGrid(predictions, dataset: trainer.validation).write(
            to: output.appendingPathComponent("predictions.png"))
        if let first = trainer.validatedModel.namedParameters().first(where: { $0.name == "conv1.weight" }) {
            try TrainingReports.filters(first.parameter.value).write(to: output.appendingPathComponent("filters.png"))
        }
        return history
    }

    /// The files a finished run leaves in its output folder.
    public func outputFiles(of trainer: KeypointTrainer) -> [String] {
        ["model.safetensors", "checkpoint.safetensors", "metrics.json", "loss.png", "samples.png", "predictions.png"]
            + (trainer.model.namedParameters().contains { $0.name == "conv1.weight" } ? ["filters.png"] : [])
    }
}
