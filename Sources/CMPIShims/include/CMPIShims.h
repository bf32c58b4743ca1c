/// Plain C functions over Open MPI for Swift.
///
/// Open MPI's `MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM` are macros over global symbols that
/// Swift cannot import; these functions name them on Swift's behalf. Every collective runs
/// on `MPI_COMM_WORLD` with MPI's default error handler (an error ends the whole job), and
/// takes `long` counts, split into `INT_MAX`-sized calls when larger.
#ifndef FK_MPI_SHIMS_H
#define FK_MPI_SHIMS_H

#include <stddef.h>

/// Starts MPI (once per process). Returns 0, or MPI's error code with its text in `error`.
int fk_mpi_init(char *error, int error_length);
/// Whether `fk_mpi_init` succeeded and `fk_mpi_finalize` has not run.
int fk_mpi_is_running(void);
/// Ends MPI; call once, after the last collective, on every rank.
void fk_mpi_finalize(void);
/// This process's rank in `MPI_COMM_WORLD`, and the number of ranks.
int fk_mpi_rank(void);
int fk_mpi_size(void);
/// Replaces `values` on every rank with rank `root`'s.
void fk_mpi_broadcast_floats(float *values, long count, int root);
void fk_mpi_broadcast_bytes(void *bytes, long count, int root);
/// Replaces `values` on every rank with the element-wise sum over all ranks.
void fk_mpi_allreduce_sum_floats(float *values, long count);
void fk_mpi_allreduce_sum_doubles(double *values, long count);
/// Waits until every rank has called it.
void fk_mpi_barrier(void);
/// Ends every rank of the job with `code` (MPI_Abort).
void fk_mpi_abort(int code);
/// Seconds on MPI's wall clock.
double fk_mpi_wall_time(void);
/// Makes SIGTERM (what mpirun sends the other ranks when one of them ends abnormally) write
/// `message` (copied, up to 1023 bytes) to stderr and exit with status 1; replaces the
/// previous message. An empty message exits silently.
void fk_mpi_set_termination_message(const char *message);

#endif
