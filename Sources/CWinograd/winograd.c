// The passes of a Winograd F(4x4, 3x3) convolution over a batch, on OpenMP's pool (COpenMP):
//
// forward (and the input gradient, a forward convolution of dy by the rotated weight): the
// batch's 4x4 output tiles in chunks of T. Per chunk, one thread transforms T input tiles into
// V[36][T][in], multiplies V[k] · U[k] into M[36][T][out] for the 36 points k, and transforms
// M back into T output tiles. A chunk's V and M (36·T·(in+out) floats) are sized to stay in
// the core's L2 cache; each thread owns one such pair in `work`, and takes one contiguous block
// of chunks (COpenMP's static schedule), so the rows it writes are those the next layer's
// loops give it. With no more tiles than threads × T (one image at inference), each thread
// takes its own share of the tiles the same way when they are many for the channels, and
// otherwise the threads share one chunk of all of them phase by phase (input tiles; the 36
// products split by point and 16-column panel of U, so U is read once; output tiles).
//
// weight gradient: dU[k] = Σ_tiles V[k]ᵀ · E[k], with E the transformed dy tiles (the adjoint of
// the forward), then dw += G^T dU G. dU is summed in Double (64 tiles at a time in Float) and
// transformed back in Double: its terms are tens of times dw, and a Float sum over a whole batch
// rounded ~5x a direct convolution's. Two ways to share it between threads, chosen by which
// moves less data between cores:
// - by tile (many tiles, few channels: ResNet-20's layers, r18s's first two stages): thread t
//   transforms and multiplies its own contiguous share of the batch's tiles, the images its
//   forward wrote, into its own dU_t; the dU_t are added in thread order as the row blocks are
//   transformed back. Only the dU_t (72·in·out bytes each) cross between cores.
// - by point (few tiles, many channels): chunks of tiles are transformed by all threads, then the
//   36 products are split between threads by point and row block, so the chunk's V and E
//   (36·T·(in+out) floats) are half read by the other core, but dU is held once.
// Either way each element is summed in one fixed order for a given thread count (by point, the
// same order whatever the count).
#include "CWinograd.h"
#include "winograd_internal.h"
#include "COpenMP.h"
#include <stdlib.h>
#include <string.h>

int loupe_wino_supported(int isa) {
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return isa == LOUPE_WINO_AVX512 ? avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") : avx2;
}

static const struct loupe_wino_kernels *kernels(int isa) { return isa == LOUPE_WINO_AVX512 ? &loupe_wino_avx512 : &loupe_wino_avx2; }

long loupe_wino_weight_floats(int in, int out) { return 36L * in * out; }

static int tiles_across(int size) { return (size + 3) / 4; }

// Tile g of a batch of h x w images, in image-major, row-major order: its image and the
// top-left pixel of its 4x4 output.
struct tile { int img, y0, x0; };
static struct tile tile_at(long g, int h, int w) {
    const int tw = tiles_across(w), per = tiles_across(h) * tw, r = (int)(g % per);
    return (struct tile){ (int)(g / per), 4 * (r / tw), 4 * (r % tw) };
}

// ---- weights (parallel over eight-channel blocks)

struct weights_job { const struct loupe_wino_kernels *k; const float *w; int in, out; const float *scale; float *U; };

static void forward_weights_body(void *p, int block) {
    struct weights_job *j = p;
    j->k->forward_weights_range(j->w, j->in, j->out, j->scale, block * 16, block * 16 + 16, j->U);
}

void loupe_wino_forward_weights(int isa, const float *w, int in, int out, const float *scale, float *U) {
    struct weights_job j = { kernels(isa), w, in, out, scale, U };
    loupe_omp_for(out / 16, &j, forward_weights_body);
}

static void input_gradient_weights_body(void *p, int block) {
    struct weights_job *j = p;
    j->k->input_gradient_weights_range(j->w, j->in, j->out, block * 16, block * 16 + 16, j->U);
}

void loupe_wino_input_gradient_weights(int isa, const float *w, int in, int out, float *U) {
    struct weights_job j = { kernels(isa), w, in, out, 0, U };
    loupe_omp_for(in / 16, &j, input_gradient_weights_body);
}

// ---- forward

