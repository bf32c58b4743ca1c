#include "CKernels.h"

// The kernels below are x86-64 code (AVX-512 intrinsics, chosen at run time). On any other
// architecture this file only answers that they are absent, and the library multiplies with
// OpenBLAS, the portable path that `FACEKEYPOINTS_KERNELS=portable` also selects on x86.
#if !defined(__x86_64__)

int fk_has_avx512(void) { return 0; }

#else

#include <immintrin.h>
#include <stdatomic.h>
#include <stddef.h>

int fk_has_avx512(void) {
    static _Atomic int answer = -1;  // asked from several threads; every one gets the same answer
    int known = atomic_load_explicit(&answer, memory_order_relaxed);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") ? 1 : 0;
        atomic_store_explicit(&answer, known, memory_order_relaxed);
    }
    return known;
}

#define FK_KERNEL static inline __attribute__((always_inline, target("avx512f")))

/// Rows `0..<R` of C, as `chunks` 16-lane column chunks (the last one masked by `last`), summed
/// over all of k. R and chunks are constants at every call, so the accumulators live in registers.
FK_KERNEL void narrow_block(const int R, const int chunks, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                            float *c, size_t ldc, __mmask16 last) {
    __m512 acc[6][4];
    for (int r = 0; r < R; r++)
        for (int j = 0; j < chunks; j++) acc[r][j] = _mm512_setzero_ps();
    for (size_t i = 0; i < k; i++) {
        __m512 bi[4];
        for (int j = 0; j < chunks; j++)
            bi[j] = _mm512_maskz_loadu_ps(j == chunks - 1 ? last : (__mmask16)0xFFFF, b + i * ldb + 16 * j);
        for (int r = 0; r < R; r++) {
            const __m512 ar = _mm512_set1_ps(a[r * lda + i]);
            for (int j = 0; j < chunks; j++) acc[r][j] = _mm512_fmadd_ps(ar, bi[j], acc[r][j]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int j = 0; j < chunks; j++)
            _mm512_mask_storeu_ps(c + r * ldc + 16 * j, j == chunks - 1 ? last : (__mmask16)0xFFFF, acc[r][j]);
}

/// All m rows with `chunks` column chunks: six rows at a time (up to 24 accumulators), then one.
FK_KERNEL void narrow_rows(const int chunks, int m, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                           float *c, size_t ldc, __mmask16 last) {
    int row = 0;
    for (; row + 6 <= m; row += 6) narrow_block(6, chunks, k, a + row * lda, lda, b, ldb, c + row * ldc, ldc, last);
    for (; row < m; row++) narrow_block(1, chunks, k, a + row * lda, lda, b, ldb, c + row * ldc, ldc, last);
}

__attribute__((target("avx512f")))
void fk_sgemm_narrow(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    const __mmask16 last = (__mmask16)(0xFFFFu >> ((16 - n % 16) % 16));
    const size_t K = (size_t)k, LDA = (size_t)lda, LDB = (size_t)ldb, LDC = (size_t)ldc;
    switch ((n + 15) / 16) {
    case 1: narrow_rows(1, m, K, a, LDA, b, LDB, c, LDC, last); break;
    case 2: narrow_rows(2, m, K, a, LDA, b, LDB, c, LDC, last); break;
    case 3: narrow_rows(3, m, K, a, LDA, b, LDB, c, LDC, last); break;
    default: narrow_rows(4, m, K, a, LDA, b, LDB, c, LDC, last); break;
    }
}

#endif
