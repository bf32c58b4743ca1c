import ArgumentParser
import FaceKeypoints
import Foundation

/// `keypoints`: reproduces the three parts of the facial-keypoint study on the data in
/// `../shared/data`, and runs trained models on new photos. The logic lives in the library;
/// this only parses arguments and prints.
@main
struct Keypoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, evaluate and run facial keypoint models on the CPU.",
        subcommands: [NoseCommand.self, FaceCommand.self, LandmarksCommand.self, TrainCommand.self, EvaluateCommand.self,
                      PredictCommand.self, DetectCommand.self, CalibrateCommand.self, ExportCommand.self, KaggleCommand.self, PlotCommand.self])
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Worker threads for the math (default: all cores).")
    var threads: Int?

    /// Sets the thread count: `--threads`, or by default the cores shared evenly among `processes`
    /// on this host (the ranks `mpirun` started here), at least one each.
    func apply(sharingCoresWith processes: Int = 1) throws {
        if let threads {
            guard threads >= 1 else { throw CommandError("--threads must be at least 1, got \(threads)") }
            ComputeThreads.set(threads)
        } else {
            ComputeThreads.set(max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, processes)))
        }
    }
}

/// A folder that must exist.
func existingDirectory(_ path: String, option: String, holding: String) throws -> URL {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("\(option) \(path): no such folder (expected the folder holding \(holding))")
    }
    return URL(fileURLWithPath: path)
}

/// A file that must exist.
func existingFile(_ path: String, option: String) throws -> URL {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
        throw CommandError("\(option) \(path): no such file")
    }
    return URL(fileURLWithPath: path)
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A bad option value or a missing file: printed as one line, `Error: <message>`.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
