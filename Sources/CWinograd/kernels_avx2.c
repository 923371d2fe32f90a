// The kernels of winograd_kernels.h for AVX2 + FMA: eight channels per vector.
#include "winograd_internal.h"
#define WIDTH 8
#define TARGET __attribute__((target("avx2,fma")))
#define NAME(f) loupe_wino_##f##_avx2
#include "winograd_kernels.h"

const struct loupe_wino_kernels loupe_wino_avx2 = {
    8, loupe_wino_gemm_avx2, loupe_wino_input_tile_avx2, loupe_wino_gradient_tile_avx2, loupe_wino_output_tile_avx2,
    loupe_wino_forward_weights_range_avx2, loupe_wino_input_gradient_weights_range_avx2, loupe_wino_weight_gradient_inverse_avx2, loupe_wino_add_to_double_avx2,
};
