import Foundation
import TestSupport

/// Runs the `keypoints` executable (``KeypointsExecutable``: the one built next to the test
/// bundle, or `FACEKEYPOINTS_KEYPOINTS`).
struct CommandRunner {
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    static var executable: URL { KeypointsExecutable.url }

    static var data: String { TestData.root.path }

    /// Runs `keypoints arguments...` to completion.
    static func run(_ arguments: [String]) throws -> Result {
        let process = try start(arguments)
        let output = process.standardOutput as! Pipe, error = process.standardError as! Pipe
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    /// Starts `keypoints arguments...` and returns the running process (output to pipes).
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "keypoints-tests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The parts of metrics.json the tests read.
struct Metrics: Decodable {
    let train_loss: [Float]
    let val_loss: [Float]
    let val_error_px: Float
    let val_nme: Float

    init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(Metrics.self, from: Data(contentsOf: url))
    }
}
