// The transforms of F(4x4, 3x3) (Lavin & Gray 2016), eight channels per AVX2 vector:
//   input   V = B^T d B    (6x6 from a 6x6 input tile)
//   weight  U = G g G^T    (6x6 from a 3x3 kernel)
//   output  y = A^T m A    (4x4 from 6x6 products)
//   dy      E = A e A^T    (6x6 from a 4x4 dy tile: the adjoint of the output transform)
//   dw     dg = G^T dU G   (3x3 from 6x6: the adjoint of the weight transform)
// with interpolation points 0, ±1, ±2 and infinity:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// Each 2-D transform is the 1-D one down the columns, then along the rows.
#include "winograd_internal.h"

#define INLINE static inline __attribute__((always_inline))

// ---- B^T d (one dimension)
INLINE WINO_AVX2 void input_1d(const __m256 d[6], __m256 t[6]) {
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), five = _mm256_set1_ps(5);
    t[0] = _mm256_fmadd_ps(four, d[0], _mm256_fnmadd_ps(five, d[2], d[4]));
    t[1] = _mm256_fnmadd_ps(four, _mm256_add_ps(d[1], d[2]), _mm256_add_ps(d[3], d[4]));
    t[2] = _mm256_fmadd_ps(four, _mm256_sub_ps(d[1], d[2]), _mm256_sub_ps(d[4], d[3]));
    t[3] = _mm256_fmadd_ps(two, _mm256_sub_ps(d[3], d[1]), _mm256_sub_ps(d[4], d[2]));
    t[4] = _mm256_fmadd_ps(two, _mm256_sub_ps(d[1], d[3]), _mm256_sub_ps(d[4], d[2]));
    t[5] = _mm256_fmadd_ps(four, d[1], _mm256_fnmadd_ps(five, d[3], d[5]));
}

// ---- A^T m (one dimension)
INLINE WINO_AVX2 void output_1d(const __m256 m[6], __m256 o[4]) {
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
    __m256 s12 = _mm256_add_ps(m[1], m[2]), d12 = _mm256_sub_ps(m[1], m[2]);
    __m256 s34 = _mm256_add_ps(m[3], m[4]), d34 = _mm256_sub_ps(m[3], m[4]);
    o[0] = _mm256_add_ps(_mm256_add_ps(m[0], s12), s34);
    o[1] = _mm256_fmadd_ps(two, d34, d12);
    o[2] = _mm256_fmadd_ps(four, s34, s12);
    o[3] = _mm256_add_ps(_mm256_fmadd_ps(eight, d34, d12), m[5]);
}

// ---- A e (one dimension)
INLINE WINO_AVX2 void gradient_1d(const __m256 e[4], __m256 o[6]) {
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
    __m256 s02 = _mm256_add_ps(e[0], e[2]), s13 = _mm256_add_ps(e[1], e[3]);
    __m256 p = _mm256_fmadd_ps(four, e[2], e[0]), q = _mm256_fmadd_ps(eight, e[3], _mm256_mul_ps(two, e[1]));
    o[0] = e[0]; o[1] = _mm256_add_ps(s02, s13); o[2] = _mm256_sub_ps(s02, s13);
    o[3] = _mm256_add_ps(p, q); o[4] = _mm256_sub_ps(p, q); o[5] = e[3];
}

// ---- G g (one dimension)
INLINE WINO_AVX2 void weight_1d(const __m256 g[3], __m256 u[6]) {
    const __m256 quarter = _mm256_set1_ps(1.f / 4), sixth = _mm256_set1_ps(1.f / 6);
    const __m256 twelfth = _mm256_set1_ps(1.f / 12), twentyfourth = _mm256_set1_ps(1.f / 24);
    __m256 s02 = _mm256_add_ps(g[0], g[2]);
    __m256 a = _mm256_fmadd_ps(twentyfourth, g[0], _mm256_mul_ps(sixth, g[2])), b = _mm256_mul_ps(twelfth, g[1]);
    u[0] = _mm256_mul_ps(quarter, g[0]);
    u[1] = _mm256_mul_ps(_mm256_set1_ps(-1.f / 6), _mm256_add_ps(s02, g[1]));
    u[2] = _mm256_mul_ps(_mm256_set1_ps(-1.f / 6), _mm256_sub_ps(s02, g[1]));
    u[3] = _mm256_add_ps(a, b); u[4] = _mm256_sub_ps(a, b); u[5] = g[2];
}

