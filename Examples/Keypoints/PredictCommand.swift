import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints predict`: every face of every photo gets its points.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract:
            "Find every face's keypoints in photos: writes each photo drawn, NAME_keypoints.json, and predictions.jsonl for several photos.",
        discussion: """
            Without --model, the package's own 68-point model; without --box or --xml, the package's MTCNN finds the faces \
            (models of the whole photo, as the IMM parts', see the whole photo instead). \
            A photo without faces gets an empty 'faces' list; an unreadable photo is reported on standard error, the others go on, \
            and the exit status is 1.
            """)

    @Argument(
        help: "Photos, or folders of photos (JPEG, PNG, PPM/PGM; sorted by name). With --xml: none (the XML's images).")
    var inputs: [String] = []
    @Option(help: "A model.safetensors written by a training command (default: the shipped 68-point model).") var model:
        String?
    @Option(
        help:
            "One face box for every photo, left,top,width,height in pixels (the kind of box the model was trained on).")
    var box: FaceBox?
    @Option(
        help:
            "Face boxes from dlib imglab XML (stored pixels; e.g. written by keypoints detect --xml-out) instead of the detector."
    )
    var xml: String?
    @Option(name: .customLong("min-face"), help: "The smallest face the detector searches for, in pixels.")
    var minimumFace = 20
    @Option(help: "The output folder.") var out = "predictions"
    @Option(
        name: .customLong("xml-out"),
        help:
            "Also write every prediction as dlib imglab XML (boxes and parts), to correct in imglab and train on again."
    )
    var xmlOut: String?
    @Flag(
        help:
            "Test-time mirroring: also run each face's mirrored crop and average the two (twice the work; needs the scheme's mirror map)."
    )
    var mirror = false
    @Flag(
        help: "Also write each face aligned to --template: NAME_face0.png, ... and aligned.jsonl (as keypoints align).")
    var aligned = false
    @OptionGroup var alignment: AlignmentOptions
    @Flag(name: .customLong("pose-axes"), help: "Draw each 68-point face's head pose as three axes from its nose tip.")
    var poseAxes = false
    @Option(
        help:
            "Only shard I of N: every N-th photo of the sorted list from the I-th (0-based), for job arrays; each shard writes predictions-I-of-N.jsonl, and the shards' files concatenate into one."
    )
    var shard: Shard?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard inputs.isEmpty != (xml == nil) else {
            throw CommandError(
                xml == nil
                    ? "give at least one photo or folder"
                    : "with --xml the photos come from the XML file; give no others")
        }
        guard box == nil || xml == nil else { throw CommandError("give --box or --xml, not both") }
        guard minimumFace >= MTCNN.smallestMinimumFaceSize else {
            throw CommandError(
                "--min-face must be at least \(MTCNN.smallestMinimumFaceSize) (MTCNN's cell), got \(minimumFace)")
        }
    }

    func run() throws {
        try common.apply()
        var model =
            try self.model.map { try KeypointModel(contentsOf: try existingFile($0, option: "--model")) }
            ?? KeypointModel.shippedLandmarks()
        if mirror {
            do { model = try model.mirrored() } catch { throw CommandError("--mirror: \(error)") }
        }
        let modelName = self.model ?? "shipped:\(KeypointModel.shippedLandmarksFile)"
        let template = aligned ? try alignment.resolvedTemplate() : nil
        let jobs =
            try shard.map { shard in
                try photoJobs().enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
            } ?? photoJobs()
        let needsDetector = jobs.contains { $0.boxes == .detector } && model.spec.crop != .wholeImage
        let landmarker = FaceLandmarker(
            detector: needsDetector ? try MTCNN.pretrained(minimumFaceSize: minimumFace) : nil, model: model)
        let output = URL(fileURLWithPath: out)
        let names = try PhotoLandmarks.outputNames(of: jobs.map(\.url), in: output)
        try createOutputFolder(output)
        var lines = Data(), results: [PhotoLandmarks] = [], alignedFaces: [AlignedFaceRecord] = [], failed = 0
        let bar = ProgressBar(label: "predict")
        for (n, job) in jobs.enumerated() {
            defer { bar.show(n + 1, jobs.count) }
            do {
                // Boxes from XML are in stored pixels, as imglab keeps them; otherwise the photo as displayed.
                let photo = try Image(contentsOf: job.url, applyOrientation: xml == nil)
                let faces = try landmarker.faces(in: photo, boxes: job.boxes)
                let result = PhotoLandmarks(image: job.url.path, photo: photo, model: modelName, faces: faces)
                lines +=
                    try result.write(drawnOn: photo, into: output, name: names[n], poseAxes: poseAxes) + Data("\n".utf8)
                if let template {
                    alignedFaces += try landmarker.writeAligned(
                        faces, of: photo, image: job.url.path, name: names[n], to: template, into: output)
                }
                results.append(result)
                printError("\(job.url.path): \(result.faces.count) face\(result.faces.count == 1 ? "" : "s")")
            } catch {
                let message = String(describing: error)
                printError(message.hasPrefix(job.url.path) ? message : "\(job.url.path): \(message)")
                failed += 1
            }
        }
        if jobs.count > 1 || shard != nil {
            // Each shard its own file, so shards of one job array can share the folder: `cat predictions*.jsonl` joins them.
            let name = shard.map { "predictions-\($0.index)-of-\($0.count).jsonl" } ?? "predictions.jsonl"
            try AtomicFile.write(lines, to: output.appendingPathComponent(name))
        }
        if template != nil {
            try AlignedFaceRecord.writeLines(
                alignedFaces, to: output.appendingPathComponent(AlignedFaceRecord.listFile))
        }
        let faceCount = results.map(\.faces.count).reduce(0, +)
        print("\(jobs.count - failed) photos, \(faceCount) faces -> \(output.path)")
        if let xmlOut {
            let xmlURL = URL(fileURLWithPath: xmlOut)
            try ImglabDataset.predictions(results, pointNames: model.spec.pointNames, savedAt: xmlURL).write(to: xmlURL)
            print("\(faceCount) faces -> \(xmlOut)")
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// The photos and where their boxes come from (`--box`, `--xml`, or the detector).
    private func photoJobs() throws -> [(url: URL, boxes: FaceBoxSource)] {
        guard let xml else { return try photoFiles(inputs).map { ($0, box.map { .boxes([$0.box]) } ?? .detector) } }
        let url = try existingFile(xml, option: "--xml")
        let folder = url.deletingLastPathComponent()
        return try ImglabDataset(contentsOf: url).images.map { image in
            (image.url(relativeTo: folder), .boxes(image.boxes.filter { !$0.ignore }.map(\.boundingBox)))
        }
    }
}

/// `left,top,width,height`.
struct FaceBox: ExpressibleByArgument {
    let box: BoundingBox

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil && $0!.isFinite }), parts[2]! > 0, parts[3]! > 0 else {
            return nil
        }
        box = BoundingBox(x: parts[0]!, y: parts[1]!, width: parts[2]!, height: parts[3]!)
    }

    static var defaultValueDescription: String { "left,top,width,height" }
}

/// `I/N`: shard `I` (0-based) of `N`.
struct Shard: ExpressibleByArgument {
    let index: Int
    let count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, (0..<count).contains(index)
        else { return nil }
        (self.index, self.count) = (index, count)
    }

    static var defaultValueDescription: String { "I/N" }
}
