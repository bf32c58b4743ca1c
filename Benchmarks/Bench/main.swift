import Foundation
import Tensor

/// `swift run -c release keypoints-bench matmul [size]`: matrix-product GFLOP/s through
/// Tensor and raw cblas_sgemm with 1 and 2 threads.
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "matmul":
    let size = arguments.dropFirst().first.flatMap { Int($0) } ?? 1024
    print("OpenBLAS kernel: \(ComputeThreads.blasCoreName); OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")")
    print("matmul \(size)x\(size)x\(size), median of 15 runs")
    print("threads  Tensor.matmul GFLOP/s  cblas_sgemm GFLOP/s")
    for row in MatmulBenchmark(size: size, repetitions: 15).run(threads: [1, 2]) {
        print(String(format: "%7d  %21.1f  %19.1f", row.threads, row.tensorGflops, row.blasGflops))
    }
case "row":
    // keypoints-bench row MODEL BATCH THREADS train|infer
    let values = Array(arguments.dropFirst())
    let row = BenchmarkRow(model: values[0], batch: Int(values[1])!, threads: Int(values[2])!, mode: values[3])
    let result = try measureImagesPerSecond(row)
    print(String(format: "%@ batch %d threads %d %@: %.1f images/s (%d steps)", row.model, row.batch, row.threads, row.mode, result.imagesPerSecond, result.steps))
default:
    FileHandle.standardError.write("usage: keypoints-bench matmul [size]\n".data(using: .utf8)!)
    exit(2)
}