// ---- G^T v (one dimension)
INLINE WINO_AVX2 void weight_gradient_1d(const __m256 v[6], __m256 g[3]) {
    const __m256 quarter = _mm256_set1_ps(1.f / 4), sixth = _mm256_set1_ps(1.f / 6);
    const __m256 twelfth = _mm256_set1_ps(1.f / 12), twentyfourth = _mm256_set1_ps(1.f / 24);
    __m256 s12 = _mm256_add_ps(v[1], v[2]), d21 = _mm256_sub_ps(v[2], v[1]);
    __m256 s34 = _mm256_add_ps(v[3], v[4]), d34 = _mm256_sub_ps(v[3], v[4]);
    g[0] = _mm256_fmadd_ps(quarter, v[0], _mm256_fmadd_ps(twentyfourth, s34, _mm256_mul_ps(_mm256_set1_ps(-1.f / 6), s12)));
    g[1] = _mm256_fmadd_ps(sixth, d21, _mm256_mul_ps(twelfth, d34));
    g[2] = _mm256_add_ps(_mm256_mul_ps(sixth, _mm256_sub_ps(s34, s12)), v[5]);
}

WINO_AVX2 void loupe_wino_input_tile(const float *img, int H, int W, int C, int y0, int x0, float *V, long vs) {
    for (int c = 0; c < C; c += 8) {
        __m256 d[6][6], t[6][6], col[6], out[6];
        for (int a = 0; a < 6; a++) for (int b = 0; b < 6; b++) {
            int y = y0 + a, x = x0 + b;
            d[a][b] = (y >= 0 && y < H && x >= 0 && x < W) ? _mm256_loadu_ps(img + ((long)y * W + x) * C + c) : _mm256_setzero_ps();
        }
        for (int b = 0; b < 6; b++) {
            for (int a = 0; a < 6; a++) col[a] = d[a][b];
            input_1d(col, out);
            for (int a = 0; a < 6; a++) t[a][b] = out[a];
        }
        for (int a = 0; a < 6; a++) {
            input_1d(t[a], out);
            for (int b = 0; b < 6; b++) _mm256_storeu_ps(V + (a * 6 + b) * vs + c, out[b]);
        }
    }
}

WINO_AVX2 void loupe_wino_gradient_tile(const float *img, int H, int W, int C, int y0, int x0, float *Y, long ys) {
    for (int c = 0; c < C; c += 8) {
        __m256 e[4][4], t[6][4], col[4], out[6];
        for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) {
            int y = y0 + a, x = x0 + b;
            e[a][b] = (y < H && x < W) ? _mm256_loadu_ps(img + ((long)y * W + x) * C + c) : _mm256_setzero_ps();
        }
        for (int b = 0; b < 4; b++) {
            for (int a = 0; a < 4; a++) col[a] = e[a][b];
            gradient_1d(col, out);
            for (int a = 0; a < 6; a++) t[a][b] = out[a];
        }
        for (int a = 0; a < 6; a++) {
            gradient_1d(t[a], out);
            for (int b = 0; b < 6; b++) _mm256_storeu_ps(Y + (a * 6 + b) * ys + c, out[b]);
        }
    }
}

WINO_AVX2 void loupe_wino_output_tile(const float *M, long ms, int H, int W, int C, int y0, int x0,
                                      const float *bias, const float *residual, int relu, float *out) {
    const __m256 zero = _mm256_setzero_ps();
    for (int c = 0; c < C; c += 8) {
        __m256 m[6][6], t[4][6], col[6], o[4];
        for (int k = 0; k < 36; k++) m[k / 6][k % 6] = _mm256_loadu_ps(M + k * ms + c);
        for (int b = 0; b < 6; b++) {
            for (int a = 0; a < 6; a++) col[a] = m[a][b];
            output_1d(col, o);
            for (int a = 0; a < 4; a++) t[a][b] = o[a];
        }
        __m256 bv = bias ? _mm256_loadu_ps(bias + c) : zero;
        for (int a = 0; a < 4 && y0 + a < H; a++) {
            output_1d(t[a], o);
            for (int b = 0; b < 4 && x0 + b < W; b++) {
                long at = ((long)(y0 + a) * W + x0 + b) * C + c;
                __m256 v = _mm256_add_ps(o[b], bv);
                if (residual) v = _mm256_add_ps(v, _mm256_loadu_ps(residual + at));
                if (relu) v = _mm256_max_ps(v, zero);
                _mm256_storeu_ps(out + at, v);
            }
        }
    }
}

