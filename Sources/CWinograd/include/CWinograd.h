#ifndef LOUPE_CWINOGRAD_H
#define LOUPE_CWINOGRAD_H
// Winograd F(4x4, 3x3) convolutions, 3x3 kernel, stride 1, padding 1, activations NHWC,
// weights in PyTorch's layout [out][in][3][3]; kernels for AVX2 + FMA and for AVX-512, chosen per
// call. Each 4x4 output tile is computed from a 6x6 input tile in the
// transformed domain: 36 products per tile and channel pair instead of 144 (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2016). The 36 products are 36 small
// matrix products over channels; the transforms and the products are winograd_kernels.h (written
// once over a vector type, compiled for each ISA); the passes, in chunks of tiles on OpenMP's
// pool, are winograd.c.
//
// Callers check loupe_wino_supported(isa) first; channel counts must be multiples of 16.
// Every output is summed in one fixed order for a given thread count: reruns give the same bits.
// The forward and the input gradient do not depend on the thread count either; the weight
// gradient of a batch split between threads by tile adds their partial sums in thread order.

// The kernels' instruction sets.
enum { LOUPE_WINO_AVX2 = 0, LOUPE_WINO_AVX512 = 1 };
// Whether this CPU runs the kernels of `isa` (AVX2 and FMA; AVX-512: F and VL besides).
int loupe_wino_supported(int isa);

// Floats of a transformed weight (36 * in * out).
long loupe_wino_weight_floats(int in, int out);
// The forward's transformed weight from w [out][in][3][3]; each output channel's weights times
// scale[o] when scale is not NULL (a BatchNorm folded in).
void loupe_wino_forward_weights(int isa, const float *w, int in, int out, const float *scale, float *U);
// The input gradient's transformed weight: the convolution from `out` channels back to `in`
// by the weight rotated 180 degrees.
void loupe_wino_input_gradient_weights(int isa, const float *w, int in, int out, float *U);

// How a pass shares its work between OpenMP's threads (winograd.c says why):
// LOUPE_WINO_CHUNKS, chunks of tiles, each thread a contiguous block of them (a forward over many
// tiles); LOUPE_WINO_BY_TILE, each thread its own contiguous share of the tiles;
// LOUPE_WINO_BY_POINT, the tiles' 36 products split between threads by point.
enum { LOUPE_WINO_CHUNKS = 0, LOUPE_WINO_BY_TILE = 1, LOUPE_WINO_BY_POINT = 2 };
int loupe_wino_forward_split(int n, int h, int w, int in, int out);
int loupe_wino_weight_gradient_split(int n, int h, int w, int in, int out);

// Floats of the work buffer loupe_wino_forward needs.
long loupe_wino_forward_work_floats(int in, int out);
// y [n][h][w][out] = conv(x [n][h][w][in]) by U, then + bias[o] (if not NULL), + residual (if not
// NULL, y's shape), then max(0, .) when relu.
void loupe_wino_forward(int isa, const float *x, int n, int h, int w, int in, const float *U, int out,
                        const float *bias, const float *residual, int relu, float *y, float *work);

// Floats of the work buffer loupe_wino_weight_gradient needs.
long loupe_wino_weight_gradient_work_floats(int n, int h, int w, int in, int out);
// dw [out][in][3][3] += the weight gradient from x [n][h][w][in] and dy [n][h][w][out].
void loupe_wino_weight_gradient(int isa, const float *x, const float *dy, int n, int h, int w, int in, int out,
                                float *dw, float *work);
#endif
