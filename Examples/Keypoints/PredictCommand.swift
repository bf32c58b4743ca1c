import ArgumentParser
import FaceKeypoints
import Foundation

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Find keypoints in photos: writes each photo with its points drawn and a JSON of the points in its pixels.")

    @Option(help: "A model.safetensors written by nose, face or landmarks.") var model: String
    @Argument(help: "JPEG, PNG or PPM photos.") var images: [String]
    @Option(help: "The face box as left,top,width,height in pixels (default: a centered square crop of the photo).")
    var box: FaceBox?
    @Option(help: "The output folder.") var out = "predictions"
    @Option(name: .customLong("xml-out"), help: "Also write every prediction as dlib imglab XML (boxes and parts), to correct in imglab and train on again.")
    var xmlOut: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !images.isEmpty else { throw CommandError("give at least one image") }
    }

    func run() throws {
        try common.apply()
        let detector = try KeypointDetector(contentsOf: try existingFile(model, option: "--model"))
        let output = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var annotated: [(file: String, keypoints: [Point], box: BoundingBox?)] = []
        for path in images {
            let url = try existingFile(path, option: "image")
            let photo = try Image(contentsOf: url)
            let points = try detector.detect(in: photo, box: box?.box)
            let name = url.deletingPathExtension().lastPathComponent
            var drawing = photo.rgb()
            let radius = Swift.max(2, Float(Swift.max(photo.width, photo.height)) / 250)
            if let box { drawing.drawRectangle(box.box, color: .yellow, thickness: Int(radius / 2) + 1) }
            drawing.drawKeypoints(points, color: .prediction, radius: radius)
            try drawing.write(to: output.appendingPathComponent(name + "_keypoints.png"))
            let result = PredictionFile(image: path, width: photo.width, height: photo.height, model: model,
                                        task: detector.spec.task.rawValue, box: box.map { [$0.box.x, $0.box.y, $0.box.width, $0.box.height] },
                                        points: points.map { [$0.x, $0.y] })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(result).write(to: output.appendingPathComponent(name + "_keypoints.json"))
            print("\(path): \(points.count) points -> \(output.appendingPathComponent(name + "_keypoints.png").path)")
            annotated.append((url.path, points, box?.box))
        }
        if let xmlOut {
            let xmlURL = URL(fileURLWithPath: xmlOut)
            let folder = xmlURL.deletingLastPathComponent().standardizedFileURL.path + "/"
            let faces = annotated.map { face in
                let path = URL(fileURLWithPath: face.file).standardizedFileURL.path
                return (file: path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path, keypoints: face.keypoints, box: face.box)
            }
            try ImglabDataset.fromKeypoints(faces, pointNames: detector.spec.pointNames, name: "keypoints predict").write(to: xmlURL)
            print("\(faces.count) faces -> \(xmlOut)")
        }
    }
}

/// The JSON written per photo. Points are `[x, y]` in the photo's pixels, pixel centers at +0.5.
struct PredictionFile: Codable {
    let image: String
    let width: Int
    let height: Int
    let model: String
    let task: String
    let box: [Float]?
    let points: [[Float]]
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
