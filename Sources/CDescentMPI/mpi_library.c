// Opening the MPI library: dlopen, the functions by name, and the ABI's predefined handles.
#include "mpi_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const char *const descent_mpi_function_names[DESCENT_MPI_FUNCTION_COUNT] = {
    "MPI_Init_thread", "MPI_Initialized",      "MPI_Finalized",
    "MPI_Finalize",    "MPI_Comm_rank",        "MPI_Comm_size",
    "MPI_Comm_set_errhandler", "MPI_Iallreduce", "MPI_Ibcast",
    "MPI_Iallgather",  "MPI_Ireduce_scatter_block", "MPI_Ibarrier",
    "MPI_Test",        "MPI_Abort",            "MPI_Error_string",
    "MPI_Get_library_version", "MPI_Isend",       "MPI_Irecv",
};

// MPICH's handles are integers fixed by its ABI (the MPICH ABI Compatibility Initiative, shared
// by MPICH 3.1 and later, Intel MPI 5 and later, MVAPICH2 2 and later, Cray MPICH). Values from
// MPICH 4.0.2's mpi.h: MPI_COMM_WORLD, MPI_ERRORS_RETURN, MPI_FLOAT, MPI_DOUBLE, MPI_INT64_T,
// MPI_SUM, MPI_MAX, MPI_MIN.
const descent_mpi_mpich_handles descent_mpich_handles = {
    .comm_world = 0x44000000,
    .errors_return = 0x54000001,
    .datatypes = {0x4c00040a, 0x4c00080b, 0x4c00083a},
    .ops = {0x58000003, 0x58000001, 0x58000002},
};

// Open MPI's handles are the addresses of objects the library exports; MPI_FLOAT is
// `&ompi_mpi_float`, and so on (OMPI_PREDEFINED_GLOBAL in its mpi.h, the same in 4.x and 5.x).
static const char *const open_mpi_handle_names[] = {
    "ompi_mpi_comm_world", "ompi_mpi_errors_return", "ompi_mpi_float", "ompi_mpi_double",
    "ompi_mpi_int64_t",    "ompi_mpi_op_sum",        "ompi_mpi_op_max", "ompi_mpi_op_min",
};

int descent_mpi_loaded_abi = DESCENT_MPI_ABI_NONE;
descent_mpi_api descent_mpi_functions;
descent_mpi_open_mpi_handles descent_open_mpi_handles;

static void *library = NULL;
static char loaded_path[4096] = "";
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static int fail(void *handle, int code, char *message, size_t capacity, const char *format,
                const char *detail) {
  if (handle) dlclose(handle);
  snprintf(message, capacity, format, detail);
  return code;
}

// True for a version text of an MPICH-ABI library.
static int is_mpich_family(const char *version) {
  static const char *const names[] = {"MPICH", "Intel(R) MPI", "MVAPICH", "CRAY MPICH"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strstr(version, names[i])) return 1;
  }
  return 0;
}

static int open_locked(const char *path, char *message, size_t capacity) {
  // RTLD_GLOBAL: Open MPI's plugins are libraries of their own that expect libmpi's symbols to
  // be global, as they are when a program links libmpi directly.
  void *handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char *reason = dlerror();
    return fail(NULL, 1, message, capacity, "%s", reason ? reason : "dlopen failed");
  }
  descent_mpi_api api;
  for (int i = 0; i < DESCENT_MPI_FUNCTION_COUNT; i++) {
    api.slots[i] = dlsym(handle, descent_mpi_function_names[i]);
    if (!api.slots[i]) {
      return fail(handle, 2, message, capacity,
                  "the library has no function %s (an MPI 3 library is needed)",
                  descent_mpi_function_names[i]);
    }
  }
  int abi;
  if (dlsym(handle, "ompi_mpi_comm_world")) {
    abi = DESCENT_MPI_ABI_OPEN_MPI;
    void *resolved[8];
    for (int i = 0; i < 8; i++) {
      resolved[i] = dlsym(handle, open_mpi_handle_names[i]);
      if (!resolved[i]) {
        return fail(handle, 2, message, capacity,
                    "Open MPI library without the predefined handle %s", open_mpi_handle_names[i]);
      }
    }
    descent_open_mpi_handles.comm_world = resolved[0];
    descent_open_mpi_handles.errors_return = resolved[1];
    for (int i = 0; i < 3; i++) descent_open_mpi_handles.datatypes[i] = resolved[2 + i];
    for (int i = 0; i < 3; i++) descent_open_mpi_handles.ops[i] = resolved[5 + i];
  } else {
    char version[8192] = ""; // MPI_MAX_LIBRARY_VERSION_STRING in both ABIs
    int length = 0;
    api.mpich.Get_library_version(version, &length);
    if (!is_mpich_family(version)) {
      version[strcspn(version, "\n")] = 0;
      return fail(handle, 2, message, capacity,
                  "unknown MPI ABI (neither Open MPI nor MPICH): \"%s\"", version);
    }
    abi = DESCENT_MPI_ABI_MPICH;
  }
  descent_mpi_functions = api;
  descent_mpi_loaded_abi = abi;
  library = handle;
  snprintf(loaded_path, sizeof loaded_path, "%s", path);
  return 0;
}

int descent_mpi_open(const char *path, char *message, size_t capacity) {
  if (capacity > 0) message[0] = 0;
  pthread_mutex_lock(&open_lock);
  int result = library ? 0 : open_locked(path, message, capacity);
  pthread_mutex_unlock(&open_lock);
  return result;
}

int descent_mpi_abi(void) { return descent_mpi_loaded_abi; }

const char *descent_mpi_path(void) { return loaded_path; }

void descent_mpi_library_version(char *text, size_t capacity) {
  if (capacity == 0) return;
  text[0] = 0;
  if (!library) return;
  char buffer[8192] = ""; // MPI_MAX_LIBRARY_VERSION_STRING in both ABIs
  int length = 0;
  descent_mpi_functions.mpich.Get_library_version(buffer, &length);
  buffer[sizeof buffer - 1] = 0;
  snprintf(text, capacity, "%s", buffer);
}