// Tiles per chunk: V and M within ~2.4 MB, a multiple of the kernel's 6 rows, 12 to 240.
static int forward_chunk(int in, int out) {
    long t = 2400000L / (144L * (in + out));
    t -= t % 6;
    return t < 12 ? 12 : t > 240 ? 240 : (int)t;
}

long loupe_wino_forward_work_floats(int in, int out) {
    return (long)loupe_omp_threads() * 36L * forward_chunk(in, out) * (in + out);
}

struct forward_job {
    const struct loupe_wino_kernels *k;
    const float *x; int n, h, w, in; const float *U; int out;
    const float *bias, *residual; int relu; float *y, *work;
    int chunk; long tiles;
};

// Tile g's input transform into V[k*vs] and its output transform from M[k*ms] (+ bias,
// residual, ReLU) into y: what the chunked and the shared forward both do per tile.
static void forward_input(const struct forward_job *j, long g, float *V, long vs) {
    struct tile t = tile_at(g, j->h, j->w);
    j->k->input_tile(j->x + (long)t.img * j->h * j->w * j->in, j->h, j->w, j->in, t.y0 - 1, t.x0 - 1, V, vs);
}

static void forward_output(const struct forward_job *j, long g, const float *M, long ms) {
    struct tile t = tile_at(g, j->h, j->w);
    long image_out = (long)t.img * j->h * j->w * j->out;
    j->k->output_tile(M, ms, j->h, j->w, j->out, t.y0, t.x0, j->bias, j->residual ? j->residual + image_out : 0, j->relu,
                      j->y + image_out);
}

static void forward_body(void *p, int index) {
    const struct forward_job *j = p;
    const int T = j->chunk, in = j->in, out = j->out;
    float *V = j->work + (long)loupe_omp_thread() * 36L * T * (in + out), *M = V + 36L * T * in;
    long first = (long)index * T;
    if (first >= j->tiles) return;   // more threads than shares of a few tiles
    int count = j->tiles - first < T ? (int)(j->tiles - first) : T;
    for (int t = 0; t < count; t++) forward_input(j, first + t, V + (long)t * in, (long)T * in);
    for (int k = 0; k < 36; k++)
        j->k->gemm(count, out, in, V + (long)k * T * in, in, 1, j->U + (long)k * in * out, 16L * in, 16,
                   M + (long)k * T * out, out, 0);
    for (int t = 0; t < count; t++) forward_output(j, first + t, M + (long)t * out, (long)T * out);
}

// Few tiles for many channels (one image at inference, 256 channels at 14x14): all of them in
// one chunk, in three phases shared by the threads (input tiles; the 36 products split by
// 16-column panel of U; output tiles), so that U, four times the weight, is read once rather
// than once per thread.
static void wide_input_body(void *p, int t) {
    const struct forward_job *j = p;
    forward_input(j, t, j->work + (long)t * j->in, j->tiles * j->in);
}

static void wide_product_body(void *p, int item) {
    const struct forward_job *j = p;
    const int step = 2 * j->k->width, panels = (j->out + step - 1) / step, k = item / panels, first = (item % panels) * step;
    const float *V = j->work;
    float *M = j->work + 36L * j->tiles * j->in;
    j->k->gemm((int)j->tiles, j->out - first < step ? j->out - first : step, j->in, V + k * j->tiles * j->in, j->in, 1,
               j->U + (long)k * j->in * j->out + (long)(first / 16) * 16 * j->in, 16L * j->in, 16,
               M + k * j->tiles * j->out + first, j->out, 0);
}

static void wide_output_body(void *p, int t) {
    const struct forward_job *j = p;
    forward_output(j, t, j->work + 36L * j->tiles * j->in + (long)t * j->out, j->tiles * j->out);
}

// Whether the environment variable `name` is "point" (read once into *cache, -1 before): the
// switches that keep a pass split by point, for measurements.
static int forced_by_point(const char *name, int *cache) {
    int value = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (value < 0) {
        const char *s = getenv(name);
        value = s != NULL && strcmp(s, "point") == 0;
        __atomic_store_n(cache, value, __ATOMIC_RELAXED);
    }
    return value;
}

// LOUPE_WINO_WIDE=point keeps the phases split by point for every few-tile batch.
static int wide_forced(void) {
    static int cache = -1;
    return forced_by_point("LOUPE_WINO_WIDE", &cache);
}

