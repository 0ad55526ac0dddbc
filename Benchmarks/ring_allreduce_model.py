#!/usr/bin/env python3
"""A cost model of data-parallel training with ring all-reduce, fitted to measured figures.

    T(n, p) = 2 (p - 1) alpha + 2 (p - 1) / p * n / beta

is the time of a ring all-reduce of n bytes over p ranks: 2(p - 1) steps (reduce-scatter,
then all-gather), each paying the latency alpha and moving n / p bytes at the bandwidth beta.
alpha and beta are fitted (least squares on relative error) to the all-reduce times that
`descent-bench allreduce` measured on 2 ranks of this machine.

A DDP step is forward + backward + optimizer, plus whatever communication backward does not
hide. Gradients are taken to appear at an even rate during backward (2/3 of the compute);
each bucket's all-reduce starts when its last gradient is ready and the previous bucket's
all-reduce has finished (one at a time, as the reducer issues them in order). The step ends
when the last all-reduce ends or backward ends, whichever is later.

Usage: python3 Benchmarks/ring_allreduce_model.py [BENCH_LOG…]
With logs of `descent-bench allreduce` (its RESULT lines), the model is fitted to the medians of
their ddp_allreduce_us_<bytes> and mlp_local_step_ms; without, to the constants below.
"""

import math
import statistics
import sys

# Measured on 2 ranks (descent-bench allreduce through compare_ddp.sh, medians of 3 interleaved
# rounds, 2026-12-03, 2-core AMD EPYC shared with other builds: load average about 16):
# bytes -> seconds.
MEASURED = {1 << 10: 5.4e-6, 1 << 14: 25.9e-6, 1 << 18: 227.6e-6, 1 << 22: 51.94e-3,
            1 << 26: 797.6e-3}
# The MLP 784-512-256-10 step of each rank, per-rank batch 64, without DDP (compute only).
MLP_COMPUTE_S = 57.97e-3
MLP_PARAMS = 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10
BATCH = 64
# Network latency per message added to the fitted (software) alpha, by link.
LINKS = {"25 Gbit/s": (25e9 / 8, 5e-6), "100 Gbit/s": (100e9 / 8, 2e-6)}
RANKS = [8, 64, 512]
MIB = 1 << 20


def fit(points):
    """alpha, beta minimising the relative error of T(n, 2) = 2 alpha + n / beta."""
    # Weighted least squares on t = 2 a + n b with weights 1 / t (relative error).
    sw = swn = swnn = swt = swnt = 0.0
    for n, t in points.items():
        w = 1.0 / (t * t)
        sw += w; swn += w * n; swnn += w * n * n; swt += w * t; swnt += w * n * t
    det = sw * swnn - swn * swn
    a2 = (swt * swnn - swn * swnt) / det
    b = (sw * swnt - swn * swt) / det
    return a2 / 2, 1.0 / b


def ring(n, p, alpha, beta):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * n / beta


def buckets(total_bytes, first=MIB, cap=25 * MIB):
    """PyTorch's rebuilt buckets for gradients arriving in small pieces: 1 MiB, then 25 MiB."""
    sizes, left = [], total_bytes
    for limit in [first] + [cap] * math.ceil(total_bytes / cap):
        if left <= 0:
            break
        sizes.append(min(limit, left)); left -= limit
    return sizes


def step(compute, sizes, p, alpha, beta):
    """Step time and exposed communication, gradients arriving evenly during backward."""
    backward = compute * 2 / 3
    forward_and_rest = compute - backward
    total, done, end = sum(sizes), 0, 0.0
    for size in sizes:
        done += size
        ready = backward * done / total
        end = max(ready, end) + ring(size, p, alpha, beta)
    exposed = max(0.0, end - backward)
    return forward_and_rest + backward + exposed, exposed


def read_logs(paths):
    """Medians of the all-reduce times and of the compute step in `descent-bench` logs."""
    times, steps = {}, []
    for path in paths:
        for line in open(path, errors="replace"):
            if not line.startswith("RESULT "):
                continue
            kv = dict(t.split("=", 1) for t in line.split()[1:] if "=" in t)
            if kv["name"].startswith("ddp_allreduce_us_"):
                times.setdefault(int(kv["name"].rsplit("_", 1)[1]), []).append(float(kv["value"]) * 1e-6)
            elif kv["name"] == "mlp_local_step_ms":
                steps.append(float(kv["value"]) * 1e-3)
    if not times or not steps:
        sys.exit("no ddp_allreduce_us_* or mlp_local_step_ms RESULT lines in " + ", ".join(paths))
    return {n: statistics.median(t) for n, t in times.items()}, statistics.median(steps)


def main():
    global MEASURED, MLP_COMPUTE_S
    if len(sys.argv) > 1:
        MEASURED, MLP_COMPUTE_S = read_logs(sys.argv[1:])
    alpha, beta = fit(MEASURED)
    print(f"fitted on 2 ranks: alpha = {alpha * 1e6:.2f} us, beta = {beta / 1e9:.2f} GB/s")
    for n, t in sorted(MEASURED.items()):
        print(f"  {n:>9} bytes: measured {t * 1e6:9.1f} us, model {ring(n, 2, alpha, beta) * 1e6:9.1f} us")
    flops = 6 * MLP_PARAMS * BATCH / MLP_COMPUTE_S
    models = {
        "MLP (0.54M params, 1 bucket of 2.1 MB)": (MLP_COMPUTE_S, [4 * MLP_PARAMS]),
        "100M params (400 MB, 17 buckets)": (6 * 100e6 * BATCH / flops, buckets(400 * 10**6)),
    }
    print(f"compute: {flops / 1e9:.1f} GFLOP/s per rank (the MLP's), batch {BATCH} per rank")
    for name, (compute, sizes) in models.items():
        print(f"\n{name}: compute {compute * 1e3:.1f} ms per step")
        print(f"  {'link':<11} {'ranks':>5} {'all-reduce':>11} {'step':>10} {'exposed':>9} "
              f"{'efficiency':>10} {'hidden down to':>15}")
        for link, (link_beta, latency) in LINKS.items():
            for p in RANKS:
                a = alpha + latency
                comm = sum(ring(s, p, a, link_beta) for s in sizes)
                total, exposed = step(compute, sizes, p, a, link_beta)
                # The per-rank batch below which the reductions outlast backward: from there on
                # every further halving of the compute leaves more communication exposed.
                hidden = math.ceil(BATCH * sum(ring(s, p, a, link_beta) for s in sizes[:-1])
                                   / (compute * 2 / 3)) if len(sizes) > 1 else None
                print(f"  {link:<11} {p:>5} {comm * 1e3:8.2f} ms {total * 1e3:7.1f} ms "
                      f"{exposed * 1e3:6.1f} ms {compute / total:9.0%} "
                      f"{'never (1 bucket)' if hidden is None else f'batch {hidden}':>16}")


if __name__ == "__main__":
    main()
