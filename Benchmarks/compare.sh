#!/usr/bin/env bash
# Descent against PyTorch/NumPy, side by side in one sitting: descent-bench and the reference
# scripts of shared/bench, interleaved for ROUNDS rounds, then medians and ratios.
#
# Usage: PY=.venv-ref/bin/python bash Benchmarks/compare.sh [ROUNDS=3] [WORKLOADS="linreg gemm"]
#        (workloads: linreg gemm heightweight mlp cnn); THREADS=N runs the cnn workload on N
#        threads on both sides (default 1; THREADS=$(nproc) for the machine's default).
# Needs torch and numpy for $PY (python3 -m venv .venv-ref && .venv-ref/bin/pip install torch numpy).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
PY=${PY:-python3}
ROUNDS=${1:-3}
WORKLOADS=${2:-linreg gemm}
OUT=$(mktemp -d)
THREADS=${THREADS:-1}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BENCH_THREADS=1

SCRATCH=${SCRATCH:-$ROOT/.build}
swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --product descent-bench >/dev/null
BENCH="$SCRATCH/release/descent-bench"

for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    if [ "$w" = cnn ]; then threads=$THREADS; else threads=1; fi
    "$BENCH" "$w" --threads "$threads" > "$OUT/descent_${w}_r$r.log"
    case $w in
      linreg) $PY "$SHARED/seed_linreg_torch.py" --threads 1 > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      gemm) env -u OPENBLAS_CORETYPE $PY "$SHARED/sgemm_ref.py" --threads 1 > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      heightweight) $PY "$SHARED/seed_heightweight_torch.py" --threads 1 > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      mlp) $PY "$SHARED/mlp_train_torch.py" --threads 1 > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      cnn) $PY "$SHARED/cnn_train_torch.py" --threads "$threads" > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
    esac
  done
done

$PY - "$OUT" <<'PYEOF'
import glob, os, statistics, sys
from collections import defaultdict
folder = sys.argv[1]
values = defaultdict(list)
for path in glob.glob(os.path.join(folder, "*.log")):
    side = os.path.basename(path).split("_")[0]
    for line in open(path, errors="replace"):
        if line.startswith("RESULT "):
            kv = dict(t.split("=", 1) for t in line.split()[1:] if "=" in t)
            values[(side, kv["name"], kv["unit"])].append(float(kv["value"]))
med = {k: statistics.median(v) for k, v in values.items()}
def get(side, name):
    return next(((v, u) for (s, n, u), v in med.items() if s == side and n == name), (None, None))
print(f"{'workload':<34} {'Descent':>10} {'PyTorch':>10} {'NumPy':>10}  ratio (unit)")
for name in ["linreg_manual_us_per_epoch", "linreg_module_us_per_epoch",
             "heightweight_sgd_us_per_epoch", "heightweight_momentum_us_per_epoch"]:
    d, u = get("descent", name); t, _ = get("torch", name)
    if d and t:
        print(f"{name:<34} {d:10.2f} {t:10.2f} {'':>10}  {t / d:5.1f}x faster ({u})")
for name in ["heightweight_momentum_final_loss", "mlp_final_train_acc", "cnn_final_train_acc"]:
    d, u = get("descent", name); t, _ = get("torch", name)
    if d is not None and t is not None:
        print(f"{name:<34} {d:10.4f} {t:10.4f} {'':>10}  difference {d - t:+.4f} ({u})")
d, u = get("descent", "mlp_samples_per_s"); t, _ = get("torch", "mlp_samples_per_s")
if d and t:
    print(f"{'mlp_samples_per_s':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f}x PyTorch ({u})")
d, u = get("descent", "mlp_peak_rss"); t, _ = get("torch", "mlp_peak_rss")
if d and t:
    print(f"{'mlp_peak_rss':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f} of PyTorch's ({u})")
d, u = get("descent", "cnn_samples_per_s"); t, _ = get("torch", "cnn_samples_per_s")
if d and t:
    print(f"{'cnn_samples_per_s':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f}x PyTorch ({u})")
d, u = get("descent", "cnn_peak_rss"); t, _ = get("torch", "cnn_peak_rss")
if d and t:
    print(f"{'cnn_peak_rss':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f} of PyTorch's ({u})")
for shape in ["sq64", "sq128", "sq256", "sq512", "sq1024", "sq2048", "128x784x512", "128x512x256"]:
    d, u = get("descent", f"descent_sgemm_{shape}"); t, _ = get("torch", f"torch_sgemm_{shape}"); n, _ = get("torch", f"numpy_sgemm_{shape}")
    if d and t:
        extra = f", {d / n:4.2f} of NumPy" if n else ""
        print(f"{'sgemm_' + shape:<34} {d:10.1f} {t:10.1f} {n or 0:10.1f}  {d / t:5.2f}x PyTorch{extra} ({u})")
PYEOF
echo "logs in $OUT"
