import Foundation
import Tensor

/// Runs `Benchmarks/pytorch_bench.py` (the PyTorch side) as a child process.
struct PythonSide {
    var script: String
    var environment: [String: String]

    /// Runs the script with `arguments` and returns its standard output; throws with its
    /// standard error when it fails.
    func run(_ arguments: [String]) throws -> String {
        try runChild("/usr/bin/env", ["python3", script] + arguments, environment: environment)
    }
}

/// Runs `executable` with `arguments` and returns its standard output.
func runChild(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkError(
            "\(([executable] + arguments).joined(separator: " ")) failed (\(process.terminationStatus)): \(String(decoding: errorData, as: UTF8.self))"
        )
    }
    return String(decoding: data, as: UTF8.self)
}

/// The last line of `text` that parses as JSON of type `T`.
func decodeLastJSONLine<T: Decodable>(_ text: String, as type: T.Type) throws -> T {
    for line in text.split(separator: "\n").reversed() where line.hasPrefix("{") {
        if let value = try? JSONDecoder().decode(T.self, from: Data(line.utf8)) { return value }
    }
    throw BenchmarkError("no JSON result in: \(text)")
}

/// `keypoints-bench compare`: both sides, every row in its own child process (so the peak
/// resident memory is the row's own), one table.
struct Comparison {
    var rows: [BenchmarkRow]
    var seconds: Double
    var repeats: Int
    var json: Bool
    var epochLabels: URL?
    var verify: Bool
    var python: PythonSide
    var environment: [String: String]

    struct Line: Codable {
        var model: String
        var batch: Int
        var threads: Int
        var mode: String
        var oursImagesPerSecond: Double
        var pytorchImagesPerSecond: Double
        var ratio: Double
        var oursPeakMB: Double
        var pytorchPeakMB: Double

        enum CodingKeys: String, CodingKey {
            case model, batch, threads, mode, ratio
            case oursImagesPerSecond = "ours_images_per_second"
            case pytorchImagesPerSecond = "pytorch_images_per_second"
            case oursPeakMB = "ours_peak_mb"
            case pytorchPeakMB = "pytorch_peak_mb"
        }
    }

