#ifndef CDESCENT_MPI_H
#define CDESCENT_MPI_H

// MPI loaded at run time with dlopen: no MPI header or library is needed to build Descent.
//
// Two binary interfaces are served (as MPI.jl does), told apart when the library is opened:
//  - Open MPI 4 and 5 (libmpi.so.40): handles are pointers to exported objects such as
//    ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_op_sum (looked up with dlsym);
//  - MPICH 4 and the libraries that share its ABI (libmpi.so.12 / libmpich.so.12, Intel MPI,
//    MVAPICH): handles are integers fixed by the ABI, see mpi_handles.c.
// A process loads one library once; every call below is safe only after descent_mpi_open
// succeeded. The caller serialises the calls (MPI is initialised with MPI_THREAD_SERIALIZED).

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  DESCENT_MPI_ABI_NONE = 0,
  DESCENT_MPI_ABI_OPEN_MPI = 1,
  DESCENT_MPI_ABI_MPICH = 2,
};

// Element types and reductions, as the Swift side names them.
enum { DESCENT_MPI_FLOAT32 = 0, DESCENT_MPI_FLOAT64 = 1, DESCENT_MPI_INT64 = 2 };
enum { DESCENT_MPI_SUM = 0, DESCENT_MPI_MAX = 1, DESCENT_MPI_MIN = 2 };

// An MPI_Request of either ABI: a pointer for Open MPI, an int for MPICH.
typedef struct {
  union {
    void *pointer;
    int integer;
  } handle;
} descent_mpi_request;

// Opens the library at `path` (a file name searched by the dynamic loader, or a path) and resolves
// every function and handle Descent uses. Returns 0 on success; 1 when the file cannot be opened;
// 2 when it opened but is not a usable MPI library (missing symbols, unknown ABI). On failure a
// one-line reason is written to `message` and nothing stays loaded. Once a library is loaded,
// later calls return 0 without opening anything.
int descent_mpi_open(const char *path, char *message, size_t capacity);

// DESCENT_MPI_ABI_*, or DESCENT_MPI_ABI_NONE before a successful open.
int descent_mpi_abi(void);

// The path given to the successful descent_mpi_open, or "" before.
const char *descent_mpi_path(void);

// The library's own version text (MPI_Get_library_version), valid before MPI_Init.
void descent_mpi_library_version(char *text, size_t capacity);

// Initialises MPI (MPI_Init_thread, MPI_THREAD_SERIALIZED) unless the program has already done
// so, makes errors on MPI_COMM_WORLD return codes instead of aborting, and finalises MPI at exit
// when it was initialised here. Writes the rank and size of MPI_COMM_WORLD. Returns an MPI error
// code (0 on success); a description goes to `message`.
int descent_mpi_initialize(int *rank, int *size, char *message, size_t capacity);

// Non-blocking collectives on MPI_COMM_WORLD. Each returns an MPI error code and, on success,
// a request to complete with descent_mpi_test or descent_mpi_wait.
int descent_mpi_iallreduce_in_place(void *buffer, int count, int datatype, int op,
                                    descent_mpi_request *request);
int descent_mpi_ibcast(void *buffer, int count, int datatype, int root,
                       descent_mpi_request *request);
// `count` elements from every rank land in `receive` in rank order.
int descent_mpi_iallgather(const void *send, void *receive, int count, int datatype,
                           descent_mpi_request *request);
// `send` holds size × count elements; this rank receives the reduction of block `rank`.
int descent_mpi_ireduce_scatter_block(const void *send, void *receive, int count, int datatype,
                                      int op, descent_mpi_request *request);
int descent_mpi_ibarrier(descent_mpi_request *request);
// Point-to-point on MPI_COMM_WORLD, for the ring all-reduce of large tensors.
int descent_mpi_isend(const void *buffer, int count, int datatype, int destination, int tag,
                      descent_mpi_request *request);
int descent_mpi_irecv(void *buffer, int count, int datatype, int source, int tag,
                      descent_mpi_request *request);

// MPI_Test: sets *done to 1 when the request has completed. Returns an MPI error code.
int descent_mpi_test(descent_mpi_request *request, int *done);

// Tests `request` until it completes or the monotonic clock passes `deadline` (seconds, as
// descent_mpi_now gives). Returns an MPI error code; *timed_out is 1 when the deadline passed.
int descent_mpi_wait(descent_mpi_request *request, double deadline, int *timed_out);

// Seconds on the monotonic clock.
double descent_mpi_now(void);

// MPI_Error_string.
void descent_mpi_error_string(int code, char *text, size_t capacity);

// MPI_Abort(MPI_COMM_WORLD, code): ends every process of the job.
void descent_mpi_abort(int code);

#ifdef __cplusplus
}
#endif

#endif
