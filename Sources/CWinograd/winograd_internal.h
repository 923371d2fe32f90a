// What the three files of the Winograd target share (not part of its interface).
#ifndef LOUPE_WINOGRAD_INTERNAL_H
#define LOUPE_WINOGRAD_INTERNAL_H
#include <immintrin.h>

#define WINO_AVX2 __attribute__((target("avx2,fma")))

// C[M][N] = (acc ? C : 0) + A (M x K) · B (K x N), N a multiple of 16.
// A(r, k) = A[r*ar + k*ak]; B(k, j) = B[(j/16)*bpanel + k*ldb + j%16]; C row stride ldc.
void loupe_wino_gemm(int M, int N, int K, const float *A, long ar, long ak,
                     const float *B, long bpanel, long ldb, float *C, long ldc, int acc);

// The 6x6 input tile whose top-left pixel is (y0, x0) of image `img` (zeros outside), B^T d B,
// into V[k*vs + c] for the 36 points k, channels c < C (a multiple of 8).
void loupe_wino_input_tile(const float *img, int H, int W, int C, int y0, int x0, float *V, long vs);
// The 4x4 dy tile whose top-left pixel is (y0, x0) (zeros past the edge), A e A^T, into Y likewise.
void loupe_wino_gradient_tile(const float *img, int H, int W, int C, int y0, int x0, float *Y, long ys);
// The 4x4 output tile at (y0, x0) from the 36 points M[k*ms + c]: A^T m A (+ bias, + residual,
// ReLU), the pixels inside the image only.
void loupe_wino_output_tile(const float *M, long ms, int H, int W, int C, int y0, int x0,
                            const float *bias, const float *residual, int relu, float *out);
// The forward's U (see CWinograd.h) for output channels [o0, o1), multiples of 8.
void loupe_wino_forward_weights_range(const float *w, int in, int out, const float *scale, int o0, int o1, float *U);
// The input gradient's U for input channels [i0, i1), multiples of 8.
void loupe_wino_input_gradient_weights_range(const float *w, int in, int out, int i0, int i1, float *U);
// dw[o][i][3][3] += G^T dU G for i in [i0, i1), all o; dU[k][i][o].
void loupe_wino_weight_gradient_inverse(const float *dU, int in, int out, int i0, int i1, float *dw);
#endif
