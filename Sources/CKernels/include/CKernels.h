#ifndef FACEKEYPOINTS_CKERNELS_H
#define FACEKEYPOINTS_CKERNELS_H

/// Whether this CPU runs the AVX-512 kernels of this target (asked once, at run time).
int fk_has_avx512(void);

/// C[m x n] = A[m x k] B[k x n] for a narrow B (n <= 16): row-major, dense
/// (lda = k, ldb = ldc = n). Only on CPUs where fk_has_avx512() is true.
///
/// BLAS packs A before multiplying, a copy as costly as the product itself when each value
/// of A meets only a few columns of B (batch-1 inference in ResNet18's last layers); this
/// kernel reads A once, straight into the multiply-adds, eight rows at a time.
void fk_sgemm_narrow(int m, int n, int k, const float *a, const float *b, float *c);

#endif
