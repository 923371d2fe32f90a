// The per-ISA kernels of F(4x4, 3x3), written once over a vector of WIDTH floats (Clang's
// vector extensions) and compiled twice: kernels_avx2.c (8 lanes) and kernels_avx512.c (16 lanes)
// define WIDTH, TARGET and NAME, then include this file.
//
// Transforms (Lavin & Gray 2016), interpolation points 0, ±1, ±2 and infinity:
//   input   V = B^T d B    (6x6 from a 6x6 input tile)
//   weight  U = G g G^T    (6x6 from a 3x3 kernel)
//   output  y = A^T m A    (4x4 from 6x6 products)
//   dy      E = A e A^T    (6x6 from a 4x4 dy tile: the adjoint of the output transform)
//   dw     dg = G^T dU G   (3x3 from 6x6: the adjoint of the weight transform)
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// Each 2-D transform is the 1-D one down the columns, then along the rows; WIDTH channels at once.
//
// The matrix products: a register-blocked kernel of 6 rows x 2 vectors (12 accumulators), the
// shape of BLIS's and OpenBLAS's Haswell sgemm kernels, without packing (the callers lay out
// their operands so the kernel reads them in order; see winograd.c).

typedef float vec __attribute__((vector_size(WIDTH * 4)));
typedef float unaligned_vec __attribute__((vector_size(WIDTH * 4), aligned(4)));
// WIDTH / 2 doubles (the same register width).
#define DWIDTH (WIDTH / 2)
typedef double dvec __attribute__((vector_size(WIDTH * 4)));
typedef double unaligned_dvec __attribute__((vector_size(WIDTH * 4), aligned(8)));
typedef float unaligned_half_vec __attribute__((vector_size(DWIDTH * 4), aligned(4)));
#define INLINE static inline __attribute__((always_inline)) TARGET
#define LOAD(p) (*(const unaligned_vec *)(p))
#define STORE(p, v) (*(unaligned_vec *)(p) = (v))
#define SPLAT(s) splat(s)

// Every lane s (a broadcast; `(vec){0} + s` would cost an add, since 0 + -0 is +0).
INLINE vec splat(float s) {
    vec v;
    for (int l = 0; l < WIDTH; l++) v[l] = s;
    return v;
}

// ---- B^T d, A^T m, A e, G g, G^T v (one dimension)

INLINE void input_1d(const vec d[6], vec t[6]) {
    t[0] = 4 * d[0] - 5 * d[2] + d[4];
    t[1] = (d[3] + d[4]) - 4 * (d[1] + d[2]);
    t[2] = 4 * (d[1] - d[2]) + (d[4] - d[3]);
    t[3] = 2 * (d[3] - d[1]) + (d[4] - d[2]);
    t[4] = 2 * (d[1] - d[3]) + (d[4] - d[2]);
    t[5] = 4 * d[1] - 5 * d[3] + d[5];
}

INLINE void output_1d(const vec m[6], vec o[4]) {
    vec s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
    o[0] = m[0] + s12 + s34;
    o[1] = 2 * d34 + d12;
    o[2] = 4 * s34 + s12;
    o[3] = 8 * d34 + d12 + m[5];
}

INLINE void gradient_1d(const vec e[4], vec o[6]) {
    vec s02 = e[0] + e[2], s13 = e[1] + e[3], p = 4 * e[2] + e[0], q = 8 * e[3] + 2 * e[1];
    o[0] = e[0]; o[1] = s02 + s13; o[2] = s02 - s13; o[3] = p + q; o[4] = p - q; o[5] = e[3];
}

INLINE void weight_1d(const vec g[3], vec u[6]) {
    vec s02 = g[0] + g[2], a = (1.f / 24) * g[0] + (1.f / 6) * g[2], b = (1.f / 12) * g[1];
    u[0] = (1.f / 4) * g[0];
    u[1] = (-1.f / 6) * (s02 + g[1]);
    u[2] = (-1.f / 6) * (s02 - g[1]);
    u[3] = a + b; u[4] = a - b; u[5] = g[2];
}

