// Direct convolution: y[n, oy, ox, o] = sum over (ky, kx, c) of
//   xp[n, oy*S + ky, ox*S + kx, c] * W[o, c, ky, kx]
// on an NHWC input padded beforehand, so no bounds are checked in the loops. For a fixed ky the
// KW*C inputs a pixel reads are one contiguous run of the padded row, and the packed weight
// [OC/16][KH][KW][C][16] is read in the same order: the inner loop is a stream of broadcasts and
// fused multiply-adds into R pixels x 16 channels held in registers (no column matrix, no packing).
#include "CKernels.h"
#include <immintrin.h>

int loupe_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define TARGET __attribute__((target("avx2,fma")))

// R output pixels (anywhere in the batch: `x[r]` is the top-left input of pixel r's window),
// 16 channels of the weight block `wblock`; `out[r]` receives pixel r's 16 outputs.
static inline __attribute__((always_inline)) TARGET
void block_r(const float *const *x, int row_step, int kh, int run, const float *wblock,
             float *const *out, const long *at, const float *add, const float *mask, int r_count) {
    __m256 acc[6][2];
    for (int r = 0; r < r_count; r++) { acc[r][0] = _mm256_setzero_ps(); acc[r][1] = _mm256_setzero_ps(); }
    for (int ky = 0; ky < kh; ky++) {
        const float *w = wblock + ky * run * 16;
        const long off = (long)ky * row_step;
        for (int j = 0; j < run; j++) {
            __m256 w0 = _mm256_loadu_ps(w + j * 16), w1 = _mm256_loadu_ps(w + j * 16 + 8);
            for (int r = 0; r < r_count; r++) {
                __m256 b = _mm256_broadcast_ss(x[r] + off + j);
                acc[r][0] = _mm256_fmadd_ps(b, w0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(b, w1, acc[r][1]);
            }
        }
    }
    if (add) {
        // The fused residual gradient: out += add where mask > 0 (everywhere without a mask).
        for (int r = 0; r < r_count; r++) {
            __m256 a0 = _mm256_loadu_ps(add + at[r]), a1 = _mm256_loadu_ps(add + at[r] + 8);
            if (mask) {
                const __m256 zero = _mm256_setzero_ps();
                a0 = _mm256_and_ps(a0, _mm256_cmp_ps(_mm256_loadu_ps(mask + at[r]), zero, _CMP_GT_OQ));
                a1 = _mm256_and_ps(a1, _mm256_cmp_ps(_mm256_loadu_ps(mask + at[r] + 8), zero, _CMP_GT_OQ));
            }
            acc[r][0] = _mm256_add_ps(acc[r][0], a0);
            acc[r][1] = _mm256_add_ps(acc[r][1], a1);
        }
    }
    for (int r = 0; r < r_count; r++) {
        _mm256_storeu_ps(out[r], acc[r][0]);
        _mm256_storeu_ps(out[r] + 8, acc[r][1]);
    }
}

// Pixels are taken six at a time in the flattened order (row, ox) across output rows, so a
// narrow output (7 or 14 pixels wide) does not leave a short block at the end of every row.
TARGET
void loupe_conv_direct_avx2(const float *xp, int hp, int wp_, int c,
                            const float *wp, int kh, int kw, int oc, int stride,
                            float *y, int oh, int ow, int row_begin, int row_end,
                            const float *add, const float *mask) {
    const int run = kw * c;                 // contiguous inputs per kernel row
    const int row_step = wp_ * c;           // one padded input row
    const long block_size = (long)kh * run * 16;
    const long first = (long)row_begin * ow, last = (long)row_end * ow;
    // A tile of 48 pixels visits every block of output channels while its inputs are in cache.
    for (long t = first; t < last; t += 48) {
        const long t_end = t + 48 < last ? t + 48 : last;
        // Where each pixel's window starts, computed once per tile (divisions are not free).
        const float *window[48];
        {
            int row = (int)(t / ow), ox = (int)(t % ow);
            int n = row / oh, oy = row % oh;
            for (long q = t; q < t_end; q++) {
                window[q - t] = xp + ((long)n * hp + (long)oy * stride) * row_step + (long)ox * stride * c;
                if (++ox == ow) { ox = 0; if (++oy == oh) { oy = 0; n++; } }
            }
        }
        for (int ob = 0; ob < oc / 16; ob++) {
            const float *wblock = wp + ob * block_size;
            for (long p = t; p < t_end; p += 6) {
                const int count = t_end - p < 6 ? (int)(t_end - p) : 6;
                const float *const *x = window + (p - t);
                float *out[6];
                long at[6];
                for (int r = 0; r < count; r++) { at[r] = (p + r) * oc + ob * 16; out[r] = y + at[r]; }
                switch (count) {
                case 6: block_r(x, row_step, kh, run, wblock, out, at, add, mask, 6); break;
                case 5: block_r(x, row_step, kh, run, wblock, out, at, add, mask, 5); break;
                case 4: block_r(x, row_step, kh, run, wblock, out, at, add, mask, 4); break;
                case 3: block_r(x, row_step, kh, run, wblock, out, at, add, mask, 3); break;
                case 2: block_r(x, row_step, kh, run, wblock, out, at, add, mask, 2); break;
                default: block_r(x, row_step, kh, run, wblock, out, at, add, mask, 1); break;
                }
            }
        }
    }
}

// Weight gradient of the same convolution, accumulated into the packed layout:
//   dwp[o/16][ky][kx][c][o%16] += sum over pixels (n, oy, ox) of dy[n, oy, ox, o] * xp[n, oy*S+ky, ox*S+kx, c]
// Registers hold R consecutive (kx, c) entries of one kernel row x 16 output channels; the
// pixels of a tile of output rows stream past them (a row of dy and R adjacent inputs each).
static inline __attribute__((always_inline)) TARGET
void weight_block_r(const float *xp, int hp, int wp_, int c, const float *dy, int oc, int stride,
                    int oh, int ow, int row_begin, int row_end, int ky, int j0, float *dst, int r_count) {
    __m256 acc[6][2];
    for (int r = 0; r < r_count; r++) { acc[r][0] = _mm256_loadu_ps(dst + r * 16); acc[r][1] = _mm256_loadu_ps(dst + r * 16 + 8); }
    const int row_step = wp_ * c, pixel_step = stride * c;
    for (int row = row_begin; row < row_end; row++) {
        const int n = row / oh, oy = row % oh;
        const float *x = xp + ((long)n * hp + (long)oy * stride + ky) * row_step + j0;
        const float *g = dy + (long)row * ow * oc;
        for (int ox = 0; ox < ow; ox++) {
            __m256 g0 = _mm256_loadu_ps(g + ox * oc), g1 = _mm256_loadu_ps(g + ox * oc + 8);
            const float *xr = x + ox * pixel_step;
            for (int r = 0; r < r_count; r++) {
                __m256 b = _mm256_broadcast_ss(xr + r);
                acc[r][0] = _mm256_fmadd_ps(b, g0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(b, g1, acc[r][1]);
            }
        }
    }
    for (int r = 0; r < r_count; r++) { _mm256_storeu_ps(dst + r * 16, acc[r][0]); _mm256_storeu_ps(dst + r * 16 + 8, acc[r][1]); }
}

TARGET
void loupe_conv_weight_grad_avx2(const float *xp, int hp, int wp_, int c,
                                 const float *dy, int kh, int kw, int oc, int stride,
                                 int oh, int ow, int row_begin, int row_end, float *dwp) {
    const int run = kw * c;
    const int tile = ow >= 16 ? 2 : (ow >= 8 ? 4 : 8);   // output rows whose data stays in L1
    for (int t0 = row_begin; t0 < row_end; t0 += tile) {
        const int t1 = t0 + tile < row_end ? t0 + tile : row_end;
        for (int ob = 0; ob < oc / 16; ob++) {
            const float *g = dy + ob * 16;
            for (int ky = 0; ky < kh; ky++) {
                float *dst = dwp + ((long)ob * kh + ky) * run * 16;
                int j0 = 0;
                for (; j0 + 6 <= run; j0 += 6)
                    weight_block_r(xp, hp, wp_, c, g, oc, stride, oh, ow, t0, t1, ky, j0, dst + j0 * 16, 6);
                switch (run - j0) {
                case 5: weight_block_r(xp, hp, wp_, c, g, oc, stride, oh, ow, t0, t1, ky, j0, dst + j0 * 16, 5); break;
                case 4: weight_block_r(xp, hp, wp_, c, g, oc, stride, oh, ow, t0, t1, ky, j0, dst + j0 * 16, 4); break;
                case 3: weight_block_r(xp, hp, wp_, c, g, oc, stride, oh, ow, t0, t1, ky, j0, dst + j0 * 16, 3); break;
                case 2: weight_block_r(xp, hp, wp_, c, g, oc, stride, oh, ow, t0, t1, ky, j0, dst + j0 * 16, 2); break;
                case 1: weight_block_r(xp, hp, wp_, c, g, oc, stride, oh, ow, t0, t1, ky, j0, dst + j0 * 16, 1); break;
                default: break;
                }
            }
        }
    }
}
