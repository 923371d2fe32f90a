// Loupe's MPI calls (see include/CMPI.h). Open MPI 4 from Debian; plain MPI-3 calls only.
#include "CMPI.h"
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_FAILURE = 7101 };

static MPI_Comm data_comm = MPI_COMM_NULL;     // training collectives, gathers, broadcasts
static MPI_Comm control_comm = MPI_COMM_NULL;  // failure notices, end-of-statement agreement
static int my_rank = 0, my_size = 1;
static double reduce_seconds = 0, reduce_bytes = 0;
static long reduce_calls = 0;
// The notice this rank sent (kept until rank 0 has received it).
static MPI_Request failure_request = MPI_REQUEST_NULL;
static char *failure_buffer = NULL;

int loupe_mpi_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL || getenv("PMI_SIZE") != NULL;
}

int loupe_mpi_init(int *rank, int *size, int *local_size) {
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &my_size);
    MPI_Comm_dup(MPI_COMM_WORLD, &data_comm);
    MPI_Comm_dup(MPI_COMM_WORLD, &control_comm);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, my_rank, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, local_size);
    MPI_Comm_free(&local);
    *rank = my_rank;
    *size = my_size;
    return 0;
}

void loupe_mpi_finalize(void) {
    if (failure_request != MPI_REQUEST_NULL) MPI_Wait(&failure_request, MPI_STATUS_IGNORE);
    free(failure_buffer);
    failure_buffer = NULL;
    MPI_Comm_free(&data_comm);
    MPI_Comm_free(&control_comm);
    MPI_Finalize();
}

void loupe_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code ? code : 1); }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// Receives one pending failure notice: writes "rank N: TEXT" to stderr (unless TEXT is `same`,
// what rank 0 said already); returns its code.
static int receive_failure(MPI_Status *status, const char *same) {
    int length = 0;
    MPI_Get_count(status, MPI_CHAR, &length);
    char *text = malloc((size_t)length + 1);
    MPI_Recv(text, length, MPI_CHAR, status->MPI_SOURCE, TAG_FAILURE, control_comm, MPI_STATUS_IGNORE);
    text[length] = 0;
    // The text starts with the exit code and a space.
    int code = atoi(text);
    const char *message = strchr(text, ' ');
    message = message ? message + 1 : text;
    if (!same || strcmp(same, message) != 0) {
        fprintf(stderr, "rank %d: %s\n", status->MPI_SOURCE, message);
        fflush(stderr);
    }
    free(text);
    return code ? code : 70;
}

// Short waits spin (a collective step takes microseconds); long ones sleep between polls so a
// waiting rank leaves the cores to the ranks still working.
static void pause_after(long polls) {
    if (polls < 2000) { sched_yield(); return; }
    struct timespec t = { 0, polls < 20000 ? 20000 : 200000 };
    nanosleep(&t, NULL);
}

// Waits for a data collective. On rank 0 a failure notice from another rank means that rank
// will not come: report it and end the job.
static void wait_collective(MPI_Request *request) {
    int done = 0;
    for (long polls = 0;; polls++) {
        MPI_Test(request, &done, MPI_STATUS_IGNORE);
        if (done) return;
        if (my_rank == 0) {
            int pending = 0;
            MPI_Status status;
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_FAILURE, control_comm, &pending, &status);
            if (pending) {
                int code = receive_failure(&status, NULL);
                fprintf(stderr, "loupe: stopping all %d ranks\n", my_size);
                fflush(stderr);
                MPI_Abort(MPI_COMM_WORLD, code);
            }
        }
        pause_after(polls);
    }
}

static void allreduce(void *buffer, long count, MPI_Datatype type, int width) {
    double start = now();
    // MPI counts are ints: reduce in pieces of at most 2^28 elements.
    const long piece = 1L << 28;
    for (long offset = 0; offset < count; offset += piece) {
        long n = count - offset < piece ? count - offset : piece;
        MPI_Request request;
        MPI_Iallreduce(MPI_IN_PLACE, (char *)buffer + offset * width, (int)n, type, MPI_SUM, data_comm, &request);
        wait_collective(&request);
    }
    reduce_seconds += now() - start;
    reduce_bytes += (double)count * width;
    reduce_calls += 1;
}

