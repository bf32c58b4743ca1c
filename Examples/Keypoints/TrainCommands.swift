import ArgumentParser
import Distributed
import FaceKeypoints
import Foundation

/// Options shared by the three training commands. Each defaults to the command's recipe.
struct TrainingOptions: ParsableArguments {
    @Option(help: "The folder holding imm_face_db and 300w_subset.")
    var data = "../shared/data"

    @Option(help: "The output folder (default: runs/<command>).")
    var out: String?

    @Option(help: "Training epochs.") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Images per training step.") var batchSize: Int?
    @Option(help: "Adam's learning rate.") var lr: Double?
    @Option(name: .customLong("weight-decay"), help: "Adam's L2 weight decay.") var weightDecay: Double?
    @Option(help: "Learning-rate schedule: constant, cosine or warmup-cosine.") var schedule:
        TrainingConfiguration.Schedule?
    @Option(help: "Training loss of regression models: mse, l1, smooth-l1 or wing.") var loss:
        TrainingConfiguration.Loss?
    @Option(
        name: .customLong("score-loss"),
        help: "PIPNet's score-map loss: mse (x10, the reference's) or adaptive-wing (default: mse).")
    var scoreLoss: PIPNetScoreLoss?
    @Option(help: "Seed for initialization, shuffling and augmentation.") var seed: UInt64?
    @Option(help: "Random rotation of the training images, ± degrees (0...180).") var rotation: Float?
    @Option(help: "Random scale of the training images: a factor drawn from 1 ± this value (0..<1).") var scale: Float?
    @Option(
        help:
            "Probability of a random rectangle (up to 0.4 of the input's sides, random colour) over a training image, 0...1."
    )
    var occlusion: Float?
    @Option(
        name: .customLong("ema-decay"),
        help:
            "Validate and save an exponential moving average of the weights with this decay per step, in [0, 1), e.g. 0.998 (default: the last weights)."
    )
    var emaDecay: Float?
    @Option(
        name: .customLong("pose-balance"),
        help:
            "Draw rare head poses more often: pose-based data balancing of this strength, 0...1 (default: every face once an epoch)."
    )
    var poseBalance: Double?
    @Option(
        name: .customLong("plain-final-epochs"),
        help:
            "Train the last N epochs on plain crops: no rotation, scale, shift, colour change or occlusion, only the mirror (default: 0)."
    )
    var plainFinalEpochs: Int?
    @Option(help: "Background workers that decode and augment batches.") var workers: Int?
    @Option(help: "Settings: 'default' (this library's recipe) or 'study' (the original study's).") var recipe =
        KeypointTask.Recipe.default
    @Flag(help: "Continue from checkpoint.safetensors in the output folder.") var resume = false
    @Option(help: "Use only the first N training and N validation images (quick trials).") var limit: Int?
    @Flag(
        help:
            "Train data-parallel over the ranks of mpirun (mpirun -np N keypoints ... --distributed); --batch-size is per rank."
    )
    var distributed = false
    @Flag(
        name: .customLong("sync-batchnorm"),
        help: "With --distributed: BatchNorm statistics over all ranks' batches (default: per rank, as PyTorch DDP).")
    var synchronizedBatchNorm = false

    @OptionGroup var common: CommonOptions

    /// A scale range is built from `--scale`, so a spread that cannot make one (negative or not a
    /// number) is refused here; the library checks the range itself (`Augmentation.problem`).
    func validate() throws {
        if let scale, !(scale >= 0) { throw ValidationError("--scale must be >= 0, got \(scale)") }
    }

    /// The output folder for `task`.
    func output(of task: KeypointTask) -> URL { URL(fileURLWithPath: out ?? "runs/\(task.name)") }

    /// The task's configuration with every given option applied.
    func configuration(_ task: KeypointTask) -> TrainingConfiguration {
        var c = task.configuration
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let lr { c.learningRate = lr }
        if let weightDecay { c.weightDecay = weightDecay }
        if let schedule { c.schedule = schedule }
        if let seed { c.seed = seed }
        if let rotation { c.augmentation.rotation = rotation }
        if let scale { c.augmentation.scale = (1 - scale)...(1 + scale) }
        if let occlusion { c.augmentation.occlusion.probability = occlusion }
        if let emaDecay { c.movingAverageDecay = emaDecay }
        if let poseBalance { c.poseBalance = poseBalance }
        if let plainFinalEpochs { c.plainFinalEpochs = plainFinalEpochs }
        if let workers { c.workers = workers }
        return c
    }
}

