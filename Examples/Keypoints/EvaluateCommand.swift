import ArgumentParser
import FaceKeypoints
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Print a trained model's accuracy as JSON (mean error px, MAE px, NME, failure rate and AUC at 0.08).")

    @Option(help: "A model.safetensors written by a training command (default: the shipped 68-point model).") var model: String?
    @Option(help: "An imglab XML with boxes and parts (68-point models and your own schemes).") var xml: String?
    @Option(help: "The IMM Face Database folder (IMM models).") var imm: String?
    @Option(help: "The faces to evaluate: validation (default; IMM persons 33-40, or with --xml the part --val-fraction holds out), train (IMM 01-32, or the rest of that split: how well the model fits its training faces) or all.")
    var split: SplitName?
    @Option(name: .customLong("val-fraction"), help: "With --xml: the seeded split training made; --split picks its part (default: the held-out faces).")
    var validationFraction: Double?
    @Option(help: "With --val-fraction: the training run's split seed (its --split-seed, or else its --seed).") var seed: UInt64 = 0
    @Option(help: "Write the cumulative error curve to this PNG.") var curve: String?
    @Option(help: "Write the two best and two worst predictions to this PNG.") var predictions: String?
    @Option(help: "The failure and AUC threshold in NME units.") var threshold: Float = 0.08
    @Option(help: "Face boxes: 'truth' (from the annotation; for a detector-box model, the points' box moved by MTCNN's typical offset) or 'detector' (the shipped MTCNN; a missed face counts as a failure).")
    var boxes = KeypointModelSpec.FaceBoxes.truth
    @Option(help: "Write each face's and each point's error as JSON, to compare models with `keypoints plot`.") var errors: String?
    @Option(help: "With --errors: the name the plots give this evaluation (default: the model file and the boxes).") var label: String?
    @Flag(help: "Test-time mirroring: also predict each face's mirrored crop and average the two (needs the scheme's mirror map).")
    var mirror = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (xml == nil) != (imm == nil) else { throw CommandError("give exactly one of --xml FILE or --imm DIR") }
        if let validationFraction, !(validationFraction > 0 && validationFraction < 1) {
            throw CommandError("--val-fraction must be between 0 and 1 (exclusive), got \(validationFraction)")
        }
        if xml != nil, validationFraction == nil, let split, split != .all {
            throw CommandError("--split \(split.rawValue) with --xml needs --val-fraction (the training run's split)")
        }
        guard threshold > 0 else { throw CommandError("--threshold must be positive, got \(threshold)") }
    }

    func run() throws {
        try common.apply()
        let model = try self.model.map { try existingFile($0, option: "--model") } ?? KeypointModel.shippedLandmarksURL()
        let (network, spec, _) = try KeypointModelFile.load(model)
        var keypoints = KeypointModel(network: network, spec: spec)
        if mirror {
            do { keypoints = try keypoints.mirrored() } catch { throw CommandError("--mirror: \(error)") }
        }
        let dataset: FaceDataset
        if let imm {
            guard spec.scheme == .imm58 else {
                throw CommandError("\(model.path) is a \(spec.scheme.name) model (\(spec.task.rawValue)); evaluate it with --xml")
            }
            let folder = try existingDirectory(imm, option: "--imm", holding: "the IMM .asf and .jpg files")
            dataset = try FaceDataset.imm(folder: folder, split: (split ?? .validation).immSplit, configuration: spec.datasetConfiguration())
        } else {
            guard spec.scheme != .imm58 else {
                throw CommandError("\(model.path) is an IMM model (\(spec.task.rawValue)); evaluate it with --imm")
            }
            let url = try existingFile(xml!, option: "--xml")
            let annotations = try ImglabDataset(contentsOf: url)
            if DetectorBoxes.isDetectorBoxes(annotations) && spec.faceBoxes == .truth && boxes == .truth {
                throw CommandError("\(url.path) holds detector boxes; this model crops from annotated boxes: give the annotations, or --boxes detector")
            }
            let all = try FaceDataset.imglab(annotations, file: url, scheme: spec.scheme,
                                             allowingMissing: spec.task == .custom, configuration: spec.datasetConfiguration())
            if let validationFraction {
                let parts = all.split(validationFraction: validationFraction, seed: seed)
                switch split ?? .validation {
                case .validation: dataset = parts.validation
                case .train: dataset = parts.train
                case .all: dataset = all
                }
            } else {
                dataset = all
            }
        }
        let results: [KeypointPrediction], report: EvaluationReport
        var missed = 0
        switch (boxes, spec.crop) {
        case (.detector, .faceBox):
            let found = try Evaluation.predictWithDetector(keypoints, on: dataset, detector: try MTCNN.pretrained())
            results = found.predictions
            missed = found.missed
            report = Evaluation.report(results, scheme: spec.scheme, threshold: threshold, missed: found.missed)
            printError(String(format: "detector boxes: %d of %d faces found, %d missed (%.1f %%), counted as failures",
                              results.count, dataset.count, found.missed, 100 * Double(found.missed) / Double(Swift.max(dataset.count, 1))))
        case (.detector, .wholeImage):
            throw CommandError("\(model.path) crops the whole photo; face boxes do not apply (evaluate it without --boxes)")
        case (.truth, _):
            let boxed = spec.faceBoxes == .detector ? try Evaluation.detectorLikeBoxes(dataset, scheme: spec.scheme) : dataset
            results = try Evaluation.predict(network, spec: spec, on: boxed, mirroring: mirror).predictions
            report = Evaluation.report(results, scheme: spec.scheme, threshold: threshold)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        if let curve {
            try TrainingReports.cumulativeErrorPlot(results, threshold: threshold, normalization: report.normalization)
                .write(to: URL(fileURLWithPath: curve))
        }
        if let predictions {
            try TrainingReports.predictionsGrid(results, dataset: dataset).write(to: URL(fileURLWithPath: predictions))
        }
        if let errors {
            let name = label ?? "\(model.lastPathComponent), \(boxes.rawValue) boxes\(mirror ? ", mirrored" : "")"
            try ErrorSummary(label: name, predictions: results, normalization: report.normalization, missed: missed).write(to: URL(fileURLWithPath: errors))
        }
    }
}

/// `--split`: the faces `evaluate` reads.
enum SplitName: String, ExpressibleByArgument, CaseIterable {
    case validation, train, all
    var immSplit: IMMSplit {
        switch self {
        case .validation: .validation
        case .train: .train
        case .all: .all
        }
    }
}
