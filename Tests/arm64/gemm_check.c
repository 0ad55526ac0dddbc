// Correctness of the C GEMM kernels against a naive product, for every kernel path this CPU (or
// emulator) runs: odd shapes around the register tiles, all four transpose combinations, padded
// strides (the padding must stay untouched), beta = 0 over a NaN-filled C, small forced cache
// blocks (every block edge), float32 and float64, and 1, 2 and 3 threads (bit-identical).
//
// Built by Tests/arm64/run.sh for arm64 and run under qemu-aarch64; it also builds natively
// (from the package root; the shell expands the wildcard):
//   cc -O2 -pthread -ISources/CDescentKernels/include Sources/CDescentKernels/[a-z]*.c
//      Tests/arm64/gemm_check.c -lm -o gemm_check && ./gemm_check
// Exit status 0 when every product matches, 1 otherwise (the first mismatches are printed).
#include "CDescentKernels.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double next_value(void) { // uniform in [-1, 1)
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / (double)(1ull << 52) - 1.0;
}

static long failures = 0, products = 0;

// (M, N, K): around the tiles of every path (AVX-512 14 x 32, AVX2 6 x 16, NEON 8 x 12,
// portable 4 x 8, and their float64 halves), K = 0, and shapes that cross blocks.
static const long shapes[][3] = {
    {1, 1, 1},    {7, 7, 7},    {8, 12, 5},   {9, 13, 17},  {16, 24, 3},  {17, 25, 33},
    {33, 33, 33}, {13, 1, 70},  {1, 50, 3},   {70, 13, 1},  {6, 16, 64},  {5, 15, 31},
    {15, 33, 450}, {100, 7, 33}, {45, 71, 29}, {128, 40, 20}, {5, 3, 0},   {3, 130, 9},
};

