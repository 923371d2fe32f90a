// libgomp's own entry points (its stable ABI, what GCC's `#pragma omp parallel` compiles to):
// the Swift toolchain's clang would target LLVM's OpenMP runtime instead, which oneDNN does not use.
#include "COpenMP.h"

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_max_threads(void);
extern int omp_get_thread_num(void);

struct job { int count; void *context; void (*body)(void *, int); int next; };

static void worker(void *p) {
    struct job *j = p;
    for (;;) {
        int i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->count) return;
        j->body(j->context, i);
    }
}

void loupe_omp_for(int count, void *context, void (*body)(void *context, int index)) {
    struct job j = { count, context, body, 0 };
    unsigned threads = (unsigned)omp_get_max_threads();
    if (threads > (unsigned)count) threads = (unsigned)count;
    GOMP_parallel(worker, &j, threads, 0);
}

int loupe_omp_threads(void) { return omp_get_max_threads(); }

int loupe_omp_thread(void) { return omp_get_thread_num(); }
