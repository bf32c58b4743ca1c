import CBLAS
import Dispatch
import Tensor

/// GFLOP/s of a square single-precision matrix product through `Tensor.matmul` and through
/// raw `cblas_sgemm` on the same buffers, for each thread count.
struct MatmulBenchmark {
    let size: Int
    let repetitions: Int

    struct Row {
        let threads: Int
        let tensorGflops: Double
        let blasGflops: Double
    }

    func run(threads: [Int]) -> [Row] {
        var generator = RandomGenerator(seed: 0)
        let a = Tensor.randomNormal([size, size], using: &generator)
        let b = Tensor.randomNormal([size, size], using: &generator)
        var c = Tensor.zeros([size, size])
        let flops = 2 * Double(size) * Double(size) * Double(size)
        return threads.map { count in
            ComputeThreads.set(count)
            _ = a.matmul(b)  // warm up
            let tensorSeconds = median((0..<repetitions).map { _ in time { _ = a.matmul(b) } })
            // Raw OpenBLAS with its own threads (the library keeps OpenBLAS on one thread and
            // splits products itself).
            openblas_set_num_threads(Int32(count))
            defer { openblas_set_num_threads(1) }
            let blasSeconds = median(
                (0..<repetitions).map { _ in
                    time {
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    cblas_sgemm(
                                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size),
                                        Int32(size), 1,
                                        pa.baseAddress, Int32(size), pb.baseAddress, Int32(size), 0, pc.baseAddress,
                                        Int32(size))
                                }
                            }
                        }
                    }
                })
            return Row(threads: count, tensorGflops: flops / tensorSeconds / 1e9, blasGflops: flops / blasSeconds / 1e9)
        }
    }
}

/// Wall-clock seconds of one call.
func time(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
