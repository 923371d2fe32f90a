// What the files of the Winograd target share (not part of its interface).
#ifndef LOUPE_WINOGRAD_INTERNAL_H
#define LOUPE_WINOGRAD_INTERNAL_H

// One instruction set's kernels (winograd_kernels.h, compiled by kernels_avx2.c and kernels_avx512.c).
struct loupe_wino_kernels {
    // Floats per vector: the products step 2 * width columns (one 16-column panel under 16 lanes
    // when the channel count is an odd number of sixteens).
    int width;
    // C[M][N] = (acc ? C : 0) + A (M x K) · B (K x N).
    // A(r, k) = A[r*ar + k*ak]; B(k, j) = B[(j/16)*bpanel + k*ldb + j%16]; C row stride ldc.
    void (*gemm)(int M, int N, int K, const float *A, long ar, long ak,
                 const float *B, long bpanel, long ldb, float *C, long ldc, int acc);
    // The 6x6 input tile whose top-left pixel is (y0, x0) of `img` (zeros outside), B^T d B,
    // into V[k*vs + c] for the 36 points k and the C channels.
    void (*input_tile)(const float *img, int H, int W, int C, int y0, int x0, float *V, long vs);
    // The 4x4 dy tile at (y0, x0) (zeros past the edge), A e A^T, into Y likewise.
    void (*gradient_tile)(const float *img, int H, int W, int C, int y0, int x0, float *Y, long ys);
    // The 4x4 output tile at (y0, x0) from the 36 points M[k*ms + c]: A^T m A (+ bias,
    // + residual, ReLU), the pixels inside the image only.
    void (*output_tile)(const float *M, long ms, int H, int W, int C, int y0, int x0,
                        const float *bias, const float *residual, int relu, float *out);
    // The forward's U for output channels [o0, o1) and the input gradient's for input channels [i0, i1).
    void (*forward_weights_range)(const float *w, int in, int out, const float *scale, int o0, int o1, float *U);
    void (*input_gradient_weights_range)(const float *w, int in, int out, int i0, int i1, float *U);
    // dw[o][i][3][3] += G^T dU G for input channels [i0, i1), all o; dU[k][i][o] in Double.
    void (*weight_gradient_inverse)(const double *dU, int in, int out, int i0, int i1, float *dw);
    // dU[r][j] (+)= C[r][j] (rows x cols, row stride cols), Double rows of stride ldu.
    void (*add_to_double)(const float *C, int rows, int cols, double *dU, long ldu, int acc);
};

extern const struct loupe_wino_kernels loupe_wino_avx2, loupe_wino_avx512;
#endif
