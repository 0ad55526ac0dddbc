// Calls into the loaded MPI library, each written once per ABI.
#include "mpi_api.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define OPEN_MPI (descent_mpi_loaded_abi == DESCENT_MPI_ABI_OPEN_MPI)
#define O descent_mpi_functions.open_mpi
#define M descent_mpi_functions.mpich
#define OH descent_open_mpi_handles
#define MH descent_mpich_handles

static void finalize_at_exit(void) {
  // Output still buffered would otherwise reach a launcher that no longer forwards it.
  fflush(NULL);
  int finalized = 0;
  if (OPEN_MPI) {
    O.Finalized(&finalized);
    if (!finalized) O.Finalize();
  } else {
    M.Finalized(&finalized);
    if (!finalized) M.Finalize();
  }
}

int descent_mpi_initialize(int *rank, int *size, char *message, size_t capacity) {
  if (capacity > 0) message[0] = 0;
  int initialized = 0, provided = 0, code;
  code = OPEN_MPI ? O.Initialized(&initialized) : M.Initialized(&initialized);
  if (code) return code;
  if (!initialized) {
    // MPI_THREAD_SERIALIZED (2 in both ABIs): any thread may call, one at a time, which the
    // Swift side guarantees with a lock.
    code = OPEN_MPI ? O.Init_thread(NULL, NULL, 2, &provided)
                    : M.Init_thread(NULL, NULL, 2, &provided);
    if (code) {
      snprintf(message, capacity, "MPI_Init_thread failed");
      return code;
    }
    // A program that exits without MPI_Finalize is reported by the launcher as a failure.
    atexit(finalize_at_exit);
  }
  if (OPEN_MPI) {
    code = O.Comm_set_errhandler(OH.comm_world, OH.errors_return);
    if (!code) code = O.Comm_rank(OH.comm_world, rank);
    if (!code) code = O.Comm_size(OH.comm_world, size);
  } else {
    code = M.Comm_set_errhandler(MH.comm_world, MH.errors_return);
    if (!code) code = M.Comm_rank(MH.comm_world, rank);
    if (!code) code = M.Comm_size(MH.comm_world, size);
  }
  if (code) snprintf(message, capacity, "cannot query MPI_COMM_WORLD");
  return code;
}

int descent_mpi_iallreduce_in_place(void *buffer, int count, int datatype, int op,
                                    descent_mpi_request *request) {
  if (OPEN_MPI) {
    return O.Iallreduce(DESCENT_OPEN_MPI_IN_PLACE, buffer, count, OH.datatypes[datatype],
                        OH.ops[op], OH.comm_world, &request->handle.pointer);
  }
  return M.Iallreduce(DESCENT_MPICH_IN_PLACE, buffer, count, MH.datatypes[datatype], MH.ops[op],
                      MH.comm_world, &request->handle.integer);
}

int descent_mpi_ibcast(void *buffer, int count, int datatype, int root,
                       descent_mpi_request *request) {
  if (OPEN_MPI) {
    return O.Ibcast(buffer, count, OH.datatypes[datatype], root, OH.comm_world,
                    &request->handle.pointer);
  }
  return M.Ibcast(buffer, count, MH.datatypes[datatype], root, MH.comm_world,
                  &request->handle.integer);
}

int descent_mpi_iallgather(const void *send, void *receive, int count, int datatype,
                           descent_mpi_request *request) {
  if (OPEN_MPI) {
    void *type = OH.datatypes[datatype];
    return O.Iallgather(send, count, type, receive, count, type, OH.comm_world,
                        &request->handle.pointer);
  }
  int type = MH.datatypes[datatype];
  return M.Iallgather(send, count, type, receive, count, type, MH.comm_world,
                      &request->handle.integer);
}

int descent_mpi_ireduce_scatter_block(const void *send, void *receive, int count, int datatype,
                                      int op, descent_mpi_request *request) {
  if (OPEN_MPI) {
    return O.Ireduce_scatter_block(send, receive, count, OH.datatypes[datatype], OH.ops[op],
                                   OH.comm_world, &request->handle.pointer);
  }
  return M.Ireduce_scatter_block(send, receive, count, MH.datatypes[datatype], MH.ops[op],
                                 MH.comm_world, &request->handle.integer);
}

int descent_mpi_isend(const void *buffer, int count, int datatype, int destination, int tag,
                      descent_mpi_request *request) {
  if (OPEN_MPI) {
    return O.Isend(buffer, count, OH.datatypes[datatype], destination, tag, OH.comm_world,
                   &request->handle.pointer);
  }
  return M.Isend(buffer, count, MH.datatypes[datatype], destination, tag, MH.comm_world,
                 &request->handle.integer);
}

int descent_mpi_irecv(void *buffer, int count, int datatype, int source, int tag,
                      descent_mpi_request *request) {
  if (OPEN_MPI) {
    return O.Irecv(buffer, count, OH.datatypes[datatype], source, tag, OH.comm_world,
                   &request->handle.pointer);
  }
  return M.Irecv(buffer, count, MH.datatypes[datatype], source, tag, MH.comm_world,
                 &request->handle.integer);
}

int descent_mpi_ibarrier(descent_mpi_request *request) {
  if (OPEN_MPI) return O.Ibarrier(OH.comm_world, &request->handle.pointer);
  return M.Ibarrier(MH.comm_world, &request->handle.integer);
}

int descent_mpi_test(descent_mpi_request *request, int *done) {
  *done = 0;
  if (OPEN_MPI) return O.Test(&request->handle.pointer, done, DESCENT_OPEN_MPI_STATUS_IGNORE);
  return M.Test(&request->handle.integer, done, DESCENT_MPICH_STATUS_IGNORE);
}

double descent_mpi_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

int descent_mpi_wait(descent_mpi_request *request, double deadline, int *timed_out) {
  *timed_out = 0;
  for (unsigned long attempt = 0;; attempt++) {
    int done = 0;
    int code = descent_mpi_test(request, &done);
    if (code || done) return code;
    // The clock is read every 64 tests. After the first few thousand tests (tens of
    // microseconds: a peer is late, not the network), the processor is offered to other
    // threads between tests, which matters when ranks outnumber cores.
    if ((attempt & 63) == 63) {
      if (descent_mpi_now() > deadline) {
        *timed_out = 1;
        return 0;
      }
    }
    if (attempt > 4096) sched_yield();
  }
}

void descent_mpi_error_string(int code, char *text, size_t capacity) {
  if (capacity == 0) return;
  char buffer[1024] = ""; // MPI_MAX_ERROR_STRING: 256 in Open MPI, 1024 in MPICH
  int length = 0;
  if (M.Error_string(code, buffer, &length) != 0) {
    snprintf(text, capacity, "MPI error %d", code);
    return;
  }
  buffer[sizeof buffer - 1] = 0;
  snprintf(text, capacity, "%s", buffer);
}

void descent_mpi_abort(int code) {
  fflush(stdout);
  fflush(stderr);
  if (OPEN_MPI) {
    O.Abort(OH.comm_world, code);
  } else {
    M.Abort(MH.comm_world, code);
  }
  // MPI_Abort does not return; should a library return anyway, the process still ends.
  _Exit(code);
}
