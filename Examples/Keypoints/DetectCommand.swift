import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints detect`: face boxes only, with the shipped MTCNN.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract:
            "Find faces (boxes, scores, five points) with the shipped MTCNN detector; JSON on standard output, or imglab XML."
    )

    @Argument(help: "Photos, or folders of photos (JPEG, PNG, PPM/PGM; sorted by name).") var inputs: [String] = []
    @Option(name: .customLong("min-face"), help: "The smallest face searched for, in pixels.") var minimumFace = 20
    @Option(
        name: .customLong("xml-out"),
        help: "Write the boxes as dlib imglab XML (to correct in imglab, or as training boxes) instead of JSON.")
    var xmlOut: String?
    @Option(
        help:
            "Instead of photos: an imglab file of annotated faces, written to --xml-out with each face's box replaced by the detector's (the training boxes of --boxes detector)."
    )
    var annotations: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard inputs.isEmpty != (annotations == nil) else {
            throw CommandError(
                annotations == nil ? "give at least one photo or folder" : "give --annotations or photos, not both")
        }
        guard annotations == nil || xmlOut != nil else {
            throw CommandError("--annotations writes imglab XML: give --xml-out FILE")
        }
        guard minimumFace >= MTCNN.smallestMinimumFaceSize else {
            throw CommandError(
                "--min-face must be at least \(MTCNN.smallestMinimumFaceSize) (MTCNN's cell), got \(minimumFace)")
        }
    }

    func run() throws {
        try common.apply()
        let detector = try MTCNN.pretrained(minimumFaceSize: minimumFace)
        if let annotations, let xmlOut {
            let url = try existingFile(annotations, option: "--annotations")
            let (boxes, summary) = try DetectorBoxes.replacingBoxes(
                of: try ImglabDataset(contentsOf: url), file: url, detector: detector,
                progress: ProgressBar(label: "detect").show)
            try boxes.write(to: URL(fileURLWithPath: xmlOut))
            print("\(summary) -> \(xmlOut)")
            return
        }
        let photos = try photoFiles(inputs)
        var images: [ImglabImage] = [], records: [DetectionRecord] = [], failed = 0
        for photo in photos {
            do {
                // Stored pixels, as imglab and the annotation formats use them (EXIF orientation not applied).
                let image = try Image(contentsOf: photo, applyOrientation: false)
                let faces = try detector.faces(in: image)
                records.append(
                    DetectionRecord(
                        image: photo.path, width: image.width, height: image.height,
                        faces: faces.map(DetectionRecord.Face.init)))
                images.append(
                    ImglabImage(
                        file: photo.path, width: image.width, height: image.height,
                        boxes: faces.map { ImglabBox(rounding: $0.box) }))
                printError("\(photo.path): \(faces.count) face\(faces.count == 1 ? "" : "s")")
            } catch {
                let message = String(describing: error)
                printError(message.hasPrefix(photo.path) ? message : "\(photo.path): \(message)")
                failed += 1
            }
        }
        if let xmlOut {
            try ImglabDataset(
                name: "keypoints detect", comment: "MTCNN boxes, minimum face \(minimumFace) px", images: images
            )
            .write(to: URL(fileURLWithPath: xmlOut))
            printError("\(images.reduce(0) { $0 + $1.boxes.count }) faces in \(images.count) photos -> \(xmlOut)")
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(records), as: UTF8.self))
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// One photo's faces in the JSON `detect` prints: boxes `[left, top, width, height]` and points
/// `[x, y]` in the photo's stored pixels, pixel centers at +0.5.
struct DetectionRecord: Codable {
    struct Face: Codable {
        let box: [Float]
        let score: Float
        let points5: [[Float]]

        init(_ face: DetectedFace) {
            box = [face.box.x, face.box.y, face.box.width, face.box.height]
            score = face.score
            points5 = face.points5.map { [$0.x, $0.y] }
        }
    }

    let image: String
    let width: Int
    let height: Int
    let faces: [Face]
}

/// The photo files named by `inputs`: files as given (a path that does not exist too: reading
/// it reports it, and the other photos go on), folders expanded to their images sorted by name,
/// without the drawings `predict` writes (`NAME_keypoints.png`), so a folder that is also the
/// output folder is read as it was.
func photoFiles(_ inputs: [String]) throws -> [URL] {
    let extensions: Set<String> = ["jpg", "jpeg", "png", "ppm", "pgm"]
    return try inputs.flatMap { path -> [URL] in
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [URL(fileURLWithPath: path)]
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw CommandError("\(path): cannot list the folder (\(fileSystemReason(error)))")
        }
        return names.filter {
            extensions.contains(($0 as NSString).pathExtension.lowercased())
                && !$0.hasSuffix(PhotoLandmarks.drawingSuffix)
        }
        .map { URL(fileURLWithPath: path).appendingPathComponent($0) }
    }
}
