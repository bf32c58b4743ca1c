import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints export`: a model file rewritten in another precision, with notes in its metadata.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Rewrite a trained model (float16 halves its size) and add KEY=VALUE notes (provenance, licence) to its metadata."
    )

    @Option(help: "A model.safetensors written by a training command.") var model: String
    @Option(help: "The file to write.") var out: String
    @Option(help: "float32 or float16.") var precision = KeypointModelFile.Precision.float16
    @Option(name: .customLong("note"), help: "A metadata entry KEY=VALUE (repeatable).") var notes: [String] = []

    func run() throws {
        let destination = try outputFile(out, option: "--out")
        var metadata: [String: String] = [:]
        for note in notes {
            guard let equals = note.firstIndex(of: "="), equals != note.startIndex else {
                throw CommandError("--note expects KEY=VALUE, got '\(note)'")
            }
            metadata[String(note[..<equals])] = String(note[note.index(after: equals)...])
        }
        let spec = try KeypointModelFile.convert(
            try existingFile(model, option: "--model"), to: destination,
            precision: precision, metadata: metadata)
        let size = (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print(
            "\(spec.architecture.rawValue) (\(spec.task.rawValue)), \(precision.rawValue), \(size / 1024) KiB -> \(out)"
        )
    }
}

extension KeypointModelFile.Precision: ExpressibleByArgument {}
