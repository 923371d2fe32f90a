// libgomp's own entry points (its stable ABI, what GCC's `#pragma omp parallel` compiles to):
// the Swift toolchain's clang would target LLVM's OpenMP runtime instead, which oneDNN does not use.
#include "COpenMP.h"
#include <stdlib.h>
#include <string.h>

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_max_threads(void);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);

// One thread's block of indices, on a cache line of its own: `next` is taken by its owner and,
// once they have finished their own blocks, by the other threads.
struct block { int next; int end; char pad[56]; } __attribute__((aligned(64)));

struct job { int count; void *context; void (*body)(void *, int); int next; int blocks; struct block *block; };

// Thread t of n takes the t-th contiguous block of indices: the engine's consecutive loops over
// the same rows (a convolution's tiles, then BatchNorm's rows, then ReLU's) find their data in
// the cache of the core that wrote it. Handing indices out one at a time (`dynamic`) moved half
// of every tensor between cores, and when the cores sit on different dies (a VM's vCPUs placed
// there; cache-line round trips of ~330 ns instead of ~55) that cost a third of the throughput.
// A thread that finishes its block takes what is left of the others' (from their next index),
// so a core slowed by something else on the host (a busy neighbour: a VM's vCPU runs at 75-80%
// of its speed for minutes at a time) does not hold the other at every loop's end.
static void stealing_worker(void *p) {
    struct job *j = p;
    const int t = omp_get_thread_num();
    for (int k = 0; k < j->blocks; k++) {
        struct block *b = &j->block[(t + k) % j->blocks];
        for (;;) {
            int i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
            if (i >= b->end) break;
            j->body(j->context, i);
        }
    }
}

// Each thread its block and nothing else (LOUPE_SCHEDULE=static, for measurements).
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

enum schedule { stealing, fixed, dynamic };

static enum schedule chosen_schedule(void) {
    static int chosen = -1;
    int value = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (value < 0) {
        const char *s = getenv("LOUPE_SCHEDULE");
        value = s == NULL ? stealing : strcmp(s, "dynamic") == 0 ? dynamic : strcmp(s, "static") == 0 ? fixed : stealing;
        __atomic_store_n(&chosen, value, __ATOMIC_RELAXED);
    }
    return (enum schedule)value;
}

void loupe_omp_for(int count, void *context, void (*body)(void *context, int index)) {
    if (count <= 0) return;
    int threads = omp_get_max_threads();
    if (threads > count) threads = count;
    if (threads < 1) threads = 1;
    struct block blocks[threads];
    for (int t = 0; t < threads; t++) {
        __atomic_store_n(&blocks[t].next, (int)((long)count * t / threads), __ATOMIC_RELAXED);
        blocks[t].end = (int)((long)count * (t + 1) / threads);
    }
    struct job j = { count, context, body, 0, threads, blocks };
    enum schedule s = chosen_schedule();
    GOMP_parallel(s == dynamic ? dynamic_worker : s == fixed ? static_worker : stealing_worker, &j, (unsigned)threads, 0);
}

int loupe_omp_threads(void) { return omp_get_max_threads(); }

int loupe_omp_thread(void) { return omp_get_thread_num(); }
