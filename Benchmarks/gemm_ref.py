"""GEMM GFLOP/s of NumPy (OpenBLAS) and PyTorch for the shapes `descent-bench gemm` measures.

Run:  python3 Benchmarks/gemm_ref.py [--threads N]
float32 and float64; squares 64..2048; the MLP's layers as plain products (m x k x n:
[m x k] @ [k x n]); and the three products of each layer in training, with the operands
stored as a training step stores them: forward x @ W.T (W stored [n, k]), weight gradient
g.T @ x (g stored [k, m]), input gradient g @ W. Output into a preallocated buffer; each
case: warm-up, then repetitions for >= 0.2 s, 5 times; the median. OpenBLAS picks its kernel
from the CPU unless OPENBLAS_CORETYPE says otherwise (Haswell: its AVX2 kernel).
RESULT names: numpy_sgemm_<shape>, torch_sgemm_<shape>, numpy_dgemm_<shape>, torch_dgemm_<shape>.
"""
import argparse
import os
import statistics
import time

SHAPES = [(f"sq{n}", n, n, n, False, False) for n in (64, 128, 256, 512, 1024, 2048)] + [
    ("128x784x512", 128, 784, 512, False, False), ("128x512x256", 128, 512, 256, False, False),
    ("fwd_128x784x512", 128, 784, 512, False, True),
    ("wgrad_512x128x784", 512, 128, 784, True, False),
    ("igrad_128x512x784", 128, 512, 784, False, False),
    ("fwd_128x512x256", 128, 512, 256, False, True),
    ("wgrad_256x128x512", 256, 128, 512, True, False),
    ("igrad_128x256x512", 128, 256, 512, False, False),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    core = os.environ.get("OPENBLAS_CORETYPE", "auto")
    print(f"numpy {np.__version__} (OPENBLAS_CORETYPE={core}) torch {torch.__version__} "
          f"threads={args.threads}")

    def rate(fn, flops):
        for _ in range(3):
            fn()
        reps = max(3, int(0.2 / (flops / 50e9)))
        rates = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(reps):
                fn()
            rates.append(flops * reps / (time.perf_counter() - start) / 1e9)
        return statistics.median(rates)

    rng = np.random.default_rng(0)
    for dtype, prefix in ((np.float32, "sgemm"), (np.float64, "dgemm")):
        for name, m, k, n, trans_a, trans_b in SHAPES:
            a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
            b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
            a_op, b_op = (a.T if trans_a else a), (b.T if trans_b else b)
            c = np.empty((m, n), dtype)
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            ta_op, tb_op = (ta.t() if trans_a else ta), (tb.t() if trans_b else tb)
            tc = torch.empty(m, n, dtype=ta.dtype)
            flops = 2.0 * m * n * k
            g_np = rate(lambda: np.matmul(a_op, b_op, out=c), flops)
            g_torch = rate(lambda: torch.mm(ta_op, tb_op, out=tc), flops)
            for side, value in (("numpy", g_np), ("torch", g_torch)):
                print(f"RESULT name={side}_{prefix}_{name} threads={args.threads} value={value:.1f} "
                      f"unit=GFLOP/s", flush=True)


if __name__ == "__main__":
    main()
