#ifndef FACEKEYPOINTS_CKERNELS_H
#define FACEKEYPOINTS_CKERNELS_H

/// Whether this CPU runs the AVX-512 kernels of this target (asked once, at run time; always 0
/// off x86-64).
int fk_has_avx512(void);

#if defined(__x86_64__)

/// C = A B for a narrow B (1 <= n <= 64 columns): A is m x k, B k x n, C m x n, all row-major
/// with leading dimensions lda, ldb, ldc. Only on CPUs where fk_has_avx512() is true
/// (x86-64 only: elsewhere the library multiplies with BLAS).
///
/// BLAS packs A before multiplying, a copy about as costly as the product itself when each
/// value of A meets only a few columns of B (one image through ResNet18's last layers); this
/// kernel reads A once, straight into the multiply-adds, six rows at a time.
void fk_sgemm_narrow(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc);
#endif

/// How many parallel-loop chunks the calling thread is running now (0 outside any loop): a
/// matrix product inside a chunk runs whole on its thread. Kept per thread, so that what one
/// thread runs never changes how another splits its products.
int fk_parallel_chunk_depth(void);
/// Adds `delta` (+1 entering a chunk, -1 leaving it) to the calling thread's depth.
void fk_add_parallel_chunk_depth(int delta);

/// Tells the CPU the calling thread is spinning on a flag (`pause` on x86): it yields the
/// pipeline to the other hardware thread and saves power while the flag stays unchanged.
static inline void fk_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
