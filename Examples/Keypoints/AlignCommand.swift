import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints align`: every face of every photo cropped and aligned to a template.
struct AlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract:
            "Crop every face aligned to a template (ArcFace's 112x112 by default): NAME_face0.png, ... and aligned.jsonl with each transform.",
        discussion: """
            Each face is mapped by the similarity transform (rotation, uniform scale, translation) fitted by least squares to its \
            eye centers, nose tip and mouth corners: from a 68-point model's points, otherwise from the detector's five points. \
            An unreadable photo is reported on standard error, the others go on, and the exit status is 1.
            """)

    @Argument(help: "Photos, or folders of photos (JPEG, PNG, PPM/PGM; sorted by name).") var inputs: [String]
    @OptionGroup var alignment: AlignmentOptions
    @Option(help: "A model.safetensors written by a training command (default: the shipped 68-point model).") var model:
        String?
    @Option(name: .customLong("min-face"), help: "The smallest face the detector searches for, in pixels.")
    var minimumFace = 20
    @Option(help: "The output folder.") var out = "aligned"
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard minimumFace >= MTCNN.smallestMinimumFaceSize else {
            throw CommandError(
                "--min-face must be at least \(MTCNN.smallestMinimumFaceSize) (MTCNN's cell), got \(minimumFace)")
        }
    }

    func run() throws {
        try common.apply()
        let template = try alignment.resolvedTemplate()
        let model =
            try self.model.map { try KeypointModel(contentsOf: try existingFile($0, option: "--model")) }
            ?? KeypointModel.shippedLandmarks()
        let landmarker = FaceLandmarker(detector: try MTCNN.pretrained(minimumFaceSize: minimumFace), model: model)
        let photos = try photoFiles(inputs)
        let output = URL(fileURLWithPath: out)
        let names = try PhotoLandmarks.outputNames(of: photos, in: output)
        try createOutputFolder(output)
        var records: [AlignedFaceRecord] = [], failed = 0
        let bar = ProgressBar(label: "align")
        for (n, photo) in photos.enumerated() {
            defer { bar.show(n + 1, photos.count) }
            do {
                let image = try Image(contentsOf: photo)
                let faces = try landmarker.faces(in: image)
                records += try landmarker.writeAligned(
                    faces, of: image, image: photo.path, name: names[n], to: template, into: output)
                printError("\(photo.path): \(faces.count) face\(faces.count == 1 ? "" : "s")")
            } catch {
                let message = String(describing: error)
                printError(message.hasPrefix(photo.path) ? message : "\(photo.path): \(message)")
                failed += 1
            }
        }
        try AlignedFaceRecord.writeLines(records, to: output.appendingPathComponent(AlignedFaceRecord.listFile))
        print(
            "\(photos.count - failed) photos, \(records.count) faces aligned to \(template.width)x\(template.height) -> \(output.path)"
        )
        if failed > 0 { throw ExitCode(1) }
    }
}

/// `--template` and `--size`, shared by `align` and `predict --aligned`.
struct AlignmentOptions: ParsableArguments {
    @Option(
        name: .customLong("template"),
        help: ArgumentHelp(
            "arcface (112x112, insightface's five points), dlib (dlib's face chip, padding 0.25), or a template JSON file.",
            valueName: "arcface|dlib|FILE"))
    var templateName = "arcface"
    @Option(help: "The crop's width in pixels (default: the template's own: 112 for arcface, 150 for dlib).")
    var size: Int?

    func validate() throws {
        if let size, !(8...AlignmentTemplate.maximumSide).contains(size) {
            throw CommandError("--size must be 8...\(AlignmentTemplate.maximumSide) pixels, got \(size)")
        }
    }

    /// The template the options name.
    func resolvedTemplate() throws -> AlignmentTemplate {
        do { return try AlignmentTemplate(named: templateName, width: size) } catch {
            throw CommandError("--template \(templateName): \(error)")
        }
    }
}
