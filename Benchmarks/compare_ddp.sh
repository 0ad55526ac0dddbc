#!/usr/bin/env bash
# Data-parallel training against PyTorch's gloo backend, side by side in one sitting:
# `descent-bench allreduce` (an MPI job of 2 processes) and shared/bench/ddp_torch.py,
# interleaved for ROUNDS rounds, then medians and ratios.
#
# Usage: PY=.venv-ref/bin/python bash Benchmarks/compare_ddp.sh [ROUNDS=3]
# Needs an MPI (apt-get install openmpi-bin) and torch for $PY. DESCENT_BENCH_LAUNCHER picks the
# launcher (default: mpirun -np 2 --oversubscribe).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
PY=${PY:-python3}
ROUNDS=${1:-3}
OUT=$(mktemp -d)
export OMP_NUM_THREADS=1

SCRATCH=${SCRATCH:-$ROOT/.build}
swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --product descent-bench >/dev/null
BENCH="$SCRATCH/release/descent-bench"

for r in $(seq 1 "$ROUNDS"); do
  "$BENCH" allreduce > "$OUT/descent_r$r.log" 2>&1
  $PY "$SHARED/ddp_torch.py" > "$OUT/torch_r$r.log" 2>&1
done

$PY - "$OUT" <<'PYEOF'
import glob, os, statistics, sys
from collections import defaultdict
values = defaultdict(list)
for path in glob.glob(os.path.join(sys.argv[1], "*.log")):
    side = os.path.basename(path).split("_")[0]
    for line in open(path, errors="replace"):
        if line.startswith("RESULT "):
            kv = dict(t.split("=", 1) for t in line.split()[1:] if "=" in t)
            values[(side, kv["name"])].append(float(kv["value"]))
med = {k: statistics.median(v) for k, v in values.items()}
runs = {k: ", ".join(f"{x:.4g}" for x in v) for k, v in values.items()}
print(f"{'all-reduce, 2 ranks':<22} {'Descent busbw':>14} {'gloo busbw':>11} {'Descent time':>13} {'gloo time':>11}  ratio")
for size in [1 << 10, 1 << 14, 1 << 18, 1 << 22, 1 << 26]:
    d, t = med.get(("descent", f"ddp_allreduce_busbw_{size}")), med.get(("torch", f"ddp_allreduce_busbw_{size}"))
    if d and t:
        # busbw = 2(p-1)/p * bytes / time, and 2(p-1)/p = 1 for p = 2.
        print(f"{size:>12} bytes      {d:10.3f} GB/s {t:7.3f} GB/s {size / d / 1e3:10.1f} us {size / t / 1e3:8.1f} us  {d / t:6.1f}x")
d, t = med.get(("descent", "ddp_mlp_samples_per_s")), med.get(("torch", "ddp_mlp_samples_per_s"))
if d and t:
    print(f"DDP MLP samples/s      {d:10.0f}      {t:10.0f}  {d / t:.2f}x")
for key in sorted(values):
    print(f"  runs {key[0]} {key[1]}: {runs[key]}")
PYEOF
rm -rf "$OUT"
