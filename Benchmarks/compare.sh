#!/usr/bin/env bash
# Descent against PyTorch/NumPy, side by side in one sitting: descent-bench and the reference
# scripts of shared/bench (and Benchmarks/gemm_ref.py), interleaved for ROUNDS rounds, then
# medians and ratios.
#
# Usage: PY=.venv-ref/bin/python bash Benchmarks/compare.sh [ROUNDS=3] [WORKLOADS="linreg gemm"] [THREADS=1]
#        workloads: linreg gemm heightweight mlp lstm transformer cnn; "seq" runs both of the
#        latter in one process on each side, as seq_train_torch.py does, for seq_peak_rss
#        THREADS: a count for both sides, or "default" (Descent's default, the usable physical
#        cores; PyTorch's own default; OpenBLAS with as many threads as PyTorch)
# gemm also measures the FMA ceiling (shared/bench/fma_peak.c, built with cc) and runs OpenBLAS
# on the same instruction set as Descent's kernel path (OPENBLAS_CORETYPE=Haswell for AVX2).
# Needs torch and numpy for $PY (python3 -m venv .venv-ref && .venv-ref/bin/pip install torch numpy).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
PY=${PY:-python3}
ROUNDS=${1:-3}
WORKLOADS=${2:-linreg gemm}
THREADS=${3:-1}
OUT=$(mktemp -d)

SCRATCH=${SCRATCH:-$ROOT/.build}
swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --product descent-bench >/dev/null
BENCH="$SCRATCH/release/descent-bench"

if [ "$THREADS" = default ]; then
  DESCENT_THREADS=()
  TORCH_THREADS=$(env -u OMP_NUM_THREADS -u MKL_NUM_THREADS $PY -c 'import torch; print(torch.get_num_threads())')
else
  DESCENT_THREADS=(--threads "$THREADS")
  TORCH_THREADS=$THREADS
fi
export OMP_NUM_THREADS=$TORCH_THREADS OPENBLAS_NUM_THREADS=$TORCH_THREADS MKL_NUM_THREADS=$TORCH_THREADS
export BENCH_THREADS=$TORCH_THREADS
PATH_NAME=$(DESCENT_CPU= "$BENCH" gemm --threads 1 2>/dev/null | sed -n 's/^gemm path: \([a-z0-9]*\).*/\1/p' | head -1 || true)
if [[ " $WORKLOADS " == *" gemm "* ]]; then
  cc -O2 -pthread "$SHARED/fma_peak.c" -o "$OUT/fma_peak"
fi

for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    if [ "$w" = seq ]; then
      "$BENCH" lstm transformer "${DESCENT_THREADS[@]}" > "$OUT/descent_${w}_r$r.log"
    else
      "$BENCH" "$w" "${DESCENT_THREADS[@]}" > "$OUT/descent_${w}_r$r.log"
    fi
    case $w in
      linreg) $PY "$SHARED/seed_linreg_torch.py" --threads "$TORCH_THREADS" > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      gemm)
        if [ "$PATH_NAME" = avx2 ]; then core=(env OPENBLAS_CORETYPE=Haswell); else core=(env -u OPENBLAS_CORETYPE); fi
        "${core[@]}" $PY "$ROOT/Benchmarks/gemm_ref.py" --threads "$TORCH_THREADS" > "$OUT/torch_${w}_r$r.log" 2>&1
        "$OUT/fma_peak" "$TORCH_THREADS" > "$OUT/peak_${w}_r$r.log" ;;
      heightweight) $PY "$SHARED/seed_heightweight_torch.py" --threads "$TORCH_THREADS" > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      mlp) $PY "$SHARED/mlp_train_torch.py" --threads "$TORCH_THREADS" > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      lstm|transformer) $PY "$SHARED/seq_train_torch.py" --threads "$TORCH_THREADS" "$w" > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      seq) $PY "$SHARED/seq_train_torch.py" --threads "$TORCH_THREADS" lstm transformer > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
      cnn) $PY "$SHARED/cnn_train_torch.py" --threads "$TORCH_THREADS" > "$OUT/torch_${w}_r$r.log" 2>&1 ;;
    esac
  done
done

echo "threads: Descent $THREADS, PyTorch/OpenBLAS $TORCH_THREADS; Descent GEMM path: ${PATH_NAME:-?}"
$PY - "$OUT" "$PATH_NAME" <<'PYEOF'
import glob, os, statistics, sys
from collections import defaultdict
folder, path = sys.argv[1], sys.argv[2]
values = defaultdict(list)
for log in glob.glob(os.path.join(folder, "*.log")):
    side = os.path.basename(log).split("_")[0]
    for line in open(log, errors="replace"):
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
peak = get("peak", "fma_peak_avx512" if path == "avx512" else "fma_peak_avx2")[0]
if peak:
    print(f"FMA ceiling ({path or 'avx2'}, float32): {peak:.1f} GFLOP/s; float64: {peak / 2:.1f}")
shapes = ["sq64", "sq128", "sq256", "sq512", "sq1024", "sq2048", "128x784x512", "128x512x256",
          "fwd_128x784x512", "wgrad_512x128x784", "igrad_128x512x784",
          "fwd_128x512x256", "wgrad_256x128x512", "igrad_128x256x512"]
for kind, scale in (("sgemm", 1.0), ("dgemm", 0.5)):
    for shape in shapes:
        d, u = get("descent", f"descent_{kind}_{shape}"); t, _ = get("torch", f"torch_{kind}_{shape}")
        n, _ = get("torch", f"numpy_{kind}_{shape}")
        if d and n:
            ceiling = f", {100 * d / (peak * scale):3.0f}% of FMA ceiling" if peak else ""
            print(f"{kind + '_' + shape:<34} {d:10.1f} {t or 0:10.1f} {n:10.1f}  {d / n:5.2f}x NumPy/OpenBLAS, "
                  f"{d / t:4.2f}x PyTorch{ceiling} ({u})")
d, u = get("descent", "cnn_samples_per_s"); t, _ = get("torch", "cnn_samples_per_s")
if d and t:
    print(f"{'cnn_samples_per_s':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f}x PyTorch ({u})")
d, u = get("descent", "cnn_peak_rss"); t, _ = get("torch", "cnn_peak_rss")
if d and t:
    print(f"{'cnn_peak_rss':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f} of PyTorch's ({u})")
for name in ["lstm_tokens_per_s", "transformer_samples_per_s"]:
    d, u = get("descent", name); t, _ = get("torch", name)
    if d and t:
        print(f"{name:<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f}x PyTorch ({u})")
d, u = get("descent", "seq_peak_rss"); t, _ = get("torch", "seq_peak_rss")
if d and t:
    print(f"{'seq_peak_rss':<34} {d:10.0f} {t:10.0f} {'':>10}  {d / t:5.2f} of PyTorch's ({u})")
PYEOF
echo "logs in $OUT"
