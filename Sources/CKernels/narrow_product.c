#include "CKernels.h"
#include <immintrin.h>
#include <stddef.h>

int fk_has_avx512(void) {
    static int answer = -1;
    if (answer < 0) {
        __builtin_cpu_init();
        answer = __builtin_cpu_supports("avx512f") ? 1 : 0;
    }
    return answer;
}

__attribute__((target("avx512f")))
void fk_sgemm_narrow(int m, int n, int k, const float *a, const float *b, float *c) {
    // One 16-lane register holds a row of B or C; lanes past n are masked off.
    const __mmask16 lanes = (__mmask16)((1u << n) - 1u);
    const size_t K = (size_t)k, N = (size_t)n;
    int row = 0;
    for (; row + 8 <= m; row += 8) {
        const float *a0 = a + (size_t)row * K;
        __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (size_t i = 0; i < K; i++) {
            const __m512 bi = _mm512_maskz_loadu_ps(lanes, b + i * N);
            c0 = _mm512_fmadd_ps(_mm512_set1_ps(a0[i]), bi, c0);
            c1 = _mm512_fmadd_ps(_mm512_set1_ps(a0[K + i]), bi, c1);
            c2 = _mm512_fmadd_ps(_mm512_set1_ps(a0[2 * K + i]), bi, c2);
            c3 = _mm512_fmadd_ps(_mm512_set1_ps(a0[3 * K + i]), bi, c3);
            c4 = _mm512_fmadd_ps(_mm512_set1_ps(a0[4 * K + i]), bi, c4);
            c5 = _mm512_fmadd_ps(_mm512_set1_ps(a0[5 * K + i]), bi, c5);
            c6 = _mm512_fmadd_ps(_mm512_set1_ps(a0[6 * K + i]), bi, c6);
            c7 = _mm512_fmadd_ps(_mm512_set1_ps(a0[7 * K + i]), bi, c7);
        }
        float *out = c + (size_t)row * N;
        _mm512_mask_storeu_ps(out, lanes, c0);
        _mm512_mask_storeu_ps(out + N, lanes, c1);
        _mm512_mask_storeu_ps(out + 2 * N, lanes, c2);
        _mm512_mask_storeu_ps(out + 3 * N, lanes, c3);
        _mm512_mask_storeu_ps(out + 4 * N, lanes, c4);
        _mm512_mask_storeu_ps(out + 5 * N, lanes, c5);
        _mm512_mask_storeu_ps(out + 6 * N, lanes, c6);
        _mm512_mask_storeu_ps(out + 7 * N, lanes, c7);
    }
    for (; row < m; row++) {
        const float *ar = a + (size_t)row * K;
        __m512 acc = _mm512_setzero_ps();
        for (size_t i = 0; i < K; i++) acc = _mm512_fmadd_ps(_mm512_set1_ps(ar[i]), _mm512_maskz_loadu_ps(lanes, b + i * N), acc);
        _mm512_mask_storeu_ps(c + (size_t)row * N, lanes, acc);
    }
}