// One product in precision T; returns 0 if it matches the naive product (and, with several
// thread counts, the first thread count's result bit for bit).
#define DEFINE_CHECK(T, P, GEMM, EPS)                                                                   \
  static int P##check(int ta, int tb, long m, long n, long k, double alpha, double beta, long pad) {    \
    const long ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;                      \
    const long lda = ac + pad, ldb = bc + 2 * pad, ldc = n + 3 * pad;                                   \
    T *a = malloc(sizeof(T) * (ar * lda + 1)), *b = malloc(sizeof(T) * (br * ldb + 1));                 \
    T *c0 = malloc(sizeof(T) * (m * ldc + 1)), *c = malloc(sizeof(T) * (m * ldc + 1));                  \
    T *first = malloc(sizeof(T) * (m * ldc + 1));                                                       \
    for (long i = 0; i < ar * lda; i++) a[i] = (T)next_value();                                         \
    for (long i = 0; i < br * ldb; i++) b[i] = (T)next_value();                                         \
    for (long i = 0; i < m * ldc; i++) c0[i] = beta == 0 ? (T)NAN : (T)next_value();                   \
    const int counts[3] = {1, 2, 3};                                                                    \
    int bad = 0;                                                                                        \
    for (int t = 0; t < 3 && !bad; t++) {                                                               \
      descent_set_num_threads(counts[t]);                                                               \
      memcpy(c, c0, sizeof(T) * m * ldc);                                                               \
      GEMM(ta, tb, m, n, k, (T)alpha, a, lda, b, ldb, (T)beta, c, ldc);                                 \
      if (t == 0) {                                                                                     \
        memcpy(first, c, sizeof(T) * m * ldc);                                                          \
        continue;                                                                                       \
      }                                                                                                 \
      if (memcmp(first, c, sizeof(T) * m * ldc) != 0) {                                                 \
        printf("  %s ta=%d tb=%d M=%ld N=%ld K=%ld: %d threads differ from 1 thread\n", #T, ta, tb, m,  \
               n, k, counts[t]);                                                                        \
        bad = 1;                                                                                        \
      }                                                                                                 \
    }                                                                                                   \
    for (long i = 0; i < m && !bad; i++) {                                                              \
      for (long j = 0; j < ldc && !bad; j++) {                                                          \
        const T got = first[i * ldc + j];                                                               \
        if (j >= n) { /* padding: untouched, bit for bit */                                             \
          if (memcmp(&got, &c0[i * ldc + j], sizeof(T)) != 0) {                                        \
            printf("  %s ta=%d tb=%d M=%ld N=%ld K=%ld: padding written at (%ld, %ld)\n", #T, ta, tb,   \
                   m, n, k, i, j);                                                                      \
            bad = 1;                                                                                    \
          }                                                                                             \
          continue;                                                                                     \
        }                                                                                               \
        double sum = 0, abs_sum = 0;                                                                    \
        for (long p = 0; p < k; p++) {                                                                  \
          double x = ta ? a[p * lda + i] : a[i * lda + p];                                              \
          double y = tb ? b[j * ldb + p] : b[p * ldb + j];                                              \
          sum += x * y;                                                                                 \
          abs_sum += fabs(x * y);                                                                       \
        }                                                                                               \
        const double old = beta == 0 ? 0 : c0[i * ldc + j];                                             \
        const double expected = alpha * sum + beta * old;                                               \
        const double tol = (k + 2) * EPS * (fabs(alpha) * abs_sum + fabs(beta * old)) + 4 * EPS;        \
        if (!(fabs((double)got - expected) <= tol)) {                                                   \
          printf("  %s ta=%d tb=%d M=%ld N=%ld K=%ld alpha=%g beta=%g: C[%ld,%ld] = %.17g, expected " \
                 "%.17g\n",                                                                             \
                 #T, ta, tb, m, n, k, alpha, beta, i, j, (double)got, expected);                        \
          bad = 1;                                                                                      \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
    free(a), free(b), free(c0), free(c), free(first);                                                   \
    products++;                                                                                         \
    return bad;                                                                                         \
  }

DEFINE_CHECK(float, s, descent_sgemm, (double)FLT_EPSILON)
DEFINE_CHECK(double, d, descent_dgemm, DBL_EPSILON)

// Every shape, transpose and scaling, in both precisions, with the blocking given.
static void check_all(const char *label) {
  static const double scalings[3][2] = {{1.5, -0.5}, {-0.75, 0.0}, {1.0, 1.0}};
  long round = 0, before = failures;
  if (failures >= 20) {
    printf("  %s: not run (too many failures already)\n", label);
    return;
  }
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        const double *ab = scalings[round++ % 3];
        const long m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], pad = (m + n) % 5 + 1;
        if (failures < 20) {
          failures += scheck(ta, tb, m, n, k, ab[0], ab[1], pad);
          failures += dcheck(ta, tb, m, n, k, ab[0], ab[1], pad);
        }
      }
    }
  }
  printf("  %s: %s\n", label, failures == before ? "ok" : "FAILED");
}

int main(void) {
  static const char *paths[] = {"portable", "neon", "avx2", "avx512"};
  char seen[4][16];
  int nseen = 0;
  descent_gemm_set_thread_threshold(0); // split every product, to test the split
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    descent_gemm_force_path(paths[i]);
    const char *actual = descent_gemm_path();
    int dup = 0;
    for (int j = 0; j < nseen; j++) dup |= strcmp(seen[j], actual) == 0;
    if (dup) continue; // the CPU lacks this path: it fell back to one already checked
    snprintf(seen[nseen++], sizeof seen[0], "%s", actual);
    long mc, kc, nc;
    descent_gemm_get_blocking(0, &mc, &kc, &nc);
    printf("path %s (float32 blocking mc=%ld kc=%ld nc=%ld)\n", actual, mc, kc, nc);
    descent_gemm_set_blocking(0, 0, 0);
    check_all("cache blocking of this CPU");
    descent_gemm_set_blocking(17, 9, 37); // rounded up to whole tiles: every block edge is crossed
    check_all("small blocks (mc 17, kc 9, nc 37)");
    descent_gemm_set_blocking(0, 0, 0);
  }
  descent_gemm_force_path(NULL);
  printf("%ld products checked on %d paths: %s\n", products, nseen, failures ? "FAILED" : "all match");
  return failures ? 1 : 0;
}