// In Double: the weight gradient's inverse transform reads the Double sums of dU.
INLINE void weight_gradient_1d(const dvec v[6], dvec g[3]) {
    dvec s12 = v[1] + v[2], d21 = v[2] - v[1], s34 = v[3] + v[4], d34 = v[3] - v[4];
    g[0] = (1. / 4) * v[0] + (1. / 24) * s34 - (1. / 6) * s12;
    g[1] = (1. / 6) * d21 + (1. / 12) * d34;
    g[2] = (1. / 6) * (s34 - s12) + v[5];
}

// dst[a][b] for every column b of `cols`: the 1-D transform f of column b of src (rows_in values
// in, rows_out out), of element type T: the first half of every 2-D transform below.
#define DOWN_COLUMNS(T, f, src, rows_in, cols, dst, rows_out) \
    for (int b_ = 0; b_ < (cols); b_++) { \
        T col_[rows_in], out_[rows_out]; \
        for (int a_ = 0; a_ < (rows_in); a_++) col_[a_] = (src)[a_][b_]; \
        f(col_, out_); \
        for (int a_ = 0; a_ < (rows_out); a_++) (dst)[a_][b_] = out_[a_]; \
    }

// ---- tiles

TARGET void NAME(input_tile)(const float *img, int H, int W, int C, int y0, int x0, float *V, long vs) {
    for (int c = 0; c < C; c += WIDTH) {
        vec d[6][6], t[6][6], out[6];
        for (int a = 0; a < 6; a++) for (int b = 0; b < 6; b++) {
            int y = y0 + a, x = x0 + b;
            d[a][b] = (y >= 0 && y < H && x >= 0 && x < W) ? LOAD(img + ((long)y * W + x) * C + c) : SPLAT(0);
        }
        DOWN_COLUMNS(vec, input_1d, d, 6, 6, t, 6)
        for (int a = 0; a < 6; a++) {
            input_1d(t[a], out);
            for (int b = 0; b < 6; b++) STORE(V + (a * 6 + b) * vs + c, out[b]);
        }
    }
}

TARGET void NAME(gradient_tile)(const float *img, int H, int W, int C, int y0, int x0, float *Y, long ys) {
    for (int c = 0; c < C; c += WIDTH) {
        vec e[4][4], t[6][4], out[6];
        for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) {
            int y = y0 + a, x = x0 + b;
            e[a][b] = (y < H && x < W) ? LOAD(img + ((long)y * W + x) * C + c) : SPLAT(0);
        }
        DOWN_COLUMNS(vec, gradient_1d, e, 4, 4, t, 6)
        for (int a = 0; a < 6; a++) {
            gradient_1d(t[a], out);
            for (int b = 0; b < 6; b++) STORE(Y + (a * 6 + b) * ys + c, out[b]);
        }
    }
}

TARGET void NAME(output_tile)(const float *M, long ms, int H, int W, int C, int y0, int x0,
                              const float *bias, const float *residual, int relu, float *out) {
    for (int c = 0; c < C; c += WIDTH) {
        vec m[6][6], t[4][6], o[4];
        for (int k = 0; k < 36; k++) m[k / 6][k % 6] = LOAD(M + k * ms + c);
        DOWN_COLUMNS(vec, output_1d, m, 6, 6, t, 4)
        vec bv = bias ? LOAD(bias + c) : SPLAT(0);
        for (int a = 0; a < 4 && y0 + a < H; a++) {
            output_1d(t[a], o);
            for (int b = 0; b < 4 && x0 + b < W; b++) {
                long at = ((long)(y0 + a) * W + x0 + b) * C + c;
                vec v = o[b] + bv;
                if (residual) v += LOAD(residual + at);
                if (relu) v = __builtin_elementwise_max(v, SPLAT(0));
                STORE(out + at, v);
            }
        }
    }
}

// ---- weights

