// The MPI functions and handles Descent resolves, for each ABI (internal to CDescentMPI).
#ifndef CDESCENT_MPI_API_H
#define CDESCENT_MPI_API_H

#include "CDescentMPI.h"

// The functions, in the order of `descent_mpi_function_names`. H is the handle type of the ABI:
// a pointer for Open MPI, an int for MPICH. Every request, communicator, datatype and operation
// is passed as H, so that each ABI is called through a prototype that matches its header.
#define DESCENT_MPI_FUNCTIONS(H)                                                                 \
  int (*Init_thread)(int *, char ***, int, int *);                                               \
  int (*Initialized)(int *);                                                                     \
  int (*Finalized)(int *);                                                                       \
  int (*Finalize)(void);                                                                         \
  int (*Comm_rank)(H, int *);                                                                    \
  int (*Comm_size)(H, int *);                                                                    \
  int (*Comm_set_errhandler)(H, H);                                                              \
  int (*Iallreduce)(const void *, void *, int, H, H, H, H *);                                    \
  int (*Ibcast)(void *, int, H, int, H, H *);                                                    \
  int (*Iallgather)(const void *, int, H, void *, int, H, H, H *);                               \
  int (*Ireduce_scatter_block)(const void *, void *, int, H, H, H, H *);                         \
  int (*Ibarrier)(H, H *);                                                                       \
  int (*Test)(H *, int *, void *);                                                               \
  int (*Abort)(H, int);                                                                          \
  int (*Error_string)(int, char *, int *);                                                       \
  int (*Get_library_version)(char *, int *);                                                     \
  int (*Isend)(const void *, int, H, int, int, H, H *);                                          \
  int (*Irecv)(void *, int, H, int, int, H, H *);

typedef struct {
  DESCENT_MPI_FUNCTIONS(void *)
} descent_mpi_open_mpi_api;

typedef struct {
  DESCENT_MPI_FUNCTIONS(int)
} descent_mpi_mpich_api;

#define DESCENT_MPI_FUNCTION_COUNT 18

// Every member is a function pointer of the same size, so the resolved symbols can be written
// through `slots` in name order and called through the ABI's own struct.
typedef union {
  descent_mpi_open_mpi_api open_mpi;
  descent_mpi_mpich_api mpich;
  void *slots[DESCENT_MPI_FUNCTION_COUNT];
} descent_mpi_api;

extern const char *const descent_mpi_function_names[DESCENT_MPI_FUNCTION_COUNT];

// The predefined handles Descent uses, indexed by DESCENT_MPI_FLOAT32… and DESCENT_MPI_SUM….
typedef struct {
  void *comm_world;
  void *errors_return;
  void *datatypes[3];
  void *ops[3];
} descent_mpi_open_mpi_handles;

typedef struct {
  int comm_world;
  int errors_return;
  int datatypes[3];
  int ops[3];
} descent_mpi_mpich_handles;

// MPI_IN_PLACE and MPI_STATUS_IGNORE, which the two ABIs spell differently.
#define DESCENT_OPEN_MPI_IN_PLACE ((void *)1)
#define DESCENT_OPEN_MPI_STATUS_IGNORE ((void *)0)
#define DESCENT_MPICH_IN_PLACE ((void *)-1)
#define DESCENT_MPICH_STATUS_IGNORE ((void *)1)

// The state after a successful descent_mpi_open (mpi_library.c).
extern int descent_mpi_loaded_abi;
extern descent_mpi_api descent_mpi_functions;
extern descent_mpi_open_mpi_handles descent_open_mpi_handles;
extern const descent_mpi_mpich_handles descent_mpich_handles;

#endif
