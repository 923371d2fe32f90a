#ifndef LOUPE_CKERNELS_H
#define LOUPE_CKERNELS_H

// Compute kernels that need instruction sets Swift cannot enable per function (AVX2 + FMA).
// Each is chosen at run time: call only when loupe_cpu_has_avx2_fma() is true.

#ifdef __cplusplus
extern "C" {
#endif

/// Whether this CPU runs the AVX2 + FMA kernels below.
int loupe_cpu_has_avx2_fma(void);

/// Direct convolution over a zero-padded NHWC input, for output rows [row_begin, row_end) of
/// the flattened (image, output row) index n*OH + oy. Shapes:
///   xp [N, HP, WP, C]            input with its padding already in place (HP, WP include it)
///   wp [OC/16, KH, KW, C, 16]    the weight packed in blocks of 16 output channels
///   y  [N, OH, OW, OC]           overwritten
/// OC must be a multiple of 16. Every output is one sum in a fixed order (ky, kx, c), so the
/// result does not depend on how rows are split between threads.
/// When `add` is not NULL ([N, OH, OW, OC] like y), y = conv + add, where `mask` (same shape,
/// may be NULL) is > 0: a residual block's shortcut gradient through its ReLU, fused.
void loupe_conv_direct_avx2(const float *xp, int hp, int wp_, int c,
                            const float *wp, int kh, int kw, int oc, int stride,
                            float *y, int oh, int ow, int row_begin, int row_end,
                            const float *add, const float *mask);

/// Weight gradient of that convolution for output rows [row_begin, row_end), added into
/// dwp [OC/16, KH, KW, C, 16] (the packed order; the caller maps it back):
///   dwp[o/16][ky][kx][c][o%16] += sum over pixels of dy[n, oy, ox, o] * xp[n, oy*S+ky, ox*S+kx, c]
/// dy is [N, OH, OW, OC]. The sum runs over the rows in order, so one call per fixed row range
/// gives the same bits every time.
void loupe_conv_weight_grad_avx2(const float *xp, int hp, int wp_, int c,
                                 const float *dy, int kh, int kw, int oc, int stride,
                                 int oh, int ow, int row_begin, int row_end, float *dwp);

#ifdef __cplusplus
}
#endif

#endif
