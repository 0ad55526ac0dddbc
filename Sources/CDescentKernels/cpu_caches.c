// The data cache sizes of the CPU, as the GEMM blocking needs them (gemm_blocking.c).
//
// Sources, first that answers: Linux sysfs (/sys/devices/system/cpu/cpu0/cache/index*: level,
// type, size, shared_cpu_list), then CPUID on x86 (leaf 4 on Intel, 0x8000001D on AMD: ways x
// partitions x line size x sets, and how many logical CPUs share the cache), then sysctl on macOS,
// then defaults of a common desktop core. The shared last level is reported per core that shares
// it, since each thread packs its own blocks there.
#define _GNU_SOURCE
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif
#if defined(__x86_64__)
#include <cpuid.h>
#endif

static descent_cache_sizes detected;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

// Reads a small text file into buf; 0 on failure.
static int read_text(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, size - 1, f);
  fclose(f);
  buf[n] = '\0';
  return n > 0;
}

// Counts the CPUs of a list such as "0-3,8,10-11"; 0 if it does not parse.
long descent_count_cpu_list(const char *list) {
  long count = 0;
  const char *s = list;
  while (*s && *s != '\n') {
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || a < 0) return 0;
    long b = a;
    if (*end == '-') {
      s = end + 1;
      b = strtol(s, &end, 10);
      if (end == s || b < a) return 0;
    }
    count += b - a + 1;
    s = end;
    if (*s == ',') s++;
    else if (*s && *s != '\n') return 0;
  }
  return count;
}

// "32K", "512K", "32768K", "8M" -> bytes.
static long parse_size(const char *text) {
  char *end;
  long v = strtol(text, &end, 10);
  if (end == text || v <= 0) return 0;
  if (*end == 'K' || *end == 'k') v <<= 10;
  else if (*end == 'M' || *end == 'm') v <<= 20;
  return v;
}

// sysfs: fills the levels found (0 where absent); returns 1 if L1d was found.
int descent_read_sysfs_caches(const char *cache_dir, descent_cache_sizes *out) {
  memset(out, 0, sizeof *out);
  for (int index = 0; index < 16; index++) {
    char path[512], level[16], type[32], size[32], shared[256];
    snprintf(path, sizeof path, "%s/index%d/level", cache_dir, index);
    if (!read_text(path, level, sizeof level)) break;
    snprintf(path, sizeof path, "%s/index%d/type", cache_dir, index);
    if (!read_text(path, type, sizeof type)) continue;
    if (strncmp(type, "Instruction", 11) == 0) continue;
    snprintf(path, sizeof path, "%s/index%d/size", cache_dir, index);
    if (!read_text(path, size, sizeof size)) continue;
    long bytes = parse_size(size), sharing = 1;
    snprintf(path, sizeof path, "%s/index%d/shared_cpu_list", cache_dir, index);
    if (read_text(path, shared, sizeof shared)) sharing = descent_count_cpu_list(shared);
    if (sharing < 1) sharing = 1;
    switch (atoi(level)) {
    case 1: out->l1d = bytes; break;
    case 2: out->l2 = bytes; out->l2_sharing = sharing; break;
    case 3: out->l3 = bytes; out->l3_sharing = sharing; break;
    }
  }
  return out->l1d > 0;
}

#if defined(__x86_64__)
// CPUID's deterministic cache parameters (the same layout in Intel's leaf 4 and AMD's 0x8000001D).
static int read_cpuid_caches(descent_cache_sizes *out) {
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
  const int amd = b == 0x68747541; // "Auth"enticAMD
  unsigned leaf = 4;
  if (amd) {
    unsigned maxext = __get_cpuid_max(0x80000000u, NULL);
    if (maxext < 0x8000001Du) return 0;
    leaf = 0x8000001Du;
  } else if (a < 4) {
    return 0;
  }
  memset(out, 0, sizeof *out);
  for (unsigned sub = 0; sub < 16; sub++) {
    __cpuid_count(leaf, sub, a, b, c, d);
    unsigned type = a & 31;
    if (type == 0) break;
    if (type == 2) continue; // instruction cache
    unsigned level = (a >> 5) & 7;
    long sharing = ((a >> 14) & 0xFFF) + 1;
    long bytes = (long)(((b >> 22) & 0x3FF) + 1) * (((b >> 12) & 0x3FF) + 1) * ((b & 0xFFF) + 1) * (c + 1);
    if (level == 1) out->l1d = bytes;
    if (level == 2) out->l2 = bytes, out->l2_sharing = sharing;
    if (level == 3) out->l3 = bytes, out->l3_sharing = sharing;
  }
  return out->l1d > 0;
}
#endif

#if defined(__APPLE__)
static long sysctl_long(const char *name) {
  long v = 0;
  size_t size = sizeof v;
  return sysctlbyname(name, &v, &size, NULL, 0) == 0 ? v : 0;
}
#endif

static void detect(void) {
  descent_cache_sizes c = {0};
  int found = descent_read_sysfs_caches("/sys/devices/system/cpu/cpu0/cache", &c);
#if defined(__x86_64__)
  if (!found) found = read_cpuid_caches(&c);
#endif
#if defined(__APPLE__)
  if (!found) {
    c.l1d = sysctl_long("hw.l1dcachesize");
    c.l2 = sysctl_long("hw.l2cachesize");
    c.l3 = sysctl_long("hw.l3cachesize");
    c.l2_sharing = c.l3_sharing = 1;
    found = c.l1d > 0;
  }
#endif
  (void)found;
  // Defaults for whatever is missing (a common desktop core); a hyper-threaded L1 / L2 is still
  // one core's cache, so only the last level is divided among the cores sharing it.
  if (c.l1d <= 0) c.l1d = 32 << 10;
  if (c.l2 <= 0) c.l2 = 256 << 10, c.l2_sharing = 1;
  if (c.l3 <= 0) c.l3 = 0, c.l3_sharing = 1;
  if (c.l2_sharing < 1) c.l2_sharing = 1;
  if (c.l3_sharing < 1) c.l3_sharing = 1;
  detected = c;
}

const descent_cache_sizes *descent_cpu_caches(void) {
  pthread_once(&detect_once, detect);
  return &detected;
}

void descent_cache_info(long *l1d, long *l2, long *l3_per_core) {
  const descent_cache_sizes *c = descent_cpu_caches();
  *l1d = c->l1d;
  *l2 = c->l2;
  *l3_per_core = c->l3 / c->l3_sharing;
}