/// How the imglab commands hold faces out for validation.
struct SplitOptions: ParsableArguments {
    @Option(name: .customLong("val-fraction"), help: "Fraction of faces held out for validation (seeded shuffle).")
    var validationFraction = 0.1

    @Option(
        name: .customLong("split-seed"),
        help: "Seed of the validation split (default: --seed), to train other seeds on the same held-out faces.")
    var splitSeed: UInt64?

    /// `--val-fraction`, checked (by ``ValidationSplit``) before any data is read.
    func checkedFraction() throws -> Double {
        try ValidationSplit(fraction: validationFraction, seed: splitSeed ?? 0).fraction
    }
}

extension KeypointTask.Recipe: ExpressibleByArgument {}

extension TrainingConfiguration.Schedule: ExpressibleByArgument {}
extension TrainingConfiguration.Loss: ExpressibleByArgument {}
extension PIPNetScoreLoss: ExpressibleByArgument {}

/// Trains `task` with `options` applied, printing the settings, the model, each epoch and the
/// result; shared by the training commands.
func train(
    _ task: KeypointTask, options: TrainingOptions, from source: (String) throws -> KeypointTask.DataSource
) throws {
    guard options.distributed else {
        if options.synchronizedBatchNorm { throw CommandError("--sync-batchnorm needs --distributed (under mpirun)") }
        try options.common.apply()
        return try train(task, options: options, group: SingleProcessGroup(), from: source)
    }
    let job = try DistributedJob.start(output: options.output(of: task))
    try options.common.apply(sharingCoresWith: MPIProcessGroup.ranksOnThisHost)
    job.run {
        try train(
            task, options: options, group: job.group, afterEpoch: { job.updateTerminationMessage() }, from: source)
    }
}

/// Trains on this process's share of `group` (every rank calls it); rank 0 prints.
private func train(
    _ task: KeypointTask, options: TrainingOptions, group: any ProcessGroup, afterEpoch: () -> Void = {},
    from source: (String) throws -> KeypointTask.DataSource
) throws {
    let print: (String) -> Void = group.isRoot ? { Swift.print($0) } : { _ in }
    var task = try task.choosingLosses(loss: options.loss, scoreLoss: options.scoreLoss)
    task.configuration = options.configuration(task)
    try task.configuration.validate()
    if let limit = options.limit, limit < 1 { throw CommandError("--limit must be at least 1, got \(limit)") }
    let output = options.output(of: task)
    // Rank 0 owns the folder from the detector-box cache to the last picture.
    let lock = group.isRoot ? try RunFolderLock(folder: output) : nil
    defer { withExtendedLifetime(lock) {} }
    if let removed = lock?.removedTemporaryFiles, !removed.isEmpty {
        printError(
            "warning: removed \(removed.count) temporary file\(removed.count == 1 ? "" : "s") an interrupted run left in \(output.path)"
        )
    }
    // Rank 0 resolves the data first, so a detector-box cache is computed once; the others
    // wait for it (an error on rank 0 aborts them) and read it.
    let root = group.isRoot ? try source(options.data) : nil
    if group.size > 1 { _ = group.sum([0]) }
    let data = try task.datasets(from: try root ?? source(options.data), limit: options.limit)
    let trainer = try task.makeTrainer(
        data, output: output, group: group, synchronizedBatchNorm: options.synchronizedBatchNorm)
    print(task.settingsSummary(of: trainer))
    print("\(trainer.model)")
    let console = ProgressConsole()
    let history = try task.train(with: trainer, resume: options.resume) { progress in
        console.show(progress)
        if case .epoch = progress { afterEpoch() }
    }
    try task.resultSummary(of: history, trainer: trainer).forEach(print)
}

/// The IMM folder inside `--data`.
func immSource(data: String) throws -> KeypointTask.DataSource {
    let root = try existingDirectory(data, option: "--data", holding: "imm_face_db and 300w_subset")
    return .imm(
        try existingDirectory(
            root.appendingPathComponent("imm_face_db").path, option: "--data", holding: "the IMM Face Database"))
}

