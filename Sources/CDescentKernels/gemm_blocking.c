// Cache blocking of the GEMM driver, derived from the cache sizes the CPU reports.
//
// The driver (gemm_driver.c) runs, innermost first: the micro-kernel over the A micro-panels of a
// packed A block (ir), over the B micro-panels of a packed B block (jr), over A blocks (ic), over
// the depth (pc), over B blocks (jc). So:
//   - kc: the B micro-panel (kc x nr), reused by every A micro-panel, stays in L1 next to the
//     A micro-panel streaming through: it takes at most half of L1d.
//   - mc: the packed A block (mc x kc), swept once per B micro-panel, stays in L2: at most half
//     of it (the other half holds the streaming B block and C tiles).
//   - nc: the packed B block (kc x nc) stays in this core's share of L3: at most half of it.
// Everything is rounded to whole register tiles. kc fixes the order of the additions of each
// element of C, so it depends on K and the CPU only, never on the thread count (gemm_parallel.c).
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

static long clamp(long v, long lo, long hi) { return v < lo ? lo : v > hi ? hi : v; }

descent_blocking descent_blocking_for(int mr, int nr, long elem_size, const descent_cache_sizes *caches) {
  descent_blocking b;
  b.kc = clamp(caches->l1d / 2 / (nr * elem_size) / 8 * 8, 64, 1024);
  b.mc = clamp(caches->l2 / 2 / (b.kc * elem_size) / mr * mr, mr, 4096 / mr * mr);
  // Without an L3 (or with a small one) the B block shares L2 with the A block.
  long l3_share = caches->l3 / caches->l3_sharing;
  long b_bytes = l3_share > caches->l2 ? l3_share / 2 : caches->l2 / 4;
  b.nc = clamp(b_bytes / (b.kc * elem_size) / nr * nr, nr, 8192 / nr * nr);
  return b;
}

// descent_gemm_set_blocking's override for the calling thread (0: none).
static _Thread_local descent_blocking forced = {0, 0, 0};

void descent_gemm_set_blocking(long mc, long kc, long nc) {
  forced.mc = mc > 0 ? mc : 0;
  forced.kc = kc > 0 ? kc : 0;
  forced.nc = nc > 0 ? nc : 0;
}

descent_blocking descent_gemm_blocking(int mr, int nr, long elem_size) {
  descent_blocking b = descent_blocking_for(mr, nr, elem_size, descent_cpu_caches());
  // Overrides are rounded up to whole tiles.
  if (forced.kc) b.kc = forced.kc;
  if (forced.mc) b.mc = (forced.mc + mr - 1) / mr * mr;
  if (forced.nc) b.nc = (forced.nc + nr - 1) / nr * nr;
  return b;
}