// G g G^T of WIDTH 3x3 kernels, lanes[k][l] the k-th tap of kernel l, stored at U[k*point]
// for the 36 points k.
INLINE void weight_tile(float lanes[9][WIDTH], float *U, long point) {
    vec g[3][3], t[6][3], u6[6];
    for (int k = 0; k < 9; k++) g[k / 3][k % 3] = LOAD(lanes[k]);
    DOWN_COLUMNS(vec, weight_1d, g, 3, 3, t, 6)
    for (int a = 0; a < 6; a++) {
        weight_1d(t[a], u6);
        for (int b = 0; b < 6; b++) STORE(U + (a * 6 + b) * point, u6[b]);
    }
}

// The forward's U[k][o/16][i][o%16] for output channels [o0, o1) (multiples of WIDTH), each
// output channel's weights times scale[o] when scale is not NULL.
TARGET void NAME(forward_weights_range)(const float *w, int in, int out, const float *scale, int o0, int o1, float *U) {
    long point = (long)in * out;
    for (int o = o0; o < o1; o += WIDTH)
        for (int i = 0; i < in; i++) {
            float lanes[9][WIDTH];
            for (int l = 0; l < WIDTH; l++)
                for (int k = 0; k < 9; k++) lanes[k][l] = w[((long)(o + l) * in + i) * 9 + k] * (scale ? scale[o + l] : 1.f);
            weight_tile(lanes, U + (long)(o / 16) * in * 16 + (long)i * 16 + o % 16, point);
        }
}

// The input gradient's U[k][i/16][o][i%16] (a convolution from `out` channels to `in` by the
// weight rotated 180 degrees) for input channels [i0, i1), multiples of WIDTH.
TARGET void NAME(input_gradient_weights_range)(const float *w, int in, int out, int i0, int i1, float *U) {
    long point = (long)in * out;
    for (int i = i0; i < i1; i += WIDTH)
        for (int o = 0; o < out; o++) {
            float lanes[9][WIDTH];
            for (int l = 0; l < WIDTH; l++)
                for (int k = 0; k < 9; k++) lanes[8 - k][l] = w[((long)o * in + i + l) * 9 + k];
            weight_tile(lanes, U + (long)(i / 16) * out * 16 + (long)o * 16 + i % 16, point);
        }
}

// dw[o][i][3][3] += G^T dU G for input channels [i0, i1), all o; dU[k][i][o] in Double, the
// transform in Double, each dw rounded once.
TARGET void NAME(weight_gradient_inverse)(const double *dU, int in, int out, int i0, int i1, float *dw) {
    long point = (long)in * out;
    for (int i = i0; i < i1; i++)
        for (int o = 0; o < out; o += DWIDTH) {
            dvec v[6][6], t[3][6], g3[3];
            for (int k = 0; k < 36; k++) v[k / 6][k % 6] = *(const unaligned_dvec *)(dU + k * point + (long)i * out + o);
            DOWN_COLUMNS(dvec, weight_gradient_1d, v, 6, 6, t, 3)
            double r[9][DWIDTH];
            for (int a = 0; a < 3; a++) {
                weight_gradient_1d(t[a], g3);
                for (int b = 0; b < 3; b++) *(unaligned_dvec *)r[a * 3 + b] = g3[b];
            }
            for (int l = 0; l < DWIDTH; l++) {
                float *d = dw + ((long)(o + l) * in + i) * 9;
                for (int k = 0; k < 9; k++) d[k] = (float)((double)d[k] + r[k][l]);
            }
        }
}

// dU[r][j] (+)= C[r][j] for `rows` rows of `cols` (a multiple of DWIDTH), Double from Float.
TARGET void NAME(add_to_double)(const float *C, int rows, int cols, double *dU, long ldu, int acc) {
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j += DWIDTH) {
            dvec c = __builtin_convertvector(*(const unaligned_half_vec *)(C + (long)r * cols + j), dvec);
            unaligned_dvec *u = (unaligned_dvec *)(dU + r * ldu + j);
            *u = acc ? *u + c : c;
        }
}

