import ArgumentParser
import FaceKeypoints
import Foundation

extension KeypointModelSpec.Architecture: ExpressibleByArgument {}

/// `keypoints train --xml FILE`: any landmark scheme from dlib imglab XML.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train your own point scheme from dlib imglab XML (points a box leaves out are masked, not refused).")

    @OptionGroup var options: TrainingOptions

    @Option(help: "The imglab XML with boxes and parts (part names become the point names).")
    var xml: String

    @Option(
        help:
            "Mirror pairs for horizontal flips: one pair a line, two point names or indices separated by spaces or a comma (default: no flips)."
    )
    var mirror: String?

    @Option(
        name: .customLong("normalize-by"),
        help: "Two points I,J whose distance normalizes the error (default: the points' box size).")
    var normalizeBy: String?

    @Option(
        help:
            "The network: ResNet18, PIPNet-ResNet18 (heatmap head with per-point confidence), PIPNet16-ResNet18 (on 16-pixel cells), Integral-ResNet18 (stride-8 heatmaps, soft-argmax), NoseNet or StudyPart2Net (the study's part-2 CNN)."
    ) var architecture = KeypointModelSpec.Architecture.resnet18
    @Option(name: .customLong("input-size"), help: "The square input's side in pixels.") var inputSize = 224

    @OptionGroup var split: SplitOptions

    @Option(
        help:
            "Crop from the annotated boxes ('truth') or from the shipped detector's ('detector'; computed once into OUT/detector_boxes.xml)."
    )
    var boxes = KeypointModelSpec.FaceBoxes.truth

    func run() throws {
        let validationFraction = try split.checkedFraction()
        let xmlURL = try existingFile(xml, option: "--xml")
        let labels = try ImglabDataset(contentsOf: xmlURL)
        var scheme = try LandmarkScheme(
            imglab: labels, name: xmlURL.deletingPathExtension().lastPathComponent, file: xmlURL.path)
        if let mirror {
            let url = try existingFile(mirror, option: "--mirror")
            let bytes = try RegularFile.contents(of: url) {
                CommandError("--mirror \(url.path): cannot read the file (\($0))")
            }
            guard let text = String(data: bytes, encoding: .utf8), !text.contains("\0") else {
                throw CommandError(
                    "--mirror \(url.path): not a text file; expected lines of two point names or indices")
            }
            scheme.mirror = try scheme.mirrorMap(parsing: text, file: url.path)
        }
        if let normalizeBy { scheme.normalization = try scheme.normalizingPair(parsing: normalizeBy) }
        do {
            try KeypointModelSpec.custom(scheme: scheme, architecture: architecture, inputSize: inputSize).validate(
                beforeTraining: true)
        } catch {
            throw CommandError("--architecture \(architecture.rawValue) --input-size \(inputSize): \(error)")
        }
        print(
            "scheme \(scheme.name): \(scheme.pointCount) points (\(scheme.pointNames.prefix(8).joined(separator: ", "))\(scheme.pointCount > 8 ? ", ..." : "")), "
                + (scheme.mirror == nil ? "no flips" : "mirrored by \(mirror!)"))
        var task = KeypointTask.custom(scheme: scheme, architecture: architecture, inputSize: inputSize, options.recipe)
        task.spec.boxes = boxes == .detector ? .detector : nil
        task.configuration.splitSeed = split.splitSeed
        try train(task, options: options) { _ in
            try imglabSource(
                xmlURL, boxes: boxes, output: options.output(of: task), validationFraction: validationFraction)
        }
    }
}
