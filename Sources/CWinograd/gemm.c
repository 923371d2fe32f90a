// The 36 matrix products of a Winograd pass: a register-blocked kernel of 6 rows x 16 columns
// (12 AVX2 accumulators), the shape of BLIS's and OpenBLAS's Haswell sgemm kernels. No packing:
// the callers lay out their operands so the kernel reads them in order (see winograd.c).
#include "winograd_internal.h"

#define KERNEL(R) \
WINO_AVX2 static void kernel##R(int K, const float *A, long ar, long ak, const float *B, long ldb, \
                                float *C, long ldc, int acc) { \
    __m256 c0[R], c1[R]; \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) { \
        c0[r] = acc ? _mm256_loadu_ps(C + r * ldc) : _mm256_setzero_ps(); \
        c1[r] = acc ? _mm256_loadu_ps(C + r * ldc + 8) : _mm256_setzero_ps(); \
    } \
    for (int k = 0; k < K; k++) { \
        __m256 b0 = _mm256_loadu_ps(B + k * ldb), b1 = _mm256_loadu_ps(B + k * ldb + 8); \
        _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) { \
            __m256 a = _mm256_broadcast_ss(A + r * ar + k * ak); \
            c0[r] = _mm256_fmadd_ps(a, b0, c0[r]); \
            c1[r] = _mm256_fmadd_ps(a, b1, c1[r]); \
        } \
    } \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) { \
        _mm256_storeu_ps(C + r * ldc, c0[r]); \
        _mm256_storeu_ps(C + r * ldc + 8, c1[r]); \
    } \
}
KERNEL(1) KERNEL(2) KERNEL(3) KERNEL(4) KERNEL(5) KERNEL(6)

typedef void (*kernel_fn)(int, const float *, long, long, const float *, long, float *, long, int);
static const kernel_fn kernels[7] = { 0, kernel1, kernel2, kernel3, kernel4, kernel5, kernel6 };

void loupe_wino_gemm(int M, int N, int K, const float *A, long ar, long ak,
                     const float *B, long bpanel, long ldb, float *C, long ldc, int acc) {
    for (int j = 0; j < N; j += 16)
        for (int i = 0; i < M; i += 6) {
            int rows = M - i < 6 ? M - i : 6;
            kernels[rows](K, A + i * ar, ar, ak, B + (j / 16) * bpanel, ldb, C + (long)i * ldc + j, ldc, acc);
        }
}