static int forward_split(long tiles, int in, int out) {
    const int threads = loupe_omp_threads();
    // `work` holds threads × T tiles' V and M: enough for all of them when they fit there.
    if (tiles > (long)threads * forward_chunk(in, out)) return LOUPE_WINO_CHUNKS;
    // Many tiles for the channels (64 at 56x56 and 128 at 28x28, one image): each thread takes
    // its own tiles through all three steps, as in chunks, reading all of U (from its own caches
    // after the first call) rather than half of V and M written by the other core. One image,
    // 2 threads, ms per forward on one die / with the VM's vCPUs on two dies (core to core
    // 330 ns): 64 at 56x56 0.35-0.43 / 0.42-0.55 against 0.35-0.38 / 0.76-0.88 by point; 128 at
    // 28x28 0.32-0.45 against 0.34-0.63. 256 at 14x14 (9.4 MB of U) stays by point: 0.42-0.87
    // by tile against 0.40-0.68.
    if (threads > 1 && !wide_forced() && 2L * tiles * (in + out) >= (long)in * out) return LOUPE_WINO_BY_TILE;
    return LOUPE_WINO_BY_POINT;
}

int loupe_wino_forward_split(int n, int h, int w, int in, int out) {
    return forward_split((long)n * tiles_across(h) * tiles_across(w), in, out);
}

void loupe_wino_forward(int isa, const float *x, int n, int h, int w, int in, const float *U, int out,
                        const float *bias, const float *residual, int relu, float *y, float *work) {
    struct forward_job j = { kernels(isa), x, n, h, w, in, U, out, bias, residual, relu, y, work,
                             forward_chunk(in, out), (long)n * tiles_across(h) * tiles_across(w) };
    if (j.tiles == 0) return;
    const int threads = loupe_omp_threads();
    switch (forward_split(j.tiles, in, out)) {
    case LOUPE_WINO_BY_TILE:
        j.chunk = (int)((j.tiles + threads - 1) / threads);
        loupe_omp_for(threads, &j, forward_body);
        return;
    case LOUPE_WINO_BY_POINT:
        loupe_omp_for((int)j.tiles, &j, wide_input_body);
        loupe_omp_for(36 * ((out + 2 * j.k->width - 1) / (2 * j.k->width)), &j, wide_product_body);
        loupe_omp_for((int)j.tiles, &j, wide_output_body);
        return;
    default:
        loupe_omp_for((int)((j.tiles + j.chunk - 1) / j.chunk), &j, forward_body);
    }
}

// ---- weight gradient

// Tiles per chunk: V and E within ~4 MB, 16 to 1024 (8 MB measured no faster, and the buffer
// adds to training's peak memory).
enum { gradient_row_block = 96 };

static int gradient_chunk(int in, int out) {
    long t = 4000000L / (144L * (in + out));
    return t < 16 ? 16 : t > 1024 ? 1024 : (int)t;
}

// Tiles summed in Float before their sum joins dU's Double total. The transformed terms are tens
// of times the weight gradient, so one long Float sum over a batch's tiles (2048 at ResNet-20's
// 14x14, batch 128) rounded ~sqrt(2048) ε of a term, ~5x a direct convolution's error; 64 at a
// time brings it to the direct kernels' (against a Double reference, 32 channels at 14x14, 15
// images: 2.8e-6 of the gradient's scale, from 8.7e-6; oneDNN 1.8e-6) for ~10% more time
// (16 at a time: 1.8e-6, but ~40% more time).
enum { tiles_per_sum = 64 };

// Tiles per chunk of one thread's share when the tiles are split: V and E within ~1 MB, the L2
// of a Zen 4 core (ResNet-20's 32 channels at 14x14, batch 128, 2 threads: 1.08-1.19 ms against
// 1.42-1.82 with the shared chunk's ~4 MB per thread; by point 1.20-1.40).
static int local_chunk(int in, int out) {
    long t = 1000000L / (144L * (in + out));
    return t < 16 ? 16 : t > 256 ? 256 : (int)t;
}

