// oneDNN's C API (Debian: libdnnl-dev, oneDNN 2.6; OpenMP runtime).
#include <dnnl.h>
