#ifndef LOUPE_CMPI_H
#define LOUPE_CMPI_H
// Loupe's whole use of MPI, as plain C functions over ints and pointers (no MPI types), so that
// Swift sees none of Open MPI's macros. Every function is called from the main thread only.
//
// Two communicators, both duplicates of MPI_COMM_WORLD: one for the training collectives, one
// for failure notices and the end-of-statement agreement, so that the two never match each
// other's messages. Waiting in a collective polls for failure notices: rank 0 reports a notice
// from another rank and ends the job (MPI_Abort), so a rank that failed mid-collective never
// leaves the others waiting.

// Whether the process was started by mpirun / a PMIx launcher (environment only; MPI untouched).
int loupe_mpi_launched(void);
// MPI_Init_thread (funneled) and the two communicators. 0 on success. Rank 0 also learns the
// process ids of the ranks on its host and installs a SIGTERM handler: when mpirun ends the job
// because a rank died, rank 0 writes "loupe: rank N stopped …; the job ends" for each of those
// that has ended (read from /proc) before it exits; while waiting in a collective it looks every
// half second as well (for launchers that do not end the job themselves).
int loupe_mpi_init(int *rank, int *size);
void loupe_mpi_finalize(void);

// In-place sums over all ranks (the same bits on every rank).
void loupe_mpi_allreduce_float(float *buffer, long count);
void loupe_mpi_allreduce_double(double *buffer, long count);
// Root's `bytes` bytes into every rank's buffer.
void loupe_mpi_broadcast(void *buffer, long bytes, int root);
// Every rank's bytes, concatenated in rank order, on every rank. `counts` receives each rank's
// byte count (size entries); the result is malloc'ed (free it with loupe_mpi_free).
void *loupe_mpi_allgather(const void *bytes, long count, long *counts);
void loupe_mpi_free(void *p);

// A rank other than 0 failed: sends (code, text) to rank 0 without waiting.
void loupe_mpi_send_failure(int code, const char *text);
// The end of a statement on every rank: agrees on whether any rank failed. `failed` is this
// rank's exit code (0 when it succeeded). Returns 0 when every rank succeeded; otherwise the
// exit code the job ends with (rank 0's own, else the lowest failing rank's), after rank 0 wrote
// each other failing rank's text to stderr as "rank N: TEXT". Rank 0 ends the job with MPI_Abort
// when it failed or heard of a failure and the others have not come within `grace_seconds`
// (they are stuck in a collective that can no longer complete).
// `own_text` is rank 0's own failure (already printed): another rank's identical text is not repeated.
int loupe_mpi_statement_end(int failed, const char *own_text, double grace_seconds);
#endif
