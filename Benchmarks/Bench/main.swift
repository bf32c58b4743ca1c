import Foundation
import Tensor

/// keypoints-bench: speed of FaceKeypoints against PyTorch on the same models.
let usage = """
    usage:
      keypoints-bench compare [--json] [--quick] [--model M] [--seconds S] [--repeat R] [--no-verify]
                              [--no-epoch] [--labels PATH] [--keep-blas-env]
          every row of issue 7 in child processes, both sides, one table (or JSON lines)
      keypoints-bench verify      (only the check that runs before compare: each model against PyTorch in float64)
      keypoints-bench row MODEL BATCH THREADS train|infer [--json] [--seconds S]
      keypoints-bench epoch LABELS_XML THREADS [--json]
      keypoints-bench scaling MODEL BATCH train|infer [--rounds R] [--steps S]
          1-thread and 2-thread speed in one process, alternating rounds, and their ratio
      keypoints-bench loops       (the cost of starting a 2-thread loop: worker pool vs concurrentPerform)
      keypoints-bench matmul [SIZE]
      keypoints-bench core        (prints the kernel OpenBLAS chose)
      keypoints-bench detect [--data DIR] [--sets afw_fullsize,300w_subset] [--threads 1,2] [--limit N]
                             [--no-peers] [--keep-blas-env]
          face detection: ours (MTCNN.pretrained) vs facenet-pytorch's MTCNN and dlib's HOG
          (Benchmarks/detector_peers.py): recall at IoU 0.5/0.3, unmatched detections, ms per photo
      keypoints-bench detect-run LABELS_XML THREADS [--limit N] [--json]   (ours, one pass)
      keypoints-bench pipeline [--data DIR] [--limit N] [--threads 1,2] [--no-peers] [--keep-blas-env]
          whole photos, faces and 68 landmarks: ours (FaceLandmarker) vs dlib's HOG detector and
          68-point shape predictor (Benchmarks/pipeline_peers.py) on the first N (40) IMM photos: ms per photo
      keypoints-bench pipeline-run FOLDER THREADS [--limit N] [--json]   (ours, one pass)
      mpirun -np N keypoints-bench allreduce [--steps S] [--buckets 1,25,64]
          milliseconds per step to average a ResNet18's gradients (45 MB) over N ranks, per bucket size
      keypoints-bench soak [DATA] [STEPS] [THREADS]
          NoseNet training steps on IMM with the resident memory after warm-up and at the end

    """
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(usage, terminator: "")
    exit(0)
}

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
}