// ---- products

// C[R][2·WIDTH] (+)= A(R x K) · B(K x 2·WIDTH); A(r, k) = A[r*ar + k*ak]; B's first vector of
// row k at B + k*ldb, its second `second` floats further.
#define KERNEL(R) \
TARGET static void NAME(kernel##R)(int K, const float *A, long ar, long ak, const float *B, long ldb, long second, \
                                   float *C, long ldc, int acc) { \
    vec c0[R], c1[R]; \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) { \
        c0[r] = acc ? LOAD(C + r * ldc) : SPLAT(0); \
        c1[r] = acc ? LOAD(C + r * ldc + WIDTH) : SPLAT(0); \
    } \
    for (int k = 0; k < K; k++) { \
        vec b0 = LOAD(B + k * ldb), b1 = LOAD(B + k * ldb + second); \
        _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) { \
            vec a = SPLAT(A[r * ar + k * ak]); \
            c0[r] += a * b0; \
            c1[r] += a * b1; \
        } \
    } \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) { \
        STORE(C + r * ldc, c0[r]); \
        STORE(C + r * ldc + WIDTH, c1[r]); \
    } \
}
KERNEL(1) KERNEL(2) KERNEL(3) KERNEL(4) KERNEL(5) KERNEL(6)
#undef KERNEL

// C[R][WIDTH] (+)= A(R x K) · B(K x WIDTH): the last 16 columns under 16 lanes when N is an odd
// number of 16-column panels (16, 48, ... channels).
#define KERNEL(R) \
TARGET static void NAME(single##R)(int K, const float *A, long ar, long ak, const float *B, long ldb, long second, \
                                   float *C, long ldc, int acc) { \
    (void)second; \
    vec c0[R]; \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) c0[r] = acc ? LOAD(C + r * ldc) : SPLAT(0); \
    for (int k = 0; k < K; k++) { \
        vec b0 = LOAD(B + k * ldb); \
        _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) c0[r] += SPLAT(A[r * ar + k * ak]) * b0; \
    } \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) STORE(C + r * ldc, c0[r]); \
}
KERNEL(1) KERNEL(2) KERNEL(3) KERNEL(4) KERNEL(5) KERNEL(6)
#undef KERNEL

// C[M][N] = (acc ? C : 0) + A (M x K) · B (K x N), N a multiple of 16 (of 2·WIDTH but for a last
// single vector under 16 lanes).
// A(r, k) = A[r*ar + k*ak]; B(k, j) = B[(j/16)*bpanel + k*ldb + j%16]; C row stride ldc.
TARGET void NAME(gemm)(int M, int N, int K, const float *A, long ar, long ak,
                       const float *B, long bpanel, long ldb, float *C, long ldc, int acc) {
    typedef void (*kernel_fn)(int, const float *, long, long, const float *, long, long, float *, long, int);
    static const kernel_fn pairs[7] = { 0, NAME(kernel1), NAME(kernel2), NAME(kernel3), NAME(kernel4), NAME(kernel5), NAME(kernel6) };
    static const kernel_fn singles[7] = { 0, NAME(single1), NAME(single2), NAME(single3), NAME(single4), NAME(single5), NAME(single6) };
    // The columns j..j+2·WIDTH: one 16-column panel (8 lanes: its two halves) or two (16 lanes).
    long second = WIDTH == 8 ? 8 : bpanel;
    for (int j = 0; j < N; j += 2 * WIDTH) {
        const kernel_fn *kernels = N - j < 2 * WIDTH ? singles : pairs;
        for (int i = 0; i < M; i += 6) {
            int rows = M - i < 6 ? M - i : 6;
            kernels[rows](K, A + i * ar, ar, ak, B + (j / 16) * bpanel, ldb, second, C + (long)i * ldc + j, ldc, acc);
        }
    }
}

#undef DOWN_COLUMNS
#undef DWIDTH
#undef INLINE
#undef LOAD
#undef STORE
#undef SPLAT
