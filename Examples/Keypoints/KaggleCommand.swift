import ArgumentParser
import FaceKeypoints
import Foundation

struct KaggleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kaggle",
        abstract: "Write a competition submission (Id,Predicted; image, point, x then y, in original pixels).")

    @Option(help: "A landmarks model.safetensors.") var model: String
    @Option(help: "The test set's imglab XML (boxes; parts are ignored).") var xml: String
    @Option(help: "The CSV to write.") var out = "submission.csv"
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.apply()
        let detector = try KeypointModel(contentsOf: try existingFile(model, option: "--model"), expecting: .landmarks)
        let faces = try KaggleSubmission.detect(detector, xml: try existingFile(xml, option: "--xml"))
        try KaggleSubmission.csv(faces).write(to: URL(fileURLWithPath: out), atomically: true, encoding: .utf8)
        print("\(faces.count) faces, \(faces.reduce(0) { $0 + $1.points.count }) points -> \(out)")
    }
}
