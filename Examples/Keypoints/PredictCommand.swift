import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints predict`: every face of every photo gets its points.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Find every face's keypoints in photos: writes each photo drawn, NAME_keypoints.json, and predictions.jsonl for several photos.",
        discussion: """
            Without --model, the package's own 68-point model; without --box or --xml, the package's MTCNN finds the faces \
            (models of the whole photo, as the IMM parts', see the whole photo instead). \
            A photo without faces gets an empty 'faces' list; an unreadable photo is reported on standard error, the others go on, \
            and the exit status is 1.
            """)

    @Argument(help: "Photos, or folders of photos (JPEG, PNG, PPM/PGM; sorted by name). With --xml: none (the XML's images).")
    var inputs: [String] = []
    @Option(help: "A model.safetensors written by a training command (default: the shipped 68-point model).") var model: String?
    @Option(help: "One face box for every photo, left,top,width,height in pixels (the kind of box the model was trained on).")
    var box: FaceBox?
    @Option(help: "Face boxes from dlib imglab XML (stored pixels; e.g. written by keypoints detect --xml-out) instead of the detector.")
    var xml: String?
    @Option(name: .customLong("min-face"), help: "The smallest face the detector searches for, in pixels.") var minimumFace = 20
    @Option(help: "The output folder.") var out = "predictions"
    @Option(name: .customLong("xml-out"), help: "Also write every prediction as dlib imglab XML (boxes and parts), to correct in imglab and train on again.")
    var xmlOut: String?
    @Flag(help: "Test-time mirroring: also run each face's mirrored crop and average the two (twice the work; needs the scheme's mirror map).")
    var mirror = false
    @Option(help: "Only shard I of N: every N-th photo of the sorted list from the I-th (0-based), for job arrays; each shard writes predictions-I-of-N.jsonl, and the shards' files concatenate into one.")
    var shard: Shard?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard inputs.isEmpty != (xml == nil) else {
            throw CommandError(xml == nil ? "give at least one photo or folder" : "with --xml the photos come from the XML file; give no others")
        }
        guard box == nil || xml == nil else { throw CommandError("give --box or --xml, not both") }
        guard minimumFace >= 12 else { throw CommandError("--min-face must be at least 12 (MTCNN's cell), got \(minimumFace)") }
    }

    func run() throws {
        try common.apply()
        let keypoints = try model.map { try KeypointDetector(contentsOf: try existingFile($0, option: "--model")) } ?? KeypointDetector.shippedLandmarks()
        if mirror {
            do { try keypoints.enableMirroring() } catch { throw CommandError("--mirror: \(error)") }
        }
        let modelName = model ?? "shipped:\(KeypointDetector.shippedLandmarksFile)"
        let jobs = try shard.map { shard in try photoJobs().enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element) } ?? photoJobs()
        let landmarker = (box == nil && xml == nil && keypoints.spec.crop != .wholeImage) ? FaceLandmarker(detector: try MTCNN.pretrained(minimumFaceSize: minimumFace), model: keypoints) : nil
        let output = URL(fileURLWithPath: out)
        let names = try outputNames(of: jobs.map(\.url), in: output)
        try createOutputFolder(output)
        var lines = Data(), annotated: [(file: String, keypoints: [Point], box: BoundingBox?)] = [], failed = 0
        let bar = ProgressBar(label: "predict")
        for (n, job) in jobs.enumerated() {
            defer { bar.show(n + 1, jobs.count) }
            do {
                // Boxes from XML are in stored pixels, as imglab keeps them; otherwise the photo as displayed.
                let photo = try Image(contentsOf: job.url, applyOrientation: xml == nil)
                let faces: [PhotoLandmarks.Face]
                if let boxes = job.boxes {
                    faces = try boxes.map { box in
                        let estimate = try keypoints.estimate(in: photo, box: box)
                        return PhotoLandmarks.Face(box: box, score: nil, points5: nil, points: estimate.points, confidence: estimate.confidences)
                    }
                } else if keypoints.spec.crop == .wholeImage {
                    // The IMM models look at the whole photo, not at faces.
                    let whole = BoundingBox(x: 0, y: 0, width: Float(photo.width), height: Float(photo.height))
                    let estimate = try keypoints.estimate(in: photo)
                    faces = [PhotoLandmarks.Face(box: whole, score: nil, points5: nil, points: estimate.points, confidence: estimate.confidences)]
                } else {
                    faces = try landmarker!.faces(in: photo).map(PhotoLandmarks.Face.init)
                }
                let result = PhotoLandmarks(image: job.url.path, width: photo.width, height: photo.height, model: modelName, faces: faces)
                let name = names[n]
                // Both JSON forms first: a result that cannot be written leaves no drawing without its JSON.
                let json = try result.json(), line = try result.jsonLine()
                try result.drawn(on: photo).write(to: output.appendingPathComponent(name + PhotoLandmarks.drawingSuffix))
                try AtomicFile.write(json, to: output.appendingPathComponent(name + PhotoLandmarks.jsonSuffix))
                lines += line + Data("\n".utf8)
                annotated += faces.map { (job.url.path, $0.points.map { Point($0[0], $0[1]) }, $0.boundingBox) }
                printError("\(job.url.path): \(faces.count) face\(faces.count == 1 ? "" : "s")")
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
        print("\(jobs.count - failed) photos, \(annotated.count) faces -> \(output.path)")
        if let xmlOut {
            let xmlURL = URL(fileURLWithPath: xmlOut)
            let folder = xmlURL.deletingLastPathComponent().standardizedFileURL.path + "/"
            let faces = annotated.map { face in
                let path = URL(fileURLWithPath: face.file).standardizedFileURL.path
                return (file: path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path, keypoints: face.keypoints, box: face.box)
            }
            try ImglabDataset.fromKeypoints(faces, pointNames: keypoints.spec.pointNames, name: "keypoints predict").write(to: xmlURL)
            print("\(faces.count) faces -> \(xmlOut)")
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// Each photo's output name (`NAME` of `NAME_keypoints.png` and `.json`): the file name
    /// without its extension. Refuses, before any work, two photos that would write the same
    /// files, and a photo that an output would overwrite.
    private func outputNames(of photos: [URL], in output: URL) throws -> [String] {
        let names = photos.map { $0.deletingPathExtension().lastPathComponent }
        var first: [String: URL] = [:]
        for (photo, name) in zip(photos, names) {
            if let other = first[name] {
                throw CommandError("\(other.path) and \(photo.path) would both write \(name)\(PhotoLandmarks.jsonSuffix) in \(output.path); "
                                   + "predict them into separate --out folders")
            }
            first[name] = photo
        }
        let inputs = Set(photos.map { $0.standardizedFileURL.path })
        for name in names {
            for suffix in [PhotoLandmarks.drawingSuffix, PhotoLandmarks.jsonSuffix]
            where inputs.contains(output.appendingPathComponent(name + suffix).standardizedFileURL.path) {
                throw CommandError("\(output.appendingPathComponent(name + suffix).path) is one of the photos and would be overwritten; choose another --out")
            }
        }
        return names
    }

    /// The photos and, when given (`--box`, `--xml`), their boxes.
    private func photoJobs() throws -> [(url: URL, boxes: [BoundingBox]?)] {
        guard let xml else { return try photoFiles(inputs).map { ($0, box.map { [$0.box] }) } }
        let url = try existingFile(xml, option: "--xml")
        let folder = url.deletingLastPathComponent()
        return try ImglabDataset(contentsOf: url).images.map { image in
            (image.url(relativeTo: folder),
             image.boxes.filter { !$0.ignore }.map(\.boundingBox))
        }
    }
}

/// `left,top,width,height`.
struct FaceBox: ExpressibleByArgument {
    let box: BoundingBox

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil && $0!.isFinite }), parts[2]! > 0, parts[3]! > 0 else { return nil }
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
        guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, (0..<count).contains(index) else { return nil }
        (self.index, self.count) = (index, count)
    }

    static var defaultValueDescription: String { "I/N" }
}
