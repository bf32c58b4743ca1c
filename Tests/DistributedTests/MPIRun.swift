import Foundation
import TestSupport

/// Runs the `keypoints` executable built next to the test bundle, alone or as the ranks of an
/// `mpirun` job, and finds a rank's process to kill it.
enum MPIRun {
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// `mpirun` on the PATH, or nil.
    static let mpirun: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Whether the 2-rank tests must run (CI sets `FACEKEYPOINTS_REQUIRE_MPI=1`): they then fail
    /// without `mpirun` instead of being skipped.
    static let required = ProcessInfo.processInfo.environment["FACEKEYPOINTS_REQUIRE_MPI"] == "1"

    /// Why the tests are skipped, when they are.
    static let enabled = mpirun != nil || required

    static var keypoints: URL { KeypointsExecutable.url }

    static var data: String { TestData.root.path }

    /// The arguments that start `keypoints arguments...` as `ranks` ranks (`--distributed` added).
    static func command(ranks: Int, _ arguments: [String]) throws -> (URL, [String]) {
        guard let mpirun else {
            throw TestFailure(
                "mpirun not found on PATH: install Open MPI (apt-get install -y libopenmpi-dev openmpi-bin)")
        }
        return (
            mpirun,
            ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), keypoints.path] + arguments + [
                "--distributed"
            ]
        )
    }

    /// Runs one rank per element of `argumentsPerRank`, each with its own arguments (mpirun's
    /// `-np 1 A : -np 1 B` form), to the end.
    static func run(ranksWithArguments argumentsPerRank: [[String]]) throws -> Result {
        guard let mpirun else {
            throw TestFailure(
                "mpirun not found on PATH: install Open MPI (apt-get install -y libopenmpi-dev openmpi-bin)")
        }
        let process = Process()
        process.executableURL = mpirun
        process.arguments =
            ["--allow-run-as-root", "--oversubscribe"]
            + argumentsPerRank.map { ["-np", "1", keypoints.path] + $0 + ["--distributed"] }.joined(separator: [":"])
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return finish(process, timeout: 120)
    }

    /// Starts `keypoints arguments...`, as `ranks` ranks under mpirun when `ranks` is given.
    static func start(ranks: Int?, _ arguments: [String]) throws -> Process {
        let process = Process()
        if let ranks {
            (process.executableURL, process.arguments) = try command(ranks: ranks, arguments)
        } else {
            (process.executableURL, process.arguments) = (keypoints, arguments)
        }
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// Waits for `process` (killing it after `timeout` seconds, so a hung job cannot stall CI).
    static func finish(_ process: Process, timeout: Double = 600) -> Result {
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let output = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let error = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }

    /// Runs `keypoints arguments...` to the end.
    static func run(ranks: Int?, _ arguments: [String]) throws -> Result {
        finish(try start(ranks: ranks, arguments))
    }

    /// The process id of rank `rank` among the children of `mpirun` (by its
    /// `OMPI_COMM_WORLD_RANK`), or nil while it has not started.
    static func rankProcess(_ rank: Int, of mpirun: Process) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after "(comm)": state, parent pid, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, pid_t(fields[1]) == mpirun.processIdentifier,
                let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { continue }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "keypoints-mpi-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A test that cannot go on, with the reason.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
