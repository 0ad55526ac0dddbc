// Function attributes and loop pragmas shared by the x86 SIMD kernels and packing. Private to the
// C target (not under include/): Swift never sees it.
#ifndef DESCENT_SIMD_ATTRIBUTES_H
#define DESCENT_SIMD_ATTRIBUTES_H

// Per-function targets: the code is compiled for these ISAs without any compiler flag and only
// called after run-time CPU dispatch (gemm_dispatch.c).
#define TAVX2 __attribute__((target("avx2,fma")))
#define T512 __attribute__((target("avx512f,avx512vl,fma")))
#define INLINE static inline __attribute__((always_inline))

// Fixed-size loops over vector arrays must be fully unrolled so the arrays live in registers.
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 16")
#endif

#endif // DESCENT_SIMD_ATTRIBUTES_H
