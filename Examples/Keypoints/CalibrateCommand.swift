import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints calibrate`: a model file with its point offsets measured on its training faces.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract:
            "Measure each point's mean error on the faces a model trained on (the annotators' habits a mirrored training cannot learn) and write the model with those offsets."
    )

    @Option(help: "A model.safetensors written by a training command (default: the shipped 68-point model).") var model:
        String?
    @Option(help: "The imglab XML the model trained on (for a detector-box model, the run's detector_boxes.xml).")
    var xml: String
    @Option(
        name: .customLong("val-fraction"),
        help:
            "The fraction the training run held out (its --val-fraction): those faces are left out (default: every face of the XML)."
    )
    var validationFraction: Double?
    @Option(help: "With --val-fraction: the training run's split seed (its --split-seed, or else its --seed).")
    var seed: UInt64 = 0
    @Option(help: "The calibrated model file to write.") var out: String
    @Option(help: "float32 or float16.") var precision = KeypointModelFile.Precision.float32
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.apply()
        let destination = try outputFile(out, option: "--out")
        let source =
            try self.model.map { try existingFile($0, option: "--model") } ?? KeypointModel.shippedLandmarksURL()
        let (network, spec, metadata) = try KeypointModelFile.load(source)
        guard case .faceBox = spec.crop else {
            throw CommandError(
                "\(source.path) crops the whole photo (an IMM model); calibrate takes face-box models trained on an imglab XML"
            )
        }
        let url = try existingFile(xml, option: "--xml")
        let split = try validationFraction.map { try ValidationSplit(fraction: $0, seed: seed) }
        try DetectorBoxes.requireBoxes(of: try ImglabDataset(contentsOf: url), file: url, for: spec.faceBoxes)
        let training = try AnnotatedFaces.imglab(url, split: split).faces(
            for: spec, part: split == nil ? .all : .train, detectorRuns: true)
        let offsets = try KeypointCalibration.pointOffsets(network, spec: spec, on: training)
        let calibrated: KeypointModelSpec
        switch KeypointCalibration.calibrated(spec, offsets: offsets) {
        case .success(let spec): calibrated = spec
        case .failure(let reason):
            throw CommandError(
                "\(source.path): not calibrated, \(out) not written: the measured offsets are refused (\(reason))")
        }
        try KeypointModelFile.save(network, spec: calibrated, to: destination, metadata: metadata, precision: precision)
        let mean = offsets.reduce(Point.zero, +) / Float(offsets.count)
        let largest = offsets.map { ($0 * $0).sum().squareRoot() }.max() ?? 0
        print(
            String(
                format: "%d faces: mean offset (%+.2f, %+.2f) input px, largest %.2f px -> %@",
                training.count, mean.x, mean.y, largest, out))
    }
}
