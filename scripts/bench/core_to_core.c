// Cache-line round trip between CPU 0 and CPU 1, in ns: two threads pinned one to each, passing
// a counter back and forth 200,000 times. On one die ~55 ns; a VM whose two vCPUs the host has
// placed on different dies measures ~330 ns, and every two-thread program that shares data
// between its threads slows down in such a spell (BENCHMARKS.md, "Core to core"). The bench
// script prints it with each round so that a round can be read against the machine's state.
// A busy process on either CPU raises it too (600-680 ns with `yes > /dev/null` beside it): it
// reads "two dies" only when nothing else runs.
//   cc -O2 -pthread scripts/bench/core_to_core.c -o /tmp/core_to_core && /tmp/core_to_core
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static _Atomic long flag __attribute__((aligned(64)));
static const long trips = 200000;

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *answer(void *unused) {
    (void)unused;
    pin(1);
    for (long i = 0; i < trips; i++) {
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1) {}
        atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

int main(void) {
    pin(0);
    pthread_t other;
    pthread_create(&other, NULL, answer, NULL);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < trips; i++) {
        atomic_store_explicit(&flag, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 2) {}
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(other, NULL);
    printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / trips);
    return 0;
}
