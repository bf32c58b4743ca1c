import Dispatch
import Foundation

/// Trains a keypoint model on a training set, validates after every epoch, and keeps the
/// output folder current: `model.safetensors` (the trained model, self-describing; with
/// `configuration.movingAverageDecay`, the moving average of its weights),
/// `checkpoint.safetensors` (to resume) and `metrics.json`, each replaced atomically after
/// every epoch. A face-box model's file gets its point offsets at the end
/// (``KeypointCalibration``, measured on the training faces).
///
/// ```swift
/// let trainer = try KeypointTrainer(spec: .nose, configuration: configuration, training: train,
///                                   validation: validation, output: URL(fileURLWithPath: "runs/nose"))
/// let history = try trainer.run(resume: false) { print($0) }
/// ```
///
/// Data parallelism: give a `ProcessGroup` of several ranks (the `Distributed` target's
/// `MPIProcessGroup` under `mpirun`) and every rank runs this trainer on its `DataShard` of
/// each batch (`configuration.batchSize` samples per rank): rank 0's weights are broadcast at
/// the start, the gradients are averaged after every backward pass (`GradientAverager`), and
/// only rank 0 validates, reports progress and writes files. BatchNorm statistics stay per
/// rank, as in PyTorch's `DistributedDataParallel`.
public final class KeypointTrainer {
    /// The model's spec, with PIPNet's neighbour lists taken from the training set.
    public let spec: KeypointModelSpec
    /// The run's settings.
    public let configuration: TrainingConfiguration
    /// The network being trained.
    public let model: Module
    /// The model that is validated and saved: ``model`` itself, or with
    /// `configuration.movingAverageDecay` a copy holding the moving average of its weights (on
    /// rank 0; the other ranks neither validate nor save).
    public let validatedModel: Module
    /// The training faces, with the augmentation.
    public let training: FaceDataset
    /// The faces validated after every epoch.
    public let validation: FaceDataset
    /// The output folder: model, checkpoint and metrics.
    public let output: URL
    /// The ranks training together (`SingleProcessGroup` for one process).
    public let group: any ProcessGroup
    let optimizer: Adam
    let scheduler: (any StepwiseLRScheduler)?
    /// Kept by rank 0 only, which validates and saves (nil on the other ranks).
    let movingAverage: ExponentialMovingAverage?
    var generator: RandomGenerator
    /// What the run has measured so far (restored from the checkpoint when the run resumes).
    public private(set) var history: TrainingHistory
    let data: TrainingDataFingerprints
    /// Whether BatchNorm takes its statistics over all ranks (the `init` argument).
    /// Whether BatchNorm's training statistics are taken over every rank's batch.
    public let synchronizedBatchNorm: Bool
    /// Called after each file of an epoch is written (model, checkpoint, metrics), for tests
    /// that stop a run between two writes.
    var afterWriting: ((URL) throws -> Void)?

    /// `model.safetensors` in the output folder.
    public var modelURL: URL { output.appendingPathComponent("model.safetensors") }
    /// `checkpoint.safetensors` in the output folder.
    public var checkpointURL: URL { output.appendingPathComponent(TrainingCheckpoint.fileName) }
    /// `metrics.json` in the output folder.
    public var metricsURL: URL { output.appendingPathComponent("metrics.json") }