void loupe_mpi_allreduce_float(float *buffer, long count) { allreduce(buffer, count, MPI_FLOAT, 4); }
void loupe_mpi_allreduce_double(double *buffer, long count) { allreduce(buffer, count, MPI_DOUBLE, 8); }

void loupe_mpi_broadcast(void *buffer, long bytes, int root) {
    const long piece = 1L << 30;
    for (long offset = 0; offset < bytes; offset += piece) {
        long n = bytes - offset < piece ? bytes - offset : piece;
        MPI_Request request;
        MPI_Ibcast((char *)buffer + offset, (int)n, MPI_BYTE, root, data_comm, &request);
        wait_collective(&request);
    }
}

void *loupe_mpi_allgather(const void *bytes, long count, long *counts) {
    int mine = (int)count;
    int *sizes = malloc(sizeof(int) * (size_t)my_size), *offsets = malloc(sizeof(int) * (size_t)my_size);
    MPI_Request request;
    MPI_Iallgather(&mine, 1, MPI_INT, sizes, 1, MPI_INT, data_comm, &request);
    wait_collective(&request);
    long total = 0;
    for (int r = 0; r < my_size; r++) { offsets[r] = (int)total; total += sizes[r]; counts[r] = sizes[r]; }
    char *out = malloc(total > 0 ? (size_t)total : 1);
    MPI_Iallgatherv(bytes, mine, MPI_BYTE, out, sizes, offsets, MPI_BYTE, data_comm, &request);
    wait_collective(&request);
    free(sizes);
    free(offsets);
    return out;
}

void loupe_mpi_free(void *p) { free(p); }

void loupe_mpi_send_failure(int code, const char *text) {
    if (my_rank == 0 || failure_request != MPI_REQUEST_NULL) return;
    size_t length = strlen(text) + 16;
    failure_buffer = malloc(length);
    snprintf(failure_buffer, length, "%d %s", code, text);
    MPI_Isend(failure_buffer, (int)strlen(failure_buffer), MPI_CHAR, 0, TAG_FAILURE, control_comm, &failure_request);
}

int loupe_mpi_statement_end(int failed, const char *own_text, double grace_seconds) {
    // How many ranks failed; only then are the codes gathered and the texts collected.
    int mine = failed != 0, failures = 0;
    MPI_Request request;
    MPI_Iallreduce(&mine, &failures, 1, MPI_INT, MPI_SUM, control_comm, &request);
    double start = now();
    int done = 0, heard = 0;
    for (long polls = 0;; polls++) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) break;
        if (my_rank == 0 && !heard) {
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_FAILURE, control_comm, &heard, MPI_STATUS_IGNORE);
        }
        if (my_rank == 0 && (failed || heard) && now() - start > grace_seconds) {
            int code = failed;
            while (heard) {
                MPI_Status status;
                MPI_Iprobe(MPI_ANY_SOURCE, TAG_FAILURE, control_comm, &heard, &status);
                if (heard) { int c = receive_failure(&status, own_text); if (!code) code = c; }
            }
            fprintf(stderr, "loupe: the other ranks did not finish the statement within %.0f s: stopping all %d ranks\n",
                    grace_seconds, my_size);
            fflush(stderr);
            MPI_Abort(MPI_COMM_WORLD, code ? code : 70);
        }
        pause_after(polls);
    }
    if (failures == 0) return 0;
    // Every rank learns every rank's code (in rank order); rank 0 reports the others' texts.
    int *codes = malloc(sizeof(int) * (size_t)my_size);
    MPI_Allgather(&failed, 1, MPI_INT, codes, 1, MPI_INT, control_comm);
    if (my_rank == 0) {
        for (int r = 1; r < my_size; r++) {
            if (!codes[r]) continue;
            MPI_Status status;
            MPI_Probe(r, TAG_FAILURE, control_comm, &status);
            receive_failure(&status, own_text);
        }
    }
    int code = 0;
    for (int r = 0; r < my_size && !code; r++) code = codes[r];
    free(codes);
    if (failure_request != MPI_REQUEST_NULL) {
        MPI_Wait(&failure_request, MPI_STATUS_IGNORE);
        free(failure_buffer);
        failure_buffer = NULL;
    }
    return code;
}

void loupe_mpi_allreduce_totals(double *seconds, double *bytes, long *calls) {
    *seconds = reduce_seconds;
    *bytes = reduce_bytes;
    *calls = reduce_calls;
}
