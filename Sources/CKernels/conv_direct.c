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

// R output pixels of one output row, 16 channels starting at the block `wblock`.
#define TARGET __attribute__((target("avx2,fma")))

static inline __attribute__((always_inline)) TARGET
void block_r(const float *xrow0, int pixel_step, int row_step, int kh, int run,
             const float *wblock, float *out, int oc, int r_count) {
    __m256 acc[6][2];
    for (int r = 0; r < r_count; r++) { acc[r][0] = _mm256_setzero_ps(); acc[r][1] = _mm256_setzero_ps(); }
    for (int ky = 0; ky < kh; ky++) {
        const float *x = xrow0 + ky * row_step;
        const float *w = wblock + ky * run * 16;
        for (int j = 0; j < run; j++) {
            __m256 w0 = _mm256_loadu_ps(w + j * 16), w1 = _mm256_loadu_ps(w + j * 16 + 8);
            for (int r = 0; r < r_count; r++) {
                __m256 b = _mm256_broadcast_ss(x + r * pixel_step + j);
                acc[r][0] = _mm256_fmadd_ps(b, w0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(b, w1, acc[r][1]);
            }
        }
    }
    for (int r = 0; r < r_count; r++) {
        _mm256_storeu_ps(out + r * oc, acc[r][0]);
        _mm256_storeu_ps(out + r * oc + 8, acc[r][1]);
    }
}

TARGET
void loupe_conv_direct_avx2(const float *xp, int hp, int wp_, int c,
                            const float *wp, int kh, int kw, int oc, int stride,
                            float *y, int oh, int ow, int row_begin, int row_end) {
    const int run = kw * c;                 // contiguous inputs per kernel row
    const int pixel_step = stride * c;      // from one output pixel's window to the next
    const int row_step = wp_ * c;           // one padded input row
    const long block_size = (long)kh * run * 16;
    for (int row = row_begin; row < row_end; row++) {
        const int n = row / oh, oy = row % oh;
        const float *xrow = xp + ((long)n * hp + (long)oy * stride) * row_step;
        float *yrow = y + (long)row * ow * oc;
        for (int ob = 0; ob < oc / 16; ob++) {
            const float *wblock = wp + ob * block_size;
            int ox = 0;
            for (; ox + 6 <= ow; ox += 6)
                block_r(xrow + ox * pixel_step, pixel_step, row_step, kh, run, wblock, yrow + ox * oc + ob * 16, oc, 6);
            switch (ow - ox) {
            case 5: block_r(xrow + ox * pixel_step, pixel_step, row_step, kh, run, wblock, yrow + ox * oc + ob * 16, oc, 5); break;
            case 4: block_r(xrow + ox * pixel_step, pixel_step, row_step, kh, run, wblock, yrow + ox * oc + ob * 16, oc, 4); break;
            case 3: block_r(xrow + ox * pixel_step, pixel_step, row_step, kh, run, wblock, yrow + ox * oc + ob * 16, oc, 3); break;
            case 2: block_r(xrow + ox * pixel_step, pixel_step, row_step, kh, run, wblock, yrow + ox * oc + ob * 16, oc, 2); break;
            case 1: block_r(xrow + ox * pixel_step, pixel_step, row_step, kh, run, wblock, yrow + ox * oc + ob * 16, oc, 1); break;
            default: break;
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
