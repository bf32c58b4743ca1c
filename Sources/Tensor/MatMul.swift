import CBLAS
import CKernels

/// `C = alpha * op(A) * op(B) + beta * C` on row-major buffers through `cblas_sgemm`.
/// `A` is `[m, k]` (or `[k, m]` when `transposeA`), `B` is `[k, n]` (or `[n, k]`), `C` is `[m, n]`.
///
/// A product of more than about a million multiply-adds is split into blocks of rows (or of
/// columns, whichever `C` has more), one per ``ComputeThreads`` worker, each a single-threaded
/// `cblas_sgemm`; inside a chunk of a ``parallelFor(_:_:)`` loop it runs whole on the chunk's
/// thread. The split depends only on the shape and ``ComputeThreads/count``, never on what
/// other threads run, so a product gives the same bits alone or beside other tasks.
/// A plain product with a narrow `B` (`n <= 64`, as in batch-1 inference of deep layers) runs
/// on an AVX-512 kernel that reads `A` once instead of packing it, where the CPU has AVX-512
/// and ``CPUKernels`` allows it: 1.2-1.8x OpenBLAS's speed on ResNet18's 7x7 and 14x14 layers
/// for one image.
public func sgemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    beta: Float = 0, c: UnsafeMutablePointer<Float>
) {
    let lda = transposeA ? m : k, ldb = transposeB ? k : n
    let narrow =
        !transposeA && !transposeB && alpha == 1 && beta == 0 && n >= 1 && n <= 64 && m >= 16 && k >= 16
        && CPUKernels.avx512NarrowProduct
    func product(rows: Range<Int>, columns: Range<Int>) {
        let aBlock = a + rows.lowerBound * (transposeA ? 1 : lda)
        let bBlock = b + columns.lowerBound * (transposeB ? ldb : 1)
        #if arch(x86_64)
            if narrow {
                fk_sgemm_narrow(
                    Int32(rows.count), Int32(columns.count), Int32(k), aBlock, Int32(lda), bBlock, Int32(ldb),
                    c + rows.lowerBound * n + columns.lowerBound, Int32(n))
                return
            }
        #endif
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(rows.count), Int32(columns.count), Int32(k), alpha, aBlock, Int32(lda), bBlock, Int32(ldb),
            beta, c + rows.lowerBound * n + columns.lowerBound, Int32(n))
    }
    let workers = ComputeThreads.count
    let splitRows = m >= n, length = splitRows ? m : n
    guard workers > 1, !isInsideParallelChunk, m * n * k >= 1 << 20, length >= 32 * workers else {
        product(rows: 0..<m, columns: 0..<n)
        return
    }
    // Blocks of a multiple of 16 rows or columns, the kernels' tile width.
    let block = (length + workers * 16 - 1) / (workers * 16) * 16
    parallelFor((length + block - 1) / block) { part in
        let range = (part * block)..<Swift.min(length, (part + 1) * block)
        if splitRows { product(rows: range, columns: 0..<n) } else { product(rows: 0..<m, columns: range) }
    }
}

extension Tensor {
    /// Matrix product, as `torch.matmul` for operands of rank 2 or more: `[..., m, k] x
    /// [..., k, n] -> [..., m, n]`, with the leading (batch) dimensions broadcast.
    /// Shape: `broadcast(batchA, batchB) + [m, n]`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(
            rank >= 2 && other.rank >= 2, "matmul: expected operands of rank 2 or more, got \(shape) and \(other.shape)"
        )
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        precondition(other.shape[other.rank - 2] == k, "matmul: inner dimensions differ: \(shape) x \(other.shape)")
        let batchA = Array(shape.dropLast(2)), batchB = Array(other.shape.dropLast(2))
        let batch = broadcastShape(batchA, batchB, operation: "matmul")
        let a = batchA == batch ? self : self.detached().expanded(to: batch + [m, k])
        let b = batchB == batch ? other : other.detached().expanded(to: batch + [k, n])
        let batches = batch.reduce(1, *)
        let result = Tensor(uninitializedShape: batch + [m, n])
        for i in 0..<batches {
            sgemm(
                m: m, n: n, k: k, a: a.storage.pointer + i * m * k, b: b.storage.pointer + i * k * n,
                c: result.storage.pointer + i * m * n)
        }
        return Tensor.recording(result, inputs: [self, other]) { g in
            [
                self.node == nil ? nil : g.matmul(other.transposed()).sum(toShape: self.shape),
                other.node == nil ? nil : self.transposed().matmul(g).sum(toShape: other.shape)
            ]
        }
    }
}
