import Foundation
import Tensor
import Testing

/// `sgemm` on the shapes that take its separate paths: narrow products (`n <= 64`, an AVX-512
/// kernel where the CPU has it), products split into row or column blocks over the workers,
/// and plain BLAS calls, against a double-precision reference.
@Suite struct MatrixProductTests {
    @Test(arguments: [
        (16, 1, 16), (19, 5, 37), (64, 16, 64), (512, 16, 512), (100, 7, 1000), (8, 16, 64), (40, 17, 50),
        (23, 33, 40), (512, 49, 300), (61, 64, 70), (16, 64, 2000), (16, 1000, 20), (64, 300, 128), (700, 65, 300)
    ])
    func matchesDoublePrecision(shape: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = shape
        var generator = RandomGenerator(seed: UInt64(m * 31 + n * 7 + k))
        let a = Tensor.randomNormal([m, k], using: &generator), b = Tensor.randomNormal([k, n], using: &generator)
        let (av, bv) = (a.scalars, b.scalars)
        var c = [Float](repeating: .nan, count: m * n)
        av.withUnsafeBufferPointer { ap in
            bv.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    sgemm(m: m, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0
                for p in 0..<k { exact += Double(av[i * k + p]) * Double(bv[p * n + j]) }
                worst = max(worst, abs(Double(c[i * n + j]) - exact) / Double(k).squareRoot())
            }
        }
        #expect(worst < 1e-5, "sgemm \(m)x\(n)x\(k): largest error \(worst) (scaled by sqrt(k))")
    }

    /// `FACEKEYPOINTS_KERNELS=portable` turns the AVX-512 path off; `auto` (or nothing) keeps it
    /// wherever the CPU has AVX-512F. CI runs this suite both ways.
    @Test func kernelSelectionFollowsTheEnvironment() throws {
        let value = ProcessInfo.processInfo.environment[CPUKernels.environmentVariable] ?? ""
        let cpuHasAVX512 = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8).contains(" avx512f")
        #expect(CPUKernels.selection == (value.isEmpty || value.lowercased() == "auto" ? .auto : .portable))
        #expect(CPUKernels.avx512NarrowProduct == (CPUKernels.selection == .auto && cpuHasAVX512))
        #expect(CPUKernels.activePaths == (CPUKernels.avx512NarrowProduct ? ["avx512-narrow-product"] : []))
    }
}
