// How many physical cores this process may use: the default thread count, and the most threads a
// product is split over (a hyper-thread sibling shares its core's FMA units and caches, so it adds
// nothing to a GEMM and slows memory-bound loops down).
//
// Linux: the CPUs of the affinity mask (sched_getaffinity, as taskset or a container's cpuset set
// it) grouped by physical core (topology/thread_siblings_list, else core_id + physical_package_id),
// then bounded by the cgroup CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us, the
// smallest along the cgroup's path), rounded up. macOS: hw.physicalcpu. Elsewhere: the online CPUs.
#define _GNU_SOURCE
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

#define MAX_CPUS 4096

static int read_line(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int ok = fgets(buf, (int)size, f) != NULL;
  fclose(f);
  return ok;
}

// The smallest CPU number of a list such as "3,7" or "0-1"; -1 if it does not parse.
static long first_cpu(const char *list) {
  char *end;
  long v = strtol(list, &end, 10);
  return end == list || v < 0 ? -1 : v;
}

long descent_count_cores(const char *cpu_root, const int *cpus, long ncpus) {
  static const long no_key = -1;
  long *keys = malloc(sizeof(long) * (size_t)(ncpus > 0 ? ncpus : 1));
  if (!keys) return ncpus > 0 ? ncpus : 1;
  long distinct = 0;
  for (long i = 0; i < ncpus; i++) {
    char path[512], text[256];
    long key = no_key;
    // A core is named by its first hardware thread; else by package and core id.
    snprintf(path, sizeof path, "%s/cpu%d/topology/thread_siblings_list", cpu_root, cpus[i]);
    if (read_line(path, text, sizeof text)) key = first_cpu(text);
    if (key < 0) {
      char package[64];
      snprintf(path, sizeof path, "%s/cpu%d/topology/core_id", cpu_root, cpus[i]);
      int has_core = read_line(path, text, sizeof text);
      snprintf(path, sizeof path, "%s/cpu%d/topology/physical_package_id", cpu_root, cpus[i]);
      int has_package = read_line(path, package, sizeof package);
      if (has_core && has_package) key = (long)MAX_CPUS * MAX_CPUS + atol(package) * MAX_CPUS + atol(text);
    }
    if (key < 0) key = cpus[i]; // no topology: every CPU is a core
    int seen = 0;
    for (long j = 0; j < distinct && !seen; j++) seen = keys[j] == key;
    if (!seen) keys[distinct++] = key;
  }
  free(keys);
  return distinct;
}

// cpu.max ("max 100000" or "150000 100000") or cfs files in `dir`: the CPUs it allows, 0 if none.
static double limit_in(const char *dir, int v2) {
  char path[1024], a[64], b[64];
  if (v2) {
    snprintf(path, sizeof path, "%s/cpu.max", dir);
    if (!read_line(path, a, sizeof a)) return 0;
    char quota[32];
    long period = 0;
    if (sscanf(a, "%31s %ld", quota, &period) != 2 || period <= 0 || strcmp(quota, "max") == 0) return 0;
    long q = atol(quota);
    return q > 0 ? (double)q / (double)period : 0;
  }
  snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
  if (!read_line(path, a, sizeof a)) return 0;
  snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
  if (!read_line(path, b, sizeof b)) return 0;
  long q = atol(a), p = atol(b);
  return q > 0 && p > 0 ? (double)q / (double)p : 0;
}

// The smallest limit from the cgroup `path` (relative to the hierarchy mounted at `mount`) up to
// the root of that mount; 0 if nothing limits.
static double limit_along(const char *mount, const char *path, int v2) {
  char dir[1024];
  double best = 0;
  snprintf(dir, sizeof dir, "%s%s", mount, path);
  for (;;) {
    size_t len = strlen(dir);
    while (len > strlen(mount) && dir[len - 1] == '/') dir[--len] = '\0';
    double l = limit_in(dir, v2);
    if (l > 0 && (best == 0 || l < best)) best = l;
    if (len <= strlen(mount)) break;
    char *slash = strrchr(dir, '/');
    if (!slash || (size_t)(slash - dir) < strlen(mount)) break;
    *slash = '\0';
  }
  return best;
}

double descent_cgroup_cpu_limit(const char *proc_cgroup, const char *cgroup_root) {
  FILE *f = fopen(proc_cgroup, "r");
  if (!f) return 0;
  char line[1024];
  double best = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    // "hierarchy-id:controllers:path"; v2 is "0::path".
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c1 = *c2 = '\0';
    const char *controllers = c1 + 1, *path = c2 + 1;
    char mount[1024];
    double l = 0;
    if (controllers[0] == '\0') { // v2: the unified hierarchy, at the root or at root/unified
      snprintf(mount, sizeof mount, "%s", cgroup_root);
      l = limit_along(mount, path, 1);
      if (l == 0) {
        snprintf(mount, sizeof mount, "%s/unified", cgroup_root);
        l = limit_along(mount, path, 1);
      }
    } else {
      // v1: only a hierarchy with the cpu controller ("cpu", "cpu,cpuacct", ...).
      char list[256];
      snprintf(list, sizeof list, ",%s,", controllers);
      if (!strstr(list, ",cpu,")) continue;
      static const char *names[] = {"cpu,cpuacct", "cpu", "cpuacct,cpu"};
      for (int i = 0; i < 3 && l == 0; i++) {
        snprintf(mount, sizeof mount, "%s/%s", cgroup_root, names[i]);
        l = limit_along(mount, path, 0);
      }
    }
    if (l > 0 && (best == 0 || l < best)) best = l;
  }
  fclose(f);
  return best;
}

static long usable = 0;
static pthread_once_t usable_once = PTHREAD_ONCE_INIT;

static void detect_usable(void) {
  long cores = 0;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int cpus[CPU_SETSIZE];
    long n = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &set)) cpus[n++] = c;
    cores = descent_count_cores("/sys/devices/system/cpu", cpus, n);
  }
  double quota = descent_cgroup_cpu_limit("/proc/self/cgroup", "/sys/fs/cgroup");
  if (quota > 0) {
    long allowed = (long)quota;
    if ((double)allowed < quota) allowed++;
    if (cores <= 0 || allowed < cores) cores = allowed;
  }
#elif defined(__APPLE__)
  int n = 0;
  size_t size = sizeof n;
  if (sysctlbyname("hw.physicalcpu", &n, &size, NULL, 0) == 0) cores = n;
#endif
  if (cores <= 0) cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1) cores = 1;
  if (cores > DESCENT_MAX_THREADS) cores = DESCENT_MAX_THREADS;
  usable = cores;
}

int descent_usable_cores(void) {
  pthread_once(&usable_once, detect_usable);
  return (int)usable;
}
