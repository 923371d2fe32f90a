// The kernels of winograd_kernels.h for AVX-512: sixteen channels per vector.
#include "winograd_internal.h"
#define WIDTH 16
#define TARGET __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define NAME(f) loupe_wino_##f##_avx512
#include "winograd_kernels.h"

const struct loupe_wino_kernels loupe_wino_avx512 = {
    16, loupe_wino_gemm_avx512, loupe_wino_input_tile_avx512, loupe_wino_gradient_tile_avx512, loupe_wino_output_tile_avx512,
    loupe_wino_forward_weights_range_avx512, loupe_wino_input_gradient_weights_range_avx512, loupe_wino_weight_gradient_inverse_avx512, loupe_wino_add_to_double_avx512,
};
