// libgomp's own entry points (its stable ABI, what GCC's `#pragma omp parallel` compiles to):
// the Swift toolchain's clang would target LLVM's OpenMP runtime instead, which oneDNN does not use.
#include "COpenMP.h"
#include <stdlib.h>
#include <string.h>

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_max_threads(void);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);

struct job { int count; void *context; void (*body)(void *, int); int next; };

// Thread t of n takes the t-th contiguous block of indices: the engine's consecutive loops over
// the same rows (a convolution's tiles, then BatchNorm's rows, then ReLU's) find their data in
// the cache of the core that wrote it. Handing indices out one at a time (`dynamic`) moved half
// of every tensor between cores, and when the cores sit on different dies (a VM's vCPUs placed
// there; cache-line round trips of ~330 ns instead of ~55) that cost a third of the throughput.
static void static_worker(void *p) {
    struct job *j = p;
    int t = omp_get_thread_num(), n = omp_get_num_threads();
    int first = (int)((long)j->count * t / n), last = (int)((long)j->count * (t + 1) / n);
    for (int i = first; i < last; i++) j->body(j->context, i);
}

// Indices one at a time from a shared counter (LOUPE_SCHEDULE=dynamic, for measurements).
static void dynamic_worker(void *p) {
    struct job *j = p;
    for (;;) {
        int i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->count) return;
        j->body(j->context, i);
    }
}

static int dynamic_schedule(void) {
    static int chosen = -1;
    int value = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (value < 0) {
        const char *s = getenv("LOUPE_SCHEDULE");
        value = s != NULL && strcmp(s, "dynamic") == 0;
        __atomic_store_n(&chosen, value, __ATOMIC_RELAXED);
    }
    return value;
}

void loupe_omp_for(int count, void *context, void (*body)(void *context, int index)) {
    struct job j = { count, context, body, 0 };
    unsigned threads = (unsigned)omp_get_max_threads();
    if (threads > (unsigned)count) threads = (unsigned)count;
    GOMP_parallel(dynamic_schedule() ? dynamic_worker : static_worker, &j, threads, 0);
}

int loupe_omp_threads(void) { return omp_get_max_threads(); }

int loupe_omp_thread(void) { return omp_get_thread_num(); }
