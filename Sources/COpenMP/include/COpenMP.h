#ifndef LOUPE_COPENMP_H
#define LOUPE_COPENMP_H
// Runs body(context, i) for i in [0, count) on OpenMP's thread pool (the one oneDNN uses), so
// that the engine's own loops and oneDNN's never hold two pools of busy threads at once.
void loupe_omp_for(int count, void *context, void (*body)(void *context, int index));
// Threads in OpenMP's pool.
int loupe_omp_threads(void);
// This thread's index in the pool while inside loupe_omp_for's body (0 outside).
int loupe_omp_thread(void);
#endif