// Threads that split the batch's tiles between them, or 1 when the 36 points are split instead:
// by tile when the V and E by point would move (half of 36·tiles·(in+out) floats) at least eight
// times what the partial sums do (36·in·out Doubles per thread). Measured with 2 threads on one
// die: ResNet-20's 64 channels at 7x7 and r18s's 64 at 32x32 the same either way; r18s's 128 at
// 16x16 (batch 64), on the margin with ResNet-20's 64 at 7x7, 9.3-11 ms by tile against 8.7-9.2
// by point, but 10.2-11.0 against 13.7-14.0 with the vCPUs on two dies; 256 at 8x8 stays by point.
// LOUPE_WINO_GRADIENT=point keeps the split by point everywhere (for measurements).
static int gradient_parts(long tiles, int in, int out) {
    static int cache = -1;
    int threads = loupe_omp_threads();
    return !forced_by_point("LOUPE_WINO_GRADIENT", &cache) && threads > 1 && tiles * (in + out) >= 16L * in * out ? threads : 1;
}

int loupe_wino_weight_gradient_split(int n, int h, int w, int in, int out) {
    return gradient_parts((long)n * tiles_across(h) * tiles_across(w), in, out) > 1 ? LOUPE_WINO_BY_TILE : LOUPE_WINO_BY_POINT;
}

long loupe_wino_weight_gradient_work_floats(int n, int h, int w, int in, int out) {
    long tiles = (long)n * tiles_across(h) * tiles_across(w), T = gradient_chunk(in, out);
    int parts = gradient_parts(tiles, in, out);
    if (parts > 1) {
        long share = (tiles + parts - 1) / parts;
        T = local_chunk(in, out);
        if (T > share) T = share;
        // Per thread: its dU in Double, its V and E, its Float block of products.
        return parts * (72L * in * out + 36L * T * (in + out) + gradient_row_block * out);
    }
    if (T > tiles) T = tiles;
    // dU in Double, V and E, and one Float block of products per thread.
    return 72L * in * out + 36L * T * (in + out) + (long)loupe_omp_threads() * gradient_row_block * out;
}

struct gradient_job {
    const struct loupe_wino_kernels *k;
    const float *x, *dy; int h, w, in, out;
    double *dU; float *V, *E, *block; float *dw;
    int chunk; long first; int count, accumulate;
    long block_stride;   // floats between threads' product blocks (0: the caller's own block)
};

enum { tiles_per_item = 8 };

static void gradient_transform_body(void *p, int item) {
    const struct gradient_job *j = p;
    const long T = j->chunk, image_in = (long)j->h * j->w * j->in, image_out = (long)j->h * j->w * j->out;
    for (int t = item * tiles_per_item; t < (item + 1) * tiles_per_item && t < j->count; t++) {
        struct tile at = tile_at(j->first + t, j->h, j->w);
        j->k->input_tile(j->x + at.img * image_in, j->h, j->w, j->in, at.y0 - 1, at.x0 - 1, j->V + t * (long)j->in, T * j->in);
        j->k->gradient_tile(j->dy + at.img * image_out, j->h, j->w, j->out, at.y0, at.x0, j->E + t * (long)j->out, T * j->out);
    }
}

// Point k, input channels [r0, r0 + rows): dU[k] rows += Σ over the chunk's tiles of V[k]ᵀ · E[k],
// tiles_per_sum tiles at a time in Float, each such sum added in Double.
static void gradient_product_body(void *p, int item) {
    const struct gradient_job *j = p;
    const int blocks = (j->in + gradient_row_block - 1) / gradient_row_block, k = item / blocks, r0 = (item % blocks) * gradient_row_block;
    const int rows = j->in - r0 < gradient_row_block ? j->in - r0 : gradient_row_block;
    const long T = j->chunk;
    float *block = j->block + loupe_omp_thread() * j->block_stride;
    double *dU = j->dU + (long)k * j->in * j->out + (long)r0 * j->out;
    for (int t0 = 0; t0 < j->count; t0 += tiles_per_sum) {
        int n = j->count - t0 < tiles_per_sum ? j->count - t0 : tiles_per_sum;
        j->k->gemm(rows, j->out, n, j->V + k * T * j->in + t0 * (long)j->in + r0, 1, j->in,
                   j->E + k * T * j->out + t0 * (long)j->out, 16, j->out, block, j->out, 0);
        j->k->add_to_double(block, rows, j->out, dU, j->out, j->accumulate || t0 > 0);
    }
}