    func run() throws {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let core = try runChild(me, ["core"], environment: environment).trimmingCharacters(in: .whitespacesAndNewlines)
        let cleared = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].filter {
            environment[$0] == nil && ProcessInfo.processInfo.environment[$0] != nil
        }
        say(
            "FaceKeypoints vs PyTorch. OpenBLAS kernel in the benchmark's children: \(core)"
                + (cleared.isEmpty ? "" : " (\(cleared.joined(separator: ", ")) unset for the children)"))
        say(
            "Machine: \(cpuDescription()), \(ProcessInfo.processInfo.activeProcessorCount) cores; load average \(loadAverage()) at start"
        )
        say(
            "Fast paths: \(CPUKernels.activePaths.isEmpty ? "none (portable kernels)" : CPUKernels.activePaths.joined(separator: ", "))"
                + " (\(CPUKernels.environmentVariable)=\(CPUKernels.selection.rawValue))")
        if verify {
            try Verification(python: python).runAll(say: say)
        }
        if !json {
            print("model     batch threads mode   ours img/s  PyTorch img/s  ratio  ours MB  PyTorch MB")
        }
        var lines: [Line] = []
        for row in rows {
            var ours: [RowMeasurement] = [], theirs: [RowMeasurement] = []
            for _ in 0..<repeats {
                let arguments = [
                    "row", row.model, String(row.batch), String(row.threads), row.mode, "--json", "--seconds",
                    String(seconds)
                ]
                ours.append(
                    try decodeLastJSONLine(
                        try runChild(me, arguments, environment: environment), as: RowMeasurement.self))
                let pythonArguments = [
                    "--row", row.model, String(row.batch), String(row.threads), row.mode, "--seconds", String(seconds)
                ]
                theirs.append(try decodeLastJSONLine(try python.run(pythonArguments), as: RowMeasurement.self))
            }
            let oursSpeed = median(ours.map(\.imagesPerSecond)), theirSpeed = median(theirs.map(\.imagesPerSecond))
            let line = Line(
                model: row.model, batch: row.batch, threads: row.threads, mode: row.mode,
                oursImagesPerSecond: oursSpeed, pytorchImagesPerSecond: theirSpeed, ratio: oursSpeed / theirSpeed,
                oursPeakMB: median(ours.map(\.peakMB)), pytorchPeakMB: median(theirs.map(\.peakMB)))
            lines.append(line)
            if json {
                print(String(decoding: try JSONEncoder().encode(line), as: UTF8.self))
            } else {
                print(
                    String(
                        format: "%-9@ %5d %7d %-5@ %11.1f %14.1f %6.2f %8.0f %11.0f", line.model, line.batch,
                        line.threads, line.mode,
                        line.oursImagesPerSecond, line.pytorchImagesPerSecond, line.ratio, line.oursPeakMB,
                        line.pytorchPeakMB))
            }
            fflush(nil)
        }
        if let labels = epochLabels {
            let ours = try decodeLastJSONLine(
                try runChild(me, ["epoch", labels.path, "2", "--json"], environment: environment),
                as: EpochMeasurement.self)
            let theirs = try decodeLastJSONLine(
                try python.run(["--epoch", labels.path, "2"]), as: EpochMeasurement.self)
            if json {
                let object: [String: Any] = [
                    "model": "resnet18", "batch": 16, "threads": 2, "mode": "epoch", "samples": ours.samples,
                    "ours_seconds": ours.seconds, "pytorch_seconds": theirs.seconds,
                    "ours_setup_seconds": ours.setupSeconds, "pytorch_setup_seconds": theirs.setupSeconds,
                    "ratio": theirs.seconds / ours.seconds, "ours_peak_mb": ours.peakMB,
                    "pytorch_peak_mb": theirs.peakMB
                ]
                print(
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
                        as: UTF8.self))
            } else {
                print(
                    String(
                        format:
                            "part-3 epoch (ResNet18, %d faces, batch 16, 2 threads, 1 loader worker): ours %.1f s (+ %.1f s dataset setup), "
                            + "PyTorch %.1f s (+ %.1f s), speed ratio %.2f; peak %.0f MB vs %.0f MB",
                        ours.samples, ours.seconds, ours.setupSeconds, theirs.seconds, theirs.setupSeconds,
                        theirs.seconds / ours.seconds,
                        ours.peakMB, theirs.peakMB))
            }
        }
        if !json { printTargets(lines) }
    }

    /// Issue 7's targets, each marked met or missed from this run's figures.
    func printTargets(_ lines: [Line]) {
        func find(_ model: String, _ batch: Int, _ threads: Int, _ mode: String) -> Line? {
            lines.first { $0.model == model && $0.batch == batch && $0.threads == threads && $0.mode == mode }
        }
        var checks: [(String, Bool)] = []
        for model in ["nosenet", "facenet"] {
            for batch in [4, 64] {
                if let line = find(model, batch, 2, "train") {
                    checks.append(
                        (
                            "\(model) batch \(batch) training >= 1.5x (\(String(format: "%.2f", line.ratio))x)",
                            line.ratio >= 1.5
                        ))
                }
            }
        }
        if let line = find("resnet18", 16, 2, "train") {
            checks.append(
                ("resnet18 batch 16 training >= 1.0x (\(String(format: "%.2f", line.ratio))x)", line.ratio >= 1.0))
            checks.append(
                (
                    "resnet18 batch 16 training peak memory <= PyTorch's (\(Int(line.oursPeakMB)) vs \(Int(line.pytorchPeakMB)) MB)",
                    line.oursPeakMB <= line.pytorchPeakMB
                ))
            if let single = find("resnet18", 16, 1, "train") {
                let scaling = line.oursImagesPerSecond / single.oursImagesPerSecond
                checks.append(
                    (
                        "resnet18 batch 16 training, 2 threads >= 1.8x 1 thread (\(String(format: "%.2f", scaling))x)",
                        scaling >= 1.8
                    ))
            }
        }
        let inference = lines.filter { $0.mode == "infer" && $0.threads == 2 }
        if !inference.isEmpty {
            let worst = inference.min { $0.ratio < $1.ratio }!
            checks.append(
                (
                    "inference >= 1.2x on every 2-thread row (worst \(worst.model) batch \(worst.batch): \(String(format: "%.2f", worst.ratio))x)",
                    worst.ratio >= 1.2
                ))
        }
        for model in ["pipnet", "pipnet16"] {
            if let heatmap = find(model, 1, 2, "infer"), let regression = find("resnet18", 1, 2, "infer") {
                let ratio = regression.oursImagesPerSecond / heatmap.oursImagesPerSecond
                checks.append(
                    (
                        "\(model) single-face inference within 1.2x resnet18 regression's time (\(String(format: "%.2f", ratio))x)",
                        ratio <= 1.2
                    ))
            }
        }
        if let line = find("resnet18", 1, 2, "infer") {
            checks.append(
                (
                    "resnet18 single-image latency below PyTorch's (\(String(format: "%.1f vs %.1f ms", 1000 / line.oursImagesPerSecond, 1000 / line.pytorchImagesPerSecond)))",
                    line.ratio > 1
                ))
        }
        print("\nTargets (2 threads unless said):")
        for (text, met) in checks { print("  [\(met ? "met" : "MISSED")] \(text)") }
    }

    func say(_ text: String) {
        if json { FileHandle.standardError.write((text + "\n").data(using: .utf8)!) } else { print(text) }
    }
}

/// "AMD EPYC (AVX-512)": the CPU model and its widest vector extension, for the table's first line.
func cpuDescription() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
        info.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last?
        .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    let vectors = info.contains(" avx512f") ? "AVX-512" : info.contains(" avx2") ? "AVX2, no AVX-512" : "no AVX2"
    return "\(model) (\(vectors))"
}

/// The 1-minute load average, to judge how noisy a run was.
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(
        String.init) ?? "?"
}