    /// A fresh model (initialized from `configuration.seed`) and optimizer. `training` should
    /// carry the augmentation (`configuration.augmentation`), `validation` none. With
    /// `synchronizedBatchNorm`, the model's BatchNorm layers take their training statistics over
    /// all ranks' batches (`torch.nn.SyncBatchNorm`), so the ranks train exactly as one process
    /// at the global batch does.
    public init(
        spec: KeypointModelSpec, configuration: TrainingConfiguration, training: FaceDataset, validation: FaceDataset,
        output: URL, group: any ProcessGroup = SingleProcessGroup(), synchronizedBatchNorm: Bool = false
    ) throws {
        try configuration.validate()
        guard training.count > 0 else { throw TrainingError.invalidConfiguration("the training set is empty") }
        guard validation.count > 0 else { throw TrainingError.invalidConfiguration("the validation set is empty") }
        guard training.pointCount == spec.pointCount else {
            throw TrainingError.invalidConfiguration(
                "the training set has \(training.pointCount) points per face, the model predicts \(spec.pointCount)")
        }
        self.spec = spec.withNeighbours(from: training)
        self.configuration = configuration
        self.training = training
        self.validation = validation
        self.output = output
        self.group = group
        self.synchronizedBatchNorm = synchronizedBatchNorm
        generator = RandomGenerator(seed: configuration.seed)
        model = self.spec.makeModel(using: &generator)
        if let decay = configuration.movingAverageDecay, group.isRoot {  // only rank 0 validates and saves
            // the run's own generator stays as without an average
            var unused = RandomGenerator(seed: configuration.seed)
            validatedModel = self.spec.makeModel(using: &unused)
            movingAverage = ExponentialMovingAverage(of: model, decay: decay)
        } else {
            (validatedModel, movingAverage) = (model, nil)
        }
        if synchronizedBatchNorm && group.size > 1 {
            // Each rank joins every BatchNorm's all-reduce, so none may sit out the epoch's last batch.
            let globalBatch = configuration.batchSize * group.size, last = training.count % globalBatch
            if last > 0 && last < group.size {
                throw TrainingError.invalidConfiguration(
                    "with synchronized BatchNorm every rank needs a sample in every batch, but the last batch of \(training.count) images "
                        + "at a global batch of \(globalBatch) has \(last) for \(group.size) ranks; change the batch size or the number of ranks"
                )
            }
            model.synchronizeBatchNorm(over: group)
        }
        optimizer = try Adam(
            model.parameters(), learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        switch configuration.schedule {
        case .constant: scheduler = nil
        case .cosine: scheduler = try CosineAnnealingLR(optimizer, tMax: configuration.epochs)
        case .warmupCosine:
            // A one-epoch run has no room for warm-up: it is plain cosine annealing then.
            scheduler =
                configuration.epochs > 1
                ? try WarmupCosineLR(optimizer, warmupEpochs: 1, totalEpochs: configuration.epochs)
                : try CosineAnnealingLR(optimizer, tMax: configuration.epochs)
        }
        history = TrainingHistory(task: spec.task.rawValue)
        history.configuration = configuration
        history.trainImages = training.count
        history.validationImages = validation.count
        data = TrainingDataFingerprints(
            training: DatasetFingerprint(training), validation: DatasetFingerprint(validation))
    }

    /// Runs the remaining epochs. With `resume`, continues from `checkpoint.safetensors` in the
    /// output folder when there is one: it must come from a run with the same model, settings
    /// and data (the same faces and annotations, wherever their folder now lies). A different
    /// thread count is allowed with a warning: the run then rounds differently from an
    /// uninterrupted one.
    ///
    /// In a group of several ranks, every rank calls this; a checkpoint is resumed when rank 0
    /// finds one, and every rank then reads it (the output folder must be shared). It may come
    /// from a run with another number of ranks when the global batch (`batchSize * ranks`)
    /// is the same: the run then trains the same batches (see `DataShard`) and rounds
    /// differently, as with another thread count.
    @discardableResult
    public func run(resume: Bool, progress report: (TrainingProgress) -> Void = { _ in }) throws -> TrainingHistory {
        let isRoot = group.isRoot
        func progress(_ event: TrainingProgress) { if isRoot { report(event) } }  // rank 0 reports
        try checkRanksAgree(resume: resume)
        // Rank 0 owns the folder for the run (another run into it is refused) and clears what killed runs left.
        let lock = isRoot ? try RunFolderLock(folder: output) : nil
        defer { withExtendedLifetime(lock) {} }
        if let removed = lock?.removedTemporaryFiles, !removed.isEmpty {
            progress(
                .warning(
                    "removed \(removed.count) temporary file\(removed.count == 1 ? "" : "s") an interrupted run left in \(output.path)"
                ))
        }
        if resume, checkpointExistsOnRoot() {
            let warnings = try restore(from: checkpointURL)
            progress(.resumed(fromEpoch: history.epochs))
            for warning in warnings { progress(.warning(warning)) }
        } else if resume {
            progress(
                .warning(
                    "--resume: there is no \(checkpointURL.lastPathComponent) in \(output.path); training starts from the first epoch"
                ))
        }
        model.broadcastState(from: 0, over: group)
        let loss = configuration.lossFunction(), scoreLoss = configuration.resolvedScoreLoss
        let sampleWeights = configuration.poseBalance.map { strength in
            PoseBalancing.samplingWeights(training.faces.indices.map(training.keypoints(at:)), strength: strength)
        }
        func loader(_ dataset: FaceDataset) -> DataLoader<FaceDataset> {
            DataLoader(
                dataset: dataset, batchSize: configuration.batchSize, shuffle: true, dropLast: false,
                seed: configuration.seed, workers: configuration.workers, prefetch: 2,
                shard: DataShard(rank: group.rank, count: group.size), sampleWeights: sampleWeights)
        }
        let augmentedLoader = loader(training), plainLoader = try loader(plainTraining())
        let parameters = model.parameters()
        let head = spec.head
        let averager = GradientAverager(parameters, group: group)
        while history.epochs < configuration.epochs {
            let epoch = history.epochs
            model.train()
            let start = DispatchTime.now().uptimeNanoseconds
            var lossSum: Double = 0, seen = 0, step = 0
            let loader = epoch < firstPlainEpoch ? augmentedLoader : plainLoader
            let batches = loader.batchCount
            try loader.forEachBatch(epoch: epoch) { batch in
                optimizer.zeroGrad()
                var batchLoss = Tensor(0)
                if batch.count > 0 {  // a rank's share of the last batch may be empty
                    batchLoss = head.loss(
                        head.outputs(of: model, for: batch.inputs), for: batch, regressionLoss: loss,
                        scoreLoss: scoreLoss)
                    guard batchLoss.item.isFinite else {
                        throw nonFinite("training loss", epoch: epoch, step: step, batch: batch)
                    }
                    batchLoss.backward()
                }
                averager.average(weight: Float(batch.count) / Float(loader.globalCount(ofBatch: step)))
                guard parameters.allSatisfy({ $0.grad?.isFinite ?? true }) else {
                    throw nonFinite("gradient", epoch: epoch, step: step, batch: batch)
                }
                optimizer.step()
                movingAverage?.update(from: model)
                step += 1
                seen += batch.count
                lossSum += Double(batchLoss.item) * Double(batch.count)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                // Rank 0's own running loss; its images per second times the ranks.
                progress(
                    .step(
                        epoch: epoch + 1, epochs: configuration.epochs, batch: step, batches: batches,
                        loss: Float(lossSum / Double(Swift.max(seen, 1))),
                        imagesPerSecond: Double(seen * group.size) / elapsed,
                        secondsLeftInEpoch: elapsed / Double(step) * Double(batches - step)))
            }
            let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let totals = group.sum([lossSum, Double(seen)])  // over all ranks
            (lossSum, seen) = (totals[0], Int(totals[1]))
            let learningRate = optimizer.learningRate(ofGroup: 0)
            scheduler?.step()
            history.trainLoss.append(Float(lossSum / Double(seen)))
            history.learningRate.append(learningRate)
            history.imagesPerSecond.append(Double(seen) / trainSeconds)
            guard group.isRoot else {
                // Rank 0 validates and writes; the others keep the epoch count and go on.
                history.epochSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                continue
            }
            try movingAverage?.copy(into: validatedModel)
            let (predictions, validationLoss) = try Evaluation.predict(
                validatedModel, spec: spec, on: validation,
                batchSize: Swift.max(configuration.batchSize, 16), loss: loss,
                scoreLoss: scoreLoss)
            let report = Evaluation.report(predictions, scheme: spec.scheme)
            history.validationLoss.append(validationLoss)
            history.validationErrorPx.append(report.meanErrorPx)
            history.validationNME.append(report.nme)
            history.epochSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            history.validation = report
            try saveEpoch()
            progress(
                .epoch(
                    epoch: epoch + 1, epochs: configuration.epochs, trainLoss: history.trainLoss.last!,
                    validationLoss: validationLoss, report: report, seconds: history.epochSeconds.last!))
        }
        if isRoot, case .faceBox = spec.crop { try saveCalibratedModel(warn: { progress(.warning($0)) }) }
        return history
    }

    /// The run's last step for face-box models: writes `model.safetensors` again with
    /// ``KeypointModelSpec/pointOffsets`` measured on the training faces (``KeypointCalibration``),
    /// and `metrics.json` with the validation figures of that file as the run's `validation`
    /// (the per-epoch figures stay uncalibrated). The checkpoint keeps the uncalibrated spec, so
    /// a finished run resumed calibrates again, to the same offsets. Offsets the spec's own
    /// validation refuses (a barely trained model can measure hundreds of pixels) are not
    /// written: the uncalibrated model stays, and `warn` says why.
    private func saveCalibratedModel(warn: (String) -> Void) throws {
        let batchSize = Swift.max(configuration.batchSize, 16)
        let offsets = try KeypointCalibration.pointOffsets(
            validatedModel, spec: spec, on: training, batchSize: batchSize)
        let calibrated: KeypointModelSpec
        switch KeypointCalibration.calibrated(spec, offsets: offsets) {
        case .success(let spec): calibrated = spec
        case .failure(let reason):
            warn("point offsets not written (\(reason)); \(modelURL.lastPathComponent) keeps the uncalibrated points")
            return
        }
        let predictions = try Evaluation.predict(validatedModel, spec: calibrated, on: validation, batchSize: batchSize)
            .predictions
        history.validation = Evaluation.report(predictions, scheme: spec.scheme)
        try KeypointModelFile.save(validatedModel, spec: calibrated, to: modelURL)
        try afterWriting?(modelURL)
        try AtomicFile.write(try history.json(), to: metricsURL)
        try afterWriting?(metricsURL)
    }

    /// The first epoch (0-based) trained on ``plainTraining()``: `configuration.plainFinalEpochs`
    /// before the end.
    var firstPlainEpoch: Int { configuration.epochs - (configuration.plainFinalEpochs ?? 0) }

    /// The training faces as the last epochs see them: mirrored as often as ``training`` is,
    /// with no other augmentation.
    func plainTraining() throws -> FaceDataset {
        try training.with(
            augmentation: Augmentation(flipProbability: training.configuration.augmentation.flipProbability))
    }

    /// Ends every rank with ``TrainingError/ranksDisagree(field:ranks:)`` when some rank was
    /// started with other settings, data, model or output than rank 0: the check comes before
    /// the first collective, which ranks of different batch sizes or data would corrupt or hang.
    private func checkRanksAgree(resume: Bool) throws {
        guard group.size > 1 else { return }
        func json(_ value: some Encodable) -> String {
            (try? JSONEncoder.sorted.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        }
        let fields: KeyValuePairs = [
            "training settings (batch size, epochs, learning rate, ...)": json(configuration),
            "model (architecture, input, points)": json(spec),
            "training data (faces and annotations)": json(data.training),
            "validation data (faces and annotations)": json(data.validation),
            "synchronized BatchNorm": String(synchronizedBatchNorm),
            "--resume": String(resume),
            "output folder": output.standardizedFileURL.path
        ]
        if let field = group.firstDisagreement(fields) {
            throw TrainingError.ranksDisagree(field: field, ranks: group.size)
        }
    }

    /// Whether rank 0 finds a checkpoint in the output folder (its answer, on every rank).
    private func checkpointExistsOnRoot() -> Bool {
        var found = [group.isRoot && FileManager.default.fileExists(atPath: checkpointURL.path) ? 1.0 : 0]
        found.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        return found[0] > 0
    }

    /// Writes the model, the checkpoint and the metrics of the finished epochs, each atomically.
    func saveEpoch() throws {
        try KeypointModelFile.save(validatedModel, spec: spec, to: modelURL)
        try afterWriting?(modelURL)
        let checkpoint = TrainingCheckpoint(
            epoch: history.epochs,
            model: Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) }),
            optimizer: optimizer.state(), scheduler: scheduler?.state(), generator: generator, history: history,
            configuration: configuration, spec: spec, data: data, threads: ComputeThreads.count, ranks: group.size,
            movingAverage: movingAverage.map { ($0.tensors, $0.updates) })
        try checkpoint.write(to: checkpointURL)
        try afterWriting?(checkpointURL)
        try AtomicFile.write(try history.json(), to: metricsURL)
        try afterWriting?(metricsURL)
    }

    /// Loads the checkpoint at `url` into this run, or throws why it does not fit; returns
    /// warnings for differences that do not stop the run.
    func restore(from url: URL) throws -> [String] {
        let checkpoint = try TrainingCheckpoint.read(from: url)
        guard checkpoint.spec == spec else {
            throw TrainingError.checkpointMismatch(
                file: url.path,
                reason:
                    "it holds a \(checkpoint.spec.architecture.rawValue) model for '\(checkpoint.spec.task.rawValue)'")
        }
        // The global batch decides the run; a checkpoint of 2 ranks x 8 resumes as 1 x 16 or 4 x 4.
        let savedRanks = checkpoint.ranks ?? 1
        var saved = checkpoint.configuration, current = configuration
        (saved.batchSize, current.batchSize) = (saved.batchSize * savedRanks, current.batchSize * group.size)
        guard saved.batchSize == current.batchSize else {
            let fitting =
                saved.batchSize % group.size == 0
                ? "--batch-size \(saved.batchSize / group.size)" : "a number of ranks that divides \(saved.batchSize)"
            throw TrainingError.checkpointMismatch(
                file: url.path,
                reason:
                    "it was trained with a global batch of \(saved.batchSize) (\(savedRanks) ranks x \(checkpoint.configuration.batchSize)), "
                    + "this run's is \(current.batchSize) (\(group.size) ranks x \(configuration.batchSize)); with \(group.size) ranks use \(fitting)"
            )
        }
        guard saved == current else {
            throw TrainingError.checkpointMismatch(
                file: url.path, reason: "it was made with other settings (\(describeDifferences(saved, current)))")
        }
        var warnings: [String] = []
        if let saved = checkpoint.data {
            for (name, before, now) in [
                ("trained", saved.training, data.training), ("validated", saved.validation, data.validation)
            ]
            where !before.sameData(as: now) {
                throw TrainingError.checkpointMismatch(
                    file: url.path, reason: "it was \(name) on other data: \(before), now \(now)")
            }
        } else {
            warnings.append(
                "\(url.path) predates data fingerprints: the data cannot be checked; it must be the interrupted run's")
        }
        if savedRanks != group.size {
            warnings.append(
                "the checkpoint was made with \(savedRanks) ranks, this run has \(group.size) (the same global batch of \(current.batchSize)): "
                    + "it trains the same batches but rounds differently from an uninterrupted run, and BatchNorm sees other per-rank batches"
            )
        }
        if let threads = checkpoint.threads, threads != ComputeThreads.count {
            warnings.append(
                "the checkpoint was made with \(threads) threads, this run uses \(ComputeThreads.count): from here on it rounds "
                    + "differently from an uninterrupted run, so its final weights will differ slightly")
        }
        if let movingAverage {  // rank 0's, as the checkpoint is
            guard let saved = checkpoint.movingAverage else {
                throw TrainingError.checkpointMismatch(
                    file: url.path, reason: "it holds no moving average of the weights, which this run keeps")
            }
            try movingAverage.restore(saved.state, updates: saved.updates, source: url.path + " (moving average)")
            try movingAverage.copy(into: validatedModel)  // a finished run validates nothing more, but is read
        }
        try model.loadStateDict(checkpoint.model, source: url.path)
        try optimizer.load(checkpoint.optimizer)
        if let state = checkpoint.scheduler { try scheduler?.load(state) }
        generator = checkpoint.generator
        history = checkpoint.history
        return warnings
    }

    private func nonFinite(_ what: String, epoch: Int, step: Int, batch: Batch) -> TrainingError {
        .nonFinite(
            what: what, epoch: epoch + 1, step: step + 1, samples: batch.info.map(\.identity),
            lastCheckpoint: FileManager.default.fileExists(atPath: checkpointURL.path) ? checkpointURL.path : nil)
    }
}

/// "epochs: checkpoint 25, now 30; splitSeed: checkpoint none, now 1": the fields that differ.
func describeDifferences(_ saved: TrainingConfiguration, _ current: TrainingConfiguration) -> String {
    /// The value, an optional's unwrapped or "none".
    func text(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return String(describing: value) }
        return mirror.children.first.map { String(describing: $0.value) } ?? "none"
    }
    let a = Mirror(reflecting: saved).children, b = Mirror(reflecting: current).children
    let differences = zip(a, b).compactMap { pair -> String? in
        let (x, y) = pair
        let left = text(x.value), right = text(y.value)
        return left == right ? nil : "\(x.label ?? "?"): checkpoint \(left), now \(right)"
    }
    return differences.joined(separator: "; ")
}