static void gradient_inverse_body(void *p, int block) {
    const struct gradient_job *j = p;
    j->k->weight_gradient_inverse(j->dU, j->in, j->out, block * 8, block * 8 + 8, j->dw);
}

// By tile: part p's share of the tiles, chunk by chunk, into its own dU_p (the by-point loops on
// one thread).
struct local_gradient_job {
    const struct loupe_wino_kernels *k;
    const float *x, *dy; int h, w, in, out;
    float *work; long tiles, part_floats; int parts, chunk;
    float *dw;
};

static double *local_dU(const struct local_gradient_job *l, int p) { return (double *)(l->work + p * l->part_floats); }

static void local_gradient_body(void *q, int p) {
    const struct local_gradient_job *l = q;
    const long first_tile = l->tiles * p / l->parts, end = l->tiles * (p + 1) / l->parts;
    const int in = l->in, out = l->out, T = l->chunk;
    float *V = l->work + p * l->part_floats + 72L * in * out, *E = V + 36L * T * in, *block = E + 36L * T * out;
    struct gradient_job j = { l->k, l->x, l->dy, l->h, l->w, in, out, local_dU(l, p), V, E, block, l->dw, T, 0, 0, 0, 0 };
    const int items = 36 * ((in + gradient_row_block - 1) / gradient_row_block);
    for (long first = first_tile; first < end; first += T) {
        j.first = first;
        j.count = end - first < T ? (int)(end - first) : T;
        for (int i = 0; i < (j.count + tiles_per_item - 1) / tiles_per_item; i++) gradient_transform_body(&j, i);
        for (int i = 0; i < items; i++) gradient_product_body(&j, i);
        j.accumulate = 1;
    }
}

// Rows [8·block, 8·block + 8) of every point: dU_0 += dU_1 + ... in part order, then dw += their
// transform back. A part with no tiles (fewer tiles than threads) wrote nothing and adds nothing.
static void local_inverse_body(void *q, int block) {
    const struct local_gradient_job *l = q;
    double *dU = local_dU(l, 0);
    for (int p = 1; p < l->parts; p++) {
        if (l->tiles * (p + 1) / l->parts == l->tiles * p / l->parts) continue;
        const double *part = local_dU(l, p);
        for (int k = 0; k < 36; k++) {
            const long at = ((long)k * l->in + block * 8) * l->out;
            for (long i = 0; i < 8L * l->out; i++) dU[at + i] += part[at + i];
        }
    }
    l->k->weight_gradient_inverse(dU, l->in, l->out, block * 8, block * 8 + 8, l->dw);
}

void loupe_wino_weight_gradient(int isa, const float *x, const float *dy, int n, int h, int w, int in, int out,
                                float *dw, float *work) {
    long tiles = (long)n * tiles_across(h) * tiles_across(w);
    if (tiles == 0) return;   // an empty batch (a rank with no rows of a small batch) adds nothing
    const int parts = gradient_parts(tiles, in, out);
    if (parts > 1) {
        long share = (tiles + parts - 1) / parts, T = local_chunk(in, out);
        if (T > share) T = share;
        struct local_gradient_job l = { kernels(isa), x, dy, h, w, in, out, work, tiles,
                                        72L * in * out + 36L * T * (in + out) + gradient_row_block * out, parts, (int)T, dw };
        loupe_omp_for(parts, &l, local_gradient_body);
        loupe_omp_for(in / 8, &l, local_inverse_body);
        return;
    }
    int T = gradient_chunk(in, out);
    if (T > tiles) T = (int)tiles;
    double *dU = (double *)work;
    float *V = work + 72L * in * out, *E = V + 36L * T * in, *block = E + 36L * T * out;
    struct gradient_job j = { kernels(isa), x, dy, h, w, in, out, dU, V, E, block, dw, T, 0, 0, 0, (long)gradient_row_block * out };
    for (long first = 0; first < tiles; first += T) {
        j.first = first;
        j.count = tiles - first < T ? (int)(tiles - first) : T;
        loupe_omp_for((j.count + tiles_per_item - 1) / tiles_per_item, &j, gradient_transform_body);
        loupe_omp_for(36 * ((in + gradient_row_block - 1) / gradient_row_block), &j, gradient_product_body);
        j.accumulate = 1;
    }
    loupe_omp_for(in / 8, &j, gradient_inverse_body);
}
