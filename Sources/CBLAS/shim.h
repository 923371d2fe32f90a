// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, header under the multiarch include dir).
#include <cblas.h>
// Declared by OpenBLAS's cblas.h; repeated so a reference CBLAS header would still compile.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