do {
    switch arguments.first {
    case "matmul":
        let size = arguments.dropFirst().first.flatMap { Int($0) } ?? 1024
        print(
            "OpenBLAS kernel: \(ComputeThreads.blasCoreName); OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")"
        )
        print("matmul \(size)x\(size)x\(size), median of 15 runs")
        print("threads  Tensor.matmul GFLOP/s  cblas_sgemm GFLOP/s")
        for row in MatmulBenchmark(size: size, repetitions: 15).run(threads: [1, 2]) {
            print(String(format: "%7d  %21.1f  %19.1f", row.threads, row.tensorGflops, row.blasGflops))
        }
    case "loops":
        print("two chunks of W µs each after G µs on one thread; µs per loop (ideal: W)")
        print("     W      G   parallelFor  concurrentPerform  one thread")
        for row in LoopBenchmark().run() {
            print(
                String(
                    format: "%6.0f %6.0f %13.1f %18.1f %11.1f", row.microseconds, row.gap, row.pool, row.dispatch,
                    row.serial))
        }
    case "verify":
        print(
            "Machine: \(cpuDescription()); fast paths: \(CPUKernels.activePaths.isEmpty ? "none (portable kernels)" : CPUKernels.activePaths.joined(separator: ", "))"
        )
        try Verification(
            python: PythonSide(
                script: option("--script") ?? "Benchmarks/pytorch_bench.py",
                environment: ProcessInfo.processInfo.environment)
        ).runAll { print($0) }
    case "allreduce":
        try allReduceBenchmark(
            steps: option("--steps").flatMap(Int.init) ?? 20,
            bucketMegabytes: (option("--buckets") ?? "1,25,64").split(separator: ",").compactMap { Int($0) })
    case "core":
        print(ComputeThreads.blasCoreName)
    case "soak":
        try soak(
            data: URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : "../shared/data"),
            steps: arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000,
            threads: arguments.count > 3 ? Int(arguments[3]) ?? 2 : 2)
    case "row":
        guard arguments.count >= 5, let batch = Int(arguments[2]), let threads = Int(arguments[3]) else {
            throw BenchmarkError("usage: keypoints-bench row MODEL BATCH THREADS train|infer [--json] [--seconds S]")
        }
        let row = BenchmarkRow(model: arguments[1], batch: batch, threads: threads, mode: arguments[4])
        let result = try measureImagesPerSecond(row, seconds: option("--seconds").flatMap(Double.init) ?? 4)
        let measurement = RowMeasurement(
            imagesPerSecond: result.imagesPerSecond, steps: result.steps,
            peakMB: peakResidentMegabytes(), blasCore: ComputeThreads.blasCoreName)
        if arguments.contains("--json") {
            try printJSON(measurement)
        } else {
            print(
                String(
                    format:
                        "%@ batch %d threads %d %@: %.1f images/s (%d steps, cores busy %.2f), peak %.0f MB (OpenBLAS %@)",
                    row.model, row.batch, row.threads, row.mode, measurement.imagesPerSecond, measurement.steps,
                    result.coresBusy,
                    measurement.peakMB, ComputeThreads.blasCoreName))
        }
    case "scaling":
        guard arguments.count >= 4, let batch = Int(arguments[2]) else {
            throw BenchmarkError("usage: keypoints-bench scaling MODEL BATCH train|infer [--rounds R] [--steps S]")
        }
        let row = BenchmarkRow(model: arguments[1], batch: batch, threads: 2, mode: arguments[3])
        let rounds = try measureScaling(
            row, rounds: option("--rounds").flatMap(Int.init) ?? 8, steps: option("--steps").flatMap(Int.init) ?? 4)
        print(
            "\(row.model) batch \(row.batch) \(row.mode), OpenBLAS \(ComputeThreads.blasCoreName): images/s on 1 and 2 threads, alternating"
        )
        for (index, round) in rounds.enumerated() {
            print(
                String(format: "round %2d  %8.1f  %8.1f  %.2fx", index + 1, round.one, round.two, round.two / round.one)
            )
        }
        print(
            String(
                format: "median    %8.1f  %8.1f  %.2fx (median of the rounds' ratios)", median(rounds.map(\.one)),
                median(rounds.map(\.two)), median(rounds.map { $0.two / $0.one })))
    case "epoch":
        guard arguments.count >= 3, let threads = Int(arguments[2]) else {
            throw BenchmarkError("usage: keypoints-bench epoch LABELS_XML THREADS [--json]")
        }
        let result = try measureEpoch(labels: URL(fileURLWithPath: arguments[1]), threads: threads)
        if arguments.contains("--json") {
            try printJSON(result)
        } else {
            print(
                String(
                    format: "epoch of %d faces in %d batches: %.1f s (+ %.1f s setup), peak %.0f MB", result.samples,
                    result.batches,
                    result.seconds, result.setupSeconds, result.peakMB))
        }
    case "detect-run":
        guard arguments.count >= 3, let threads = Int(arguments[2]) else {
            throw BenchmarkError("usage: keypoints-bench detect-run LABELS_XML THREADS [--limit N] [--json]")
        }
        let line = try measureOurDetector(
            labels: URL(fileURLWithPath: arguments[1]), threads: threads,
            limit: option("--limit").flatMap(Int.init))
        if arguments.contains("--json") {
            try printJSON(line)
        } else {
            print(
                String(
                    format:
                        "%d photos, %d faces: recall %.3f (IoU 0.5), %.3f (IoU 0.3), %d unmatched, median %.1f ms, mean %.1f ms",
                    line.images, line.faces, line.recall50, line.recall30, line.unmatched50, line.medianMs,
                    line.totalMs / Double(max(line.images, 1))))
        }
    case "detect":
        var environment = ProcessInfo.processInfo.environment
        if !arguments.contains("--keep-blas-env") {
            // The benchmark's own children only.
            environment["OPENBLAS_CORETYPE"] = nil
            environment["OPENBLAS_L2_SIZE"] = nil
        }
        let data = URL(fileURLWithPath: option("--data") ?? "../shared/data")
        let sets = (option("--sets") ?? "afw_fullsize,300w_subset").split(separator: ",").map(String.init)
        let comparison = DetectionComparison(
            labels: sets.map { data.appendingPathComponent($0).appendingPathComponent("labels.xml") },
            threads: (option("--threads") ?? "1,2").split(separator: ",").compactMap { Int($0) },
            limit: option("--limit").flatMap(Int.init), peers: !arguments.contains("--no-peers"),
            python: PythonSide(script: option("--script") ?? "Benchmarks/detector_peers.py", environment: environment),
            environment: environment)
        try comparison.run()
    case "pipeline-run":
        guard arguments.count >= 3, let threads = Int(arguments[2]) else {
            throw BenchmarkError("usage: keypoints-bench pipeline-run FOLDER THREADS [--limit N] [--json]")
        }
        let line = try measureOurPipeline(
            folder: URL(fileURLWithPath: arguments[1]), threads: threads,
            limit: option("--limit").flatMap(Int.init) ?? 40)
        if arguments.contains("--json") {
            try printJSON(line)
        } else {
            print(
                String(
                    format: "%d photos, %d with exactly one face, %d faces: median %.1f ms, mean %.1f ms",
                    line.photos, line.oneFace, line.faces, line.medianMs, line.meanMs))
        }
    case "pipeline":
        var environment = ProcessInfo.processInfo.environment
        if !arguments.contains("--keep-blas-env") {
            // The benchmark's own children only.
            environment["OPENBLAS_CORETYPE"] = nil
            environment["OPENBLAS_L2_SIZE"] = nil
        }
        let data = URL(fileURLWithPath: option("--data") ?? "../shared/data")
        let comparison = PipelineComparison(
            folder: data.appendingPathComponent("imm_face_db"),
            threads: (option("--threads") ?? "1,2").split(separator: ",").compactMap { Int($0) },
            limit: option("--limit").flatMap(Int.init) ?? 40, peers: !arguments.contains("--no-peers"),
            python: PythonSide(script: option("--script") ?? "Benchmarks/pipeline_peers.py", environment: environment),
            environment: environment)
        try comparison.run()
    case "compare":
        var environment = ProcessInfo.processInfo.environment
        if !arguments.contains("--keep-blas-env") {
            // The benchmark's own children only; tests and CI keep whatever they set.
            environment["OPENBLAS_CORETYPE"] = nil
            environment["OPENBLAS_L2_SIZE"] = nil
        }
        var rows = BenchmarkRow.all
        if arguments.contains("--quick") {
            rows = rows.filter { $0.threads == 2 && !($0.model == "resnet18" && $0.batch == 64) }
        }
        if let only = option("--model") { rows = rows.filter { $0.model == only } }
        let labels = option("--labels") ?? "../shared/data/300w_subset/labels.xml"
        let comparison = Comparison(
            rows: rows, seconds: option("--seconds").flatMap(Double.init) ?? 4,
            repeats: option("--repeat").flatMap(Int.init) ?? 1,
            json: arguments.contains("--json"),
            epochLabels: arguments.contains("--no-epoch") ? nil : URL(fileURLWithPath: labels),
            verify: !arguments.contains("--no-verify"),
            python: PythonSide(script: option("--script") ?? "Benchmarks/pytorch_bench.py", environment: environment),
            environment: environment)
        try comparison.run()
    default:
        FileHandle.standardError.write(usage.data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("keypoints-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
