#include "CMPIShims.h"

#include <limits.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int running = 0;

int fk_mpi_init(char *error, int error_length) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int status = MPI_Init(NULL, NULL);
        if (status != MPI_SUCCESS) {
            int length = 0;
            char text[MPI_MAX_ERROR_STRING];
            MPI_Error_string(status, text, &length);
            snprintf(error, (size_t)error_length, "%s", text);
            return status;
        }
    }
    running = 1;
    return 0;
}

int fk_mpi_is_running(void) { return running; }

void fk_mpi_finalize(void) {
    if (!running) return;
    running = 0;
    MPI_Finalize();
}

int fk_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int fk_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/// The largest piece one MPI call takes (its counts are `int`).
static int piece(long remaining) { return remaining > INT_MAX ? INT_MAX : (int)remaining; }

void fk_mpi_broadcast_floats(float *values, long count, int root) {
    for (long done = 0; done < count;) {
        int n = piece(count - done);
        MPI_Bcast(values + done, n, MPI_FLOAT, root, MPI_COMM_WORLD);
        done += n;
    }
}

void fk_mpi_broadcast_bytes(void *bytes, long count, int root) {
    for (long done = 0; done < count;) {
        int n = piece(count - done);
        MPI_Bcast((char *)bytes + done, n, MPI_BYTE, root, MPI_COMM_WORLD);
        done += n;
    }
}

void fk_mpi_allreduce_sum_floats(float *values, long count) {
    for (long done = 0; done < count;) {
        int n = piece(count - done);
        MPI_Allreduce(MPI_IN_PLACE, values + done, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        done += n;
    }
}

void fk_mpi_allreduce_sum_doubles(double *values, long count) {
    for (long done = 0; done < count;) {
        int n = piece(count - done);
        MPI_Allreduce(MPI_IN_PLACE, values + done, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        done += n;
    }
}

void fk_mpi_barrier(void) { MPI_Barrier(MPI_COMM_WORLD); }

void fk_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

double fk_mpi_wall_time(void) { return MPI_Wtime(); }

static char termination_message[1024];
static volatile sig_atomic_t termination_length = 0;

/// Async-signal-safe: write(2) and _exit(2) only.
static void on_termination(int signal_number) {
    (void)signal_number;
    if (termination_length > 0) {
        ssize_t ignored = write(STDERR_FILENO, termination_message, (size_t)termination_length);
        (void)ignored;
    }
    _exit(1);
}

void fk_mpi_set_termination_message(const char *message) {
    termination_length = 0;   // the handler writes nothing while the text changes
    size_t length = strlen(message);
    if (length > sizeof termination_message - 2) length = sizeof termination_message - 2;
    memcpy(termination_message, message, length);
    if (length > 0 && termination_message[length - 1] != '\n') termination_message[length++] = '\n';
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_termination;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    termination_length = (sig_atomic_t)length;
}
