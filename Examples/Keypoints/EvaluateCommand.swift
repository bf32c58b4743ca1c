import ArgumentParser
import FaceKeypoints
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Print a trained model's accuracy as JSON (mean error px, MAE px, NME, failure rate and AUC at 0.08)."
    )

    @Option(help: "A model.safetensors written by a training command (default: the shipped 68-point model).") var model:
        String?
    @Option(help: "An imglab XML with boxes and parts (68-point models and your own schemes).") var xml: String?
    @Option(help: "The IMM Face Database folder (IMM models).") var imm: String?
    @Option(
        help:
            "The faces to evaluate: validation (default; IMM persons 33-40, or with --xml the part --val-fraction holds out), train (IMM 01-32, or the rest of that split: how well the model fits its training faces) or all."
    )
    var split: ValidationSplit.Part?
    @Option(
        name: .customLong("val-fraction"),
        help: "With --xml: the seeded split training made; --split picks its part (default: the held-out faces).")
    var validationFraction: Double?
    @Option(help: "With --val-fraction: the training run's split seed (its --split-seed, or else its --seed).")
    var seed: UInt64 = 0
    @Option(help: "Write the cumulative error curve to this PNG.") var curve: String?
    @Option(help: "Write the two best and two worst predictions to this PNG.") var predictions: String?
    @Option(help: "The failure and AUC threshold in NME units.") var threshold: Float = 0.08
    @Option(
        help:
            "Face boxes: 'truth' (from the annotation; for a detector-box model, the points' box moved by MTCNN's typical offset) or 'detector' (the shipped MTCNN; a missed face counts as a failure)."
    )
    var boxes = KeypointModelSpec.FaceBoxes.truth
    @Option(help: "Write each face's and each point's error as JSON, to compare models with `keypoints plot`.")
    var errors: String?
    @Option(help: "With --errors: the name the plots give this evaluation (default: the model file and the boxes).")
    var label: String?
    @Flag(
        help:
            "Test-time mirroring: also predict each face's mirrored crop and average the two (needs the scheme's mirror map)."
    )
    var mirror = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (xml == nil) != (imm == nil) else { throw CommandError("give exactly one of --xml FILE or --imm DIR") }
    }

    func run() throws {
        try common.apply()
        let model =
            try self.model.map { try existingFile($0, option: "--model") } ?? KeypointModel.shippedLandmarksURL()
        var keypoints = try KeypointModel(contentsOf: model)
        if mirror {
            do { keypoints = try keypoints.mirrored() } catch { throw CommandError("--mirror: \(error)") }
        }
        let source: AnnotatedFaces =
            if let imm {
                .imm(try existingDirectory(imm, option: "--imm", holding: "the IMM .asf and .jpg files"))
            } else {
                .imglab(
                    try existingFile(xml!, option: "--xml"),
                    split: try validationFraction.map { try ValidationSplit(fraction: $0, seed: seed) })
            }
        let dataset: FaceDataset, evaluation: EvaluationRun
        do {
            dataset = try source.faces(for: keypoints.spec, part: split, detectorRuns: boxes == .detector)
            evaluation = try Evaluation.run(keypoints, on: dataset, boxes: boxes, threshold: threshold)
        } catch let error as KeypointInputError {
            throw CommandError("\(model.path): \(error)")
        }
        let (results, report, missed) = (evaluation.predictions, evaluation.report, evaluation.missed)
        if boxes == .detector {
            printError(
                String(
                    format: "detector boxes: %d of %d faces found, %d missed (%.1f %%), counted as failures",
                    results.count, dataset.count, missed, 100 * Double(missed) / Double(Swift.max(dataset.count, 1))))
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
            try ErrorSummary(label: name, predictions: results, normalization: report.normalization, missed: missed)
                .write(to: URL(fileURLWithPath: errors))
        }
    }
}

extension ValidationSplit.Part: ExpressibleByArgument {}
