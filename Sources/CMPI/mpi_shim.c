// Loupe's MPI calls (see include/CMPI.h). Open MPI 4 from Debian; plain MPI-3 calls only.
#include "CMPI.h"
#include <mpi.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_FAILURE = 7101 };

static MPI_Comm data_comm = MPI_COMM_NULL;     // training collectives, gathers, broadcasts
static MPI_Comm control_comm = MPI_COMM_NULL;  // failure notices, end-of-statement agreement
static int my_rank = 0, my_size = 1;
// The notice this rank sent (kept until rank 0 has received it).
static MPI_Request failure_request = MPI_REQUEST_NULL;
static char *failure_buffer = NULL;

// Rank 0's watch over the ranks on its own host: their numbers and "/proc/PID/stat" paths,
// made at the start so that the SIGTERM handler only opens and reads (async-signal-safe).
enum { PROC_PATH = 32 };
static int watched_count = 0;
static int *watched_ranks = NULL;
static char (*watched_paths)[PROC_PATH] = NULL;
// Set once rank 0 said which rank ended (the SIGTERM that follows its MPI_Abort says nothing more).
static volatile sig_atomic_t ended_reported = 0;

// Whether the watched process `i` has ended: its /proc entry is gone, or it is a zombie
// (ended, not yet reaped by its orted).
static int watched_has_ended(int i) {
    int fd = open(watched_paths[i], O_RDONLY);
    if (fd < 0) return 1;
    char buffer[256];
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return 1;
    // "PID (NAME) STATE ...": the state follows the last ')'.
    char *state = NULL;
    for (ssize_t k = 0; k < n; k++) if (buffer[k] == ')') state = buffer + k;
    if (!state || state + 2 >= buffer + n) return 0;
    return state[2] == 'Z' || state[2] == 'X';
}

// "loupe: rank N stopped …" for each watched rank that has ended, with write(2) only; how many.
static int report_ended_ranks(void) {
    static const char head[] = "loupe: rank ";
    static const char tail[] = " stopped (its process ended: killed, out of memory or crashed); the job ends\n";
    int ended = 0;
    if (ended_reported) return 1;
    for (int i = 0; i < watched_count; i++) {
        if (!watched_has_ended(i)) continue;
        char number[16];
        int length = 0;
        unsigned r = (unsigned)watched_ranks[i];
        do { number[sizeof number - 1 - length++] = (char)('0' + r % 10); r /= 10; } while (r && length < 15);
        if (write(2, head, sizeof head - 1) < 0 || write(2, number + sizeof number - length, (size_t)length) < 0
            || write(2, tail, sizeof tail - 1) < 0) {}
        ended++;
    }
    if (ended) ended_reported = 1;
    return ended;
}

// mpirun ends every rank with SIGTERM (then SIGKILL a second later) when one rank dies. On rank 0
// the handler says which rank of this host ended before exiting, so the job's output names it
// in rank 0's words; a rank on another host cannot be looked at from here.
static void on_terminate(int signal_number) {
    (void)signal_number;
    if (report_ended_ranks() == 0) {
        static const char text[] = "loupe: mpirun is ending the job (a rank on another host stopped, or mpirun was interrupted)\n";
        if (write(2, text, sizeof text - 1) < 0) {}
        _exit(143);
    }
    _exit(70);
}

// Rank 0 learns the process ids of the ranks on its host and installs the SIGTERM handler.
static void watch_local_ranks(MPI_Comm local) {
    int local_rank = 0, local_size = 1;
    MPI_Comm_rank(local, &local_rank);
    MPI_Comm_size(local, &local_size);
    int mine[2] = { my_rank, (int)getpid() };
    int *all = malloc(sizeof(int) * 2 * (size_t)local_size);
    MPI_Allgather(mine, 2, MPI_INT, all, 2, MPI_INT, local);
    if (my_rank == 0) {
        watched_ranks = malloc(sizeof(int) * (size_t)local_size);
        watched_paths = malloc(PROC_PATH * (size_t)local_size);
        for (int i = 0; i < local_size; i++) {
            if (all[2 * i] == my_rank) continue;
            watched_ranks[watched_count] = all[2 * i];
            snprintf(watched_paths[watched_count], PROC_PATH, "/proc/%d/stat", all[2 * i + 1]);
            watched_count++;
        }
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_terminate;
        sigemptyset(&action.sa_mask);
        sigaction(SIGTERM, &action, NULL);
    }
    free(all);
}