struct NoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nose", abstract: "Part 1: the nose tip with a small CNN on IMM (80x60).")

    @OptionGroup var options: TrainingOptions

    func run() throws {
        try train(.nose(options.recipe), options: options, from: immSource)
    }
}

struct FaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face", abstract: "Part 2: all 58 IMM points with the 5-conv CNN (240x180) and augmentation.")

    @OptionGroup var options: TrainingOptions

    func run() throws {
        try train(.face(options.recipe), options: options, from: immSource)
    }
}

struct LandmarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landmarks",
        abstract: "Part 3: 68 iBUG landmarks with ResNet18 on 224x224 crops of 300-W.")

    @OptionGroup var options: TrainingOptions

    @Option(help: "The imglab XML with boxes and 68 parts (default: DATA/300w_subset/labels.xml).")
    var xml: String?

    @OptionGroup var split: SplitOptions

    @Option(
        help:
            "Crop from the annotated boxes ('truth', the study) or from the shipped detector's ('detector'; computed once into OUT/detector_boxes.xml)."
    )
    var boxes = KeypointModelSpec.FaceBoxes.truth

    @Option(
        help:
            "The network: ResNet18 (the study's regression), PIPNet-ResNet18 (heatmap head with per-point confidence), PIPNet16-ResNet18 (the same on 16-pixel cells) or Integral-ResNet18 (stride-8 heatmaps, soft-argmax)."
    )
    var architecture = KeypointModelSpec.Architecture.resnet18

    @Option(name: .customLong("input-size"), help: "The square input's side in pixels (the study's 224).")
    var inputSize = 224

    @Option(
        name: .customLong("crop-enlargement"),
        help: "The crop's side in face-box sides, 1...4 (default: the recipe's; the study's 1.4).")
    var cropEnlargement: Float?

    func run() throws {
        let validationFraction = try split.checkedFraction()
        guard architecture.isResNet else {
            let choices = KeypointModelSpec.Architecture.allCases.filter(\.isResNet).map(\.rawValue).joined(
                separator: ", ")
            throw CommandError("--architecture: part 3 trains one of \(choices), not \(architecture.rawValue)")
        }
        var task = KeypointTask.landmarks(options.recipe, boxes: boxes, architecture: architecture)
        task.configuration.splitSeed = split.splitSeed
        (task.spec.inputWidth, task.spec.inputHeight) = (inputSize, inputSize)
        if let cropEnlargement { task.spec.crop = .faceBox(enlargement: cropEnlargement) }
        do {
            try task.spec.validate(beforeTraining: true)
        } catch {
            throw CommandError(
                "--input-size \(inputSize)\(cropEnlargement.map { " --crop-enlargement \($0)" } ?? ""): \(error)")
        }
        try train(task, options: options) { data in
            try imglabSource(
                try existingFile(xml ?? "\(data)/300w_subset/labels.xml", option: "--xml"), boxes: boxes,
                output: options.output(of: task), validationFraction: validationFraction)
        }
    }
}

/// The imglab file to train from: `annotations` itself, or for a detector-box model its
/// detector boxes, computed once into `output/detector_boxes.xml` (kept for `--resume`).
func imglabSource(
    _ annotations: URL, boxes: KeypointModelSpec.FaceBoxes, output: URL, validationFraction: Double
) throws -> KeypointTask.DataSource {
    // A detector-box file trains as it is; annotations are turned into detector boxes once.
    guard boxes == .detector, !DetectorBoxes.isDetectorBoxes(try ImglabDataset(contentsOf: annotations)) else {
        return .imglab(annotations, validationFraction: validationFraction)
    }
    let cache = output.appendingPathComponent("detector_boxes.xml")
    if let summary = try DetectorBoxes.cachedFile(
        for: annotations, at: cache, progress: ProgressBar(label: "detector boxes").show)
    {
        print("detector boxes: \(summary) -> \(cache.path)")
    }
    return .imglab(cache, validationFraction: validationFraction)
}

extension KeypointModelSpec.FaceBoxes: ExpressibleByArgument {}