// U[k][o/16][i][o%16]: the forward's B operand, 16-column panels of o (see gemm.c). Eight
// output channels per vector: g for o..o+7 gathered from w[o][i][3][3].
WINO_AVX2 static void forward_weights_block(const float *w, int in, int out, const float *scale, int i, int o, float *U) {
    __m256 g[3][3], t[6][3], col[3], u6[6];
    __m256i stride = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(in * 9));
    const float *base = w + ((long)o * in + i) * 9;
    __m256 s = scale ? _mm256_loadu_ps(scale + o) : _mm256_set1_ps(1);
    for (int k = 0; k < 9; k++) g[k / 3][k % 3] = _mm256_mul_ps(s, _mm256_i32gather_ps(base + k, stride, 4));
    for (int b = 0; b < 3; b++) {
        for (int a = 0; a < 3; a++) col[a] = g[a][b];
        weight_1d(col, u6);
        for (int a = 0; a < 6; a++) t[a][b] = u6[a];
    }
    long panel = (long)(o / 16) * in * 16 + (long)i * 16 + o % 16, point = (long)in * out;
    for (int a = 0; a < 6; a++) {
        weight_1d(t[a], u6);
        for (int b = 0; b < 6; b++) _mm256_storeu_ps(U + (a * 6 + b) * point + panel, u6[b]);
    }
}

void loupe_wino_forward_weights_range(const float *w, int in, int out, const float *scale, int o0, int o1, float *U) {
    for (int o = o0; o < o1; o += 8)
        for (int i = 0; i < in; i++) forward_weights_block(w, in, out, scale, i, o, U);
}

// The input gradient's U[k][i/16][o][i%16] (a convolution from `out` channels to `in`), from
// w[o][i][2-a][2-b]: eight input channels per vector, gathered at stride 9.
WINO_AVX2 static void input_gradient_weights_block(const float *w, int in, int out, int i, int o, float *U) {
    __m256 g[3][3], t[6][3], col[3], u6[6];
    __m256i stride = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(9));
    const float *base = w + ((long)o * in + i) * 9;
    for (int k = 0; k < 9; k++) g[2 - k / 3][2 - k % 3] = _mm256_i32gather_ps(base + k, stride, 4);
    for (int b = 0; b < 3; b++) {
        for (int a = 0; a < 3; a++) col[a] = g[a][b];
        weight_1d(col, u6);
        for (int a = 0; a < 6; a++) t[a][b] = u6[a];
    }
    long panel = (long)(i / 16) * out * 16 + (long)o * 16 + i % 16, point = (long)in * out;
    for (int a = 0; a < 6; a++) {
        weight_1d(t[a], u6);
        for (int b = 0; b < 6; b++) _mm256_storeu_ps(U + (a * 6 + b) * point + panel, u6[b]);
    }
}

void loupe_wino_input_gradient_weights_range(const float *w, int in, int out, int i0, int i1, float *U) {
    for (int i = i0; i < i1; i += 8)
        for (int o = 0; o < out; o++) input_gradient_weights_block(w, in, out, i, o, U);
}

// dw[o][i] += G^T dU G for o..o+7 at one i; dU[k][i][o] holds eight o's per vector.
WINO_AVX2 static void weight_gradient_block(const float *dU, int in, int out, int i, int o, float *dw) {
    __m256 v[6][6], t[3][6], col[6], g3[3];
    long point = (long)in * out;
    for (int k = 0; k < 36; k++) v[k / 6][k % 6] = _mm256_loadu_ps(dU + k * point + (long)i * out + o);
    for (int b = 0; b < 6; b++) {
        for (int a = 0; a < 6; a++) col[a] = v[a][b];
        weight_gradient_1d(col, g3);
        for (int a = 0; a < 3; a++) t[a][b] = g3[a];
    }
    float r[9][8];
    for (int a = 0; a < 3; a++) {
        weight_gradient_1d(t[a], g3);
        for (int b = 0; b < 3; b++) _mm256_storeu_ps(r[a * 3 + b], g3[b]);
    }
    for (int lane = 0; lane < 8; lane++) {
        float *d = dw + ((long)(o + lane) * in + i) * 9;
        for (int k = 0; k < 9; k++) d[k] += r[k][lane];
    }
}

void loupe_wino_weight_gradient_inverse(const float *dU, int in, int out, int i0, int i1, float *dw) {
    for (int i = i0; i < i1; i++)
        for (int o = 0; o < out; o += 8) weight_gradient_block(dU, in, out, i, o, dw);
}
