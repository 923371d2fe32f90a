// The passes of a Winograd F(4x4, 3x3) convolution over a batch, on OpenMP's pool (COpenMP):
//
// forward (and the input gradient, a forward convolution of dy by the rotated weight): the
// batch's 4x4 output tiles in chunks of T. Per chunk, one thread transforms T input tiles into
// V[36][T][in], multiplies V[k] · U[k] into M[36][T][out] for the 36 points k, and transforms
// M back into T output tiles. A chunk's V and M (36·T·(in+out) floats) are sized to stay in
// the core's L2 cache; each thread owns one such pair in `work`. With no more tiles than
// threads × T, one chunk of all of them is shared by the threads phase by phase instead.
//
// weight gradient: dU[k] = Σ_tiles V[k]ᵀ · E[k], with E the transformed dy tiles (the adjoint of
// the forward), then dw += G^T dU G. Chunks of tiles are transformed by all threads, then the 36
// products are split between threads by point and row block, so every element of dU is summed
// by one thread in tile order: the result does not depend on the thread count. dU is summed in
// Double (64 tiles at a time in Float) and transformed back in Double: its terms are tens of
// times dw, and a Float sum over a whole batch rounded ~5x a direct convolution's.
#include "CWinograd.h"
#include "winograd_internal.h"
#include "COpenMP.h"

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
    int count = j->tiles - first < T ? (int)(j->tiles - first) : T;
    for (int t = 0; t < count; t++) forward_input(j, first + t, V + (long)t * in, (long)T * in);
    for (int k = 0; k < 36; k++)
        j->k->gemm(count, out, in, V + (long)k * T * in, in, 1, j->U + (long)k * in * out, 16L * in, 16,
                   M + (long)k * T * out, out, 0);
    for (int t = 0; t < count; t++) forward_output(j, first + t, M + (long)t * out, (long)T * out);
}

// Few tiles (one image at inference): all of them in one chunk, in three phases shared by the
// threads (input tiles; the 36 products split by 16-column panel of U; output tiles), so that
// U, four times the weight, is read once rather than once per thread.
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

void loupe_wino_forward(int isa, const float *x, int n, int h, int w, int in, const float *U, int out,
                        const float *bias, const float *residual, int relu, float *y, float *work) {
    struct forward_job j = { kernels(isa), x, n, h, w, in, U, out, bias, residual, relu, y, work,
                             forward_chunk(in, out), (long)n * tiles_across(h) * tiles_across(w) };
    if (j.tiles == 0) return;
    // `work` holds threads × T tiles' V and M: enough for all of them when they fit there.
    if (j.tiles <= (long)loupe_omp_threads() * j.chunk) {
        loupe_omp_for((int)j.tiles, &j, wide_input_body);
        loupe_omp_for(36 * ((out + 2 * j.k->width - 1) / (2 * j.k->width)), &j, wide_product_body);
        loupe_omp_for((int)j.tiles, &j, wide_output_body);
        return;
    }
    loupe_omp_for((int)((j.tiles + j.chunk - 1) / j.chunk), &j, forward_body);
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

long loupe_wino_weight_gradient_work_floats(int n, int h, int w, int in, int out) {
    long tiles = (long)n * tiles_across(h) * tiles_across(w), T = gradient_chunk(in, out);
    if (T > tiles) T = tiles;
    // dU in Double, V and E, and one Float block of products per thread.
    return 72L * in * out + 36L * T * (in + out) + (long)loupe_omp_threads() * gradient_row_block * out;
}

struct gradient_job {
    const struct loupe_wino_kernels *k;
    const float *x, *dy; int h, w, in, out;
    double *dU; float *V, *E, *block; float *dw;
    int chunk; long first; int count, accumulate;
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
    float *block = j->block + (long)loupe_omp_thread() * gradient_row_block * j->out;
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

void loupe_wino_weight_gradient(int isa, const float *x, const float *dy, int n, int h, int w, int in, int out,
                                float *dw, float *work) {
    long tiles = (long)n * tiles_across(h) * tiles_across(w);
    if (tiles == 0) return;   // an empty batch (a rank with no rows of a small batch) adds nothing
    int T = gradient_chunk(in, out);
    if (T > tiles) T = (int)tiles;
    double *dU = (double *)work;
    float *V = work + 72L * in * out, *E = V + 36L * T * in, *block = E + 36L * T * out;
    struct gradient_job j = { kernels(isa), x, dy, h, w, in, out, dU, V, E, block, dw, T, 0, 0, 0 };
    for (long first = 0; first < tiles; first += T) {
        j.first = first;
        j.count = tiles - first < T ? (int)(tiles - first) : T;
        loupe_omp_for((j.count + tiles_per_item - 1) / tiles_per_item, &j, gradient_transform_body);
        loupe_omp_for(36 * ((in + gradient_row_block - 1) / gradient_row_block), &j, gradient_product_body);
        j.accumulate = 1;
    }
    loupe_omp_for(in / 8, &j, gradient_inverse_body);
}
