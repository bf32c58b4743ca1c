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
default:
    FileHandle.standardError.write("usage: keypoints-bench matmul [size]\n".data(using: .utf8)!)
    exit(2)
}