int loupe_mpi_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL || getenv("PMI_SIZE") != NULL;
}

int loupe_mpi_init(int *rank, int *size) {
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
    // Loupe's own threads (OpenMP, the data loader) run beside the main thread that makes every
    // MPI call: a library that cannot allow that is refused rather than trusted.
    if (provided < MPI_THREAD_FUNNELED) {
        MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
        if (my_rank == 0)
            fprintf(stderr, "loupe: this MPI library provides thread level %d, below MPI_THREAD_FUNNELED\n", provided);
        MPI_Finalize();
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &my_size);
    MPI_Comm_dup(MPI_COMM_WORLD, &data_comm);
    MPI_Comm_dup(MPI_COMM_WORLD, &control_comm);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, my_rank, MPI_INFO_NULL, &local);
    watch_local_ranks(local);
    MPI_Comm_free(&local);
    *rank = my_rank;
    *size = my_size;
    return 0;
}

void loupe_mpi_finalize(void) {
    // From here on ranks end on their own: one that ends first is no failure.
    if (my_rank == 0) signal(SIGTERM, SIG_DFL);
    if (failure_request != MPI_REQUEST_NULL) MPI_Wait(&failure_request, MPI_STATUS_IGNORE);
    free(failure_buffer);
    failure_buffer = NULL;
    MPI_Comm_free(&data_comm);
    MPI_Comm_free(&control_comm);
    MPI_Finalize();
}

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
    double looked = 0;
    for (long polls = 0;; polls++) {
        MPI_Test(request, &done, MPI_STATUS_IGNORE);
        if (done) return;
        // Every half second of waiting, rank 0 looks whether a rank of its host has ended (when
        // mpirun does not end the job itself, e.g. with --enable-recovery).
        if (my_rank == 0 && watched_count > 0 && polls >= 2000 && (polls & 63) == 0) {
            double t = now();
            if (looked == 0) looked = t;
            if (t - looked > 0.5) {
                looked = t;
                if (report_ended_ranks() > 0) MPI_Abort(MPI_COMM_WORLD, 70);
            }
        }
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
    // MPI counts are ints: reduce in pieces of at most 2^28 elements.
    const long piece = 1L << 28;
    for (long offset = 0; offset < count; offset += piece) {
        long n = count - offset < piece ? count - offset : piece;
        MPI_Request request;
        MPI_Iallreduce(MPI_IN_PLACE, (char *)buffer + offset * width, (int)n, type, MPI_SUM, data_comm, &request);
        wait_collective(&request);
    }
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

// Every rank's bytes, in rank order. The sizes travel as longs and each rank's bytes by a
// broadcast from it (in pieces of at most 1 GiB): MPI's counts and displacements are ints, so
// one Allgatherv could not carry 2 GiB in all (predictions with 1,000 class probabilities
// each, from a few hundred thousand files).
void *loupe_mpi_allgather(const void *bytes, long count, long *counts) {
    long mine = count;
    MPI_Request request;
    MPI_Iallgather(&mine, 1, MPI_LONG, counts, 1, MPI_LONG, data_comm, &request);
    wait_collective(&request);
    long total = 0;
    for (int r = 0; r < my_size; r++) total += counts[r];
    char *out = malloc(total > 0 ? (size_t)total : 1);
    long offset = 0;
    for (int r = 0; r < my_size; r++) {
        if (r == my_rank && count > 0) memcpy(out + offset, bytes, (size_t)count);
        loupe_mpi_broadcast(out + offset, counts[r], r);
        offset += counts[r];
    }
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
