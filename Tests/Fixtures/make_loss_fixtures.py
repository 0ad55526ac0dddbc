#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Descent's loss tests.

Writes ``losses.json`` next to this script: for each case the loss's inputs
and options, PyTorch's output, a random upstream gradient and the gradients
PyTorch's autograd gives the input (and the target, where PyTorch
differentiates it: every float target).

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_loss_fixtures.py           # write losses.json
    .venv-ref/bin/python Tests/Fixtures/make_loss_fixtures.py --check   # also gradcheck (float64)

Determinism: each case seeds torch's CPU generator with a fixed base seed plus
the CRC32 of its name, so adding or removing a case changes no other case.

Format (one case per line):

    {"torch_version": "2.x", "cases": [
      {"name": "mse_f32_4x3_mean", "loss": "mse_loss",
       "options": {"reduction": "mean"},          # plus beta, delta, ignore_index, label_smoothing
       "input":  {"shape": [4, 3], "dtype": "float32", "data": [...]},
       "target": {...}, "weight": {...} | null, "pos_weight": {...} | null,
       "output": {...}, "grad_output": {...},
       "grad_input": {...}, "grad_target": {...} | null}]}

`loss` is the torch.nn.functional name. The input always requires grad; the
target does when `grad_target` is not null. Float32 values are written as the
shortest decimal that reads back as the same float32; non-finite values (a
NaN mean over no targets, the infinite target gradient of binary cross entropy
at an input of exactly 0 or 1) are the strings "nan", "inf", "-inf".
"""

import argparse
import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "losses.json")
BASE_SEED = 2024

F32, F64, I64 = torch.float32, torch.float64, torch.int64
DTYPE_NAMES = {F32: "float32", F64: "float64", I64: "int64"}
REDUCTIONS = ("mean", "sum", "none")

CASES = []
CHECKS = []
_NAMES = set()


def number(v, dtype):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dtype == F32:
        # The shortest decimal of the float32 value, as a Python float, so json
        # writes those digits rather than the 17 of the widened double.
        return float(str(np.float32(v)))
    return float(v)


def tensor_json(t):
    if t is None:
        return None
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        flat = [number(v, t.dtype) for v in flat]
    else:
        flat = [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


def call(loss, x, y, w, pw, options):
    kw = {"reduction": options["reduction"]}
    if loss == "smooth_l1_loss":
        kw["beta"] = options["beta"]
    elif loss == "huber_loss":
        kw["delta"] = options["delta"]
    elif loss in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        kw["weight"] = w
        if loss == "binary_cross_entropy_with_logits":
            kw["pos_weight"] = pw
    elif loss in ("nll_loss", "cross_entropy"):
        kw["weight"] = w
        kw["ignore_index"] = options.get("ignore_index", -100)
        if loss == "cross_entropy":
            kw["label_smoothing"] = options.get("label_smoothing", 0.0)
    return getattr(F, loss)(x, y, **kw)


def add_case(name, loss, make, options, target_grad=None):
    """Register one case. make() -> (input, target, weight, pos_weight), drawn
    after seeding. The target requires grad when it is floating point, unless
    target_grad says otherwise."""
    if name in _NAMES:
        raise ValueError(f"duplicate case name {name}")
    _NAMES.add(name)
    torch.manual_seed(BASE_SEED + zlib.crc32(name.encode()))
    x, y, w, pw = make()
    x = x.detach().clone().requires_grad_(True)
    y = y.detach().clone()
    if target_grad is None:
        target_grad = y.dtype.is_floating_point
    if target_grad:
        y.requires_grad_(True)
    out = call(loss, x, y, w, pw, options)
    g = torch.randn(out.shape, dtype=out.dtype)
    out.backward(g)
    CASES.append({
        "name": name, "loss": loss, "options": options,
        "input": tensor_json(x), "target": tensor_json(y),
        "weight": tensor_json(w), "pos_weight": tensor_json(pw),
        "output": tensor_json(out), "grad_output": tensor_json(g),
        "grad_input": tensor_json(x.grad),
        "grad_target": tensor_json(y.grad) if target_grad else None,
    })
    CHECKS.append((name, loss, x, y, w, pw, options, target_grad))


def short(dtype):
    return {F32: "f32", F64: "f64"}[dtype]


def dims(shape):
    return "x".join(map(str, shape)) if shape else "0d"


# ---------------------------------------------------------------------------
# regression losses
# ---------------------------------------------------------------------------

def regression_cases():
    for loss, tag, extra in [
        ("mse_loss", "mse", {}),
        ("l1_loss", "l1", {}),
        ("smooth_l1_loss", "smooth_l1", {"beta": 1.0}),
        ("huber_loss", "huber", {"delta": 1.0}),
    ]:
        for dtype, shape in [(F32, [4, 3]), (F64, [2, 3, 2])]:
            for red in REDUCTIONS:
                add_case(
                    f"{tag}_{short(dtype)}_{dims(shape)}_{red}", loss,
                    lambda s=shape, d=dtype: (torch.randn(s, dtype=d) * 1.5,
                                              torch.randn(s, dtype=d) * 1.5, None, None),
                    dict(extra, reduction=red))
        # A 0-d pair and a 1-d vector.
        add_case(f"{tag}_f64_0d_mean", loss,
                 lambda: (torch.randn([], dtype=F64), torch.randn([], dtype=F64), None, None),
                 dict(extra, reduction="mean"))
        add_case(f"{tag}_f32_7_sum", loss,
                 lambda: (torch.randn(7) * 2, torch.randn(7) * 2, None, None),
                 dict(extra, reduction="sum"))
    # Float32 input against a float64 target computes (and returns) float64.
    add_case("mse_f32_input_f64_target_mean", "mse_loss",
             lambda: (torch.randn(5), torch.randn(5, dtype=F64), None, None),
             {"reduction": "mean"})
    for beta in (0.5, 2.0):
        for red in REDUCTIONS:
            add_case(f"smooth_l1_beta{beta}_f32_3x4_{red}", "smooth_l1_loss",
                     lambda: (torch.randn(3, 4) * 2, torch.randn(3, 4) * 2, None, None),
                     {"reduction": red, "beta": beta})
    add_case("smooth_l1_beta0_f64_3x4_mean", "smooth_l1_loss",
             lambda: (torch.randn(3, 4, dtype=F64), torch.randn(3, 4, dtype=F64), None, None),
             {"reduction": "mean", "beta": 0.0})
    for delta in (0.3, 2.5):
        for red in REDUCTIONS:
            add_case(f"huber_delta{delta}_f64_3x4_{red}", "huber_loss",
                     lambda: (torch.randn(3, 4, dtype=F64) * 2,
                              torch.randn(3, 4, dtype=F64) * 2, None, None),
                     {"reduction": red, "delta": delta})


# ---------------------------------------------------------------------------
# binary cross entropy
# ---------------------------------------------------------------------------

def bce_cases():
    probs = lambda s, d: torch.rand(s, dtype=d) * 0.96 + 0.02
    for dtype in (F32, F64):
        for red in REDUCTIONS:
            add_case(f"bce_{short(dtype)}_3x4_{red}", "binary_cross_entropy",
                     lambda d=dtype: (probs([3, 4], d), torch.rand(3, 4, dtype=d), None, None),
                     {"reduction": red})
    # Hard 0/1 labels, and class weights broadcast over the last dimension.
    for red in REDUCTIONS:
        add_case(f"bce_f32_4x3_weight3_{red}", "binary_cross_entropy",
                 lambda: (probs([4, 3], F32), torch.randint(0, 2, (4, 3)).float(),
                          torch.rand(3) * 1.5 + 0.25, None),
                 {"reduction": red})
    add_case("bce_f64_2x3_weight2x1_sum", "binary_cross_entropy",
             lambda: (probs([2, 3], F64), torch.rand(2, 3, dtype=F64),
                      torch.rand(2, 1, dtype=F64) + 0.5, None),
             {"reduction": "sum"})
    add_case("bce_f64_2x3_weightfull_mean", "binary_cross_entropy",
             lambda: (probs([2, 3], F64), torch.rand(2, 3, dtype=F64),
                      torch.rand(2, 3, dtype=F64) + 0.5, None),
             {"reduction": "mean"})
    # Inputs at and near 0 and 1: the log is clamped at -100 and the gradient's
    # denominator at 1e-12. The target gradient -logit(x) is infinite at 0 and 1.
    edges = {
        F32: [0.0, 1e-30, 1e-8, 1e-3, 0.5, 0.999, 1 - 1e-7, 1.0],
        F64: [0.0, 1e-300, 1e-50, 1e-12, 0.5, 1 - 1e-12, 1 - 1e-16, 1.0],
    }
    for dtype in (F32, F64):
        for red in REDUCTIONS:
            add_case(f"bce_edges_{short(dtype)}_8_{red}", "binary_cross_entropy",
                     lambda d=dtype: (torch.tensor(edges[d], dtype=d),
                                      torch.tensor([1, 0.5, 1, 0, 0.3, 1, 0, 0], dtype=d),
                                      None, None),
                     {"reduction": red})


def bce_logits_cases():
    for dtype in (F32, F64):
        for red in REDUCTIONS:
            add_case(f"bce_logits_{short(dtype)}_3x4_{red}", "binary_cross_entropy_with_logits",
                     lambda d=dtype: (torch.randn(3, 4, dtype=d) * 3, torch.rand(3, 4, dtype=d),
                                      None, None),
                     {"reduction": red})
        for red in REDUCTIONS:
            add_case(f"bce_logits_posweight_{short(dtype)}_4x3_{red}",
                     "binary_cross_entropy_with_logits",
                     lambda d=dtype: (torch.randn(4, 3, dtype=d) * 2,
                                      torch.randint(0, 2, (4, 3)).to(d), None,
                                      torch.rand(3, dtype=d) * 3 + 0.2),
                     {"reduction": red})
    for red in REDUCTIONS:
        add_case(f"bce_logits_weight_posweight_f64_2x3x2_{red}",
                 "binary_cross_entropy_with_logits",
                 lambda: (torch.randn(2, 3, 2, dtype=F64) * 2, torch.rand(2, 3, 2, dtype=F64),
                          torch.rand(3, 1, dtype=F64) + 0.5, torch.rand(2, dtype=F64) * 2 + 0.5),
                 {"reduction": red})
    add_case("bce_logits_weight_f32_3x4_sum", "binary_cross_entropy_with_logits",
             lambda: (torch.randn(3, 4) * 2, torch.rand(3, 4), torch.rand(4) + 0.5, None),
             {"reduction": "sum"})
    # Huge scores: the stable form neither overflows nor loses the loss of a
    # confidently wrong score.
    big = [-200.0, -40.0, -17.0, -0.5, 0.0, 0.5, 17.0, 40.0, 200.0]
    for dtype in (F32, F64):
        for red in ("mean", "none"):
            add_case(f"bce_logits_large_{short(dtype)}_9_{red}",
                     "binary_cross_entropy_with_logits",
                     lambda d=dtype: (torch.tensor(big, dtype=d),
                                      torch.tensor([1, 0, 1, 0.5, 1, 0, 0, 1, 0], dtype=d),
                                      None, None),
                     {"reduction": red})
    add_case("bce_logits_large_posweight_f32_9_sum", "binary_cross_entropy_with_logits",
             lambda: (torch.tensor(big), torch.tensor([1, 0, 1, 0.5, 1, 0, 0, 1, 0.]),
                      None, torch.tensor([2.5])),
             {"reduction": "sum"})


# ---------------------------------------------------------------------------
# classification: nll_loss and cross_entropy
# ---------------------------------------------------------------------------

def class_targets(shape, classes, ignore=None, ignore_every=3):
    t = torch.randint(0, classes, shape)
    if ignore is not None:
        flat = t.view(-1)
        flat[::ignore_every] = ignore
    return t


def log_probs(shape, dtype, dim=1):
    return torch.log_softmax(torch.randn(shape, dtype=dtype) * 2, dim=dim)


def nll_cases():
    for dtype in (F32, F64):
        for red in REDUCTIONS:
            add_case(f"nll_{short(dtype)}_4x5_{red}", "nll_loss",
                     lambda d=dtype: (log_probs([4, 5], d), class_targets([4], 5), None, None),
                     {"reduction": red})
    for red in REDUCTIONS:
        add_case(f"nll_weight_f32_6x4_{red}", "nll_loss",
                 lambda: (log_probs([6, 4], F32), class_targets([6], 4),
                          torch.rand(4) * 2 + 0.1, None),
                 {"reduction": red})
        add_case(f"nll_ignore_f64_6x4_{red}", "nll_loss",
                 lambda: (log_probs([6, 4], F64), class_targets([6], 4, ignore=-100), None, None),
                 {"reduction": red, "ignore_index": -100})
        add_case(f"nll_weight_ignore2_f64_7x4_{red}", "nll_loss",
                 lambda: (log_probs([7, 4], F64), torch.tensor([2, 0, 1, 2, 3, 2, 1]),
                          torch.rand(4, dtype=F64) * 2 + 0.1, None),
                 {"reduction": red, "ignore_index": 2})
        add_case(f"nll_f32_2x3x4_{red}", "nll_loss",
                 lambda: (log_probs([2, 3, 4], F32), class_targets([2, 4], 3), None, None),
                 {"reduction": red})
        add_case(f"nll_unbatched_f64_5_{red}", "nll_loss",
                 lambda: (log_probs([5], F64, dim=0), torch.tensor(3), None, None),
                 {"reduction": red})
    add_case("nll_weight_ignore_f64_2x3x2x2_mean", "nll_loss",
             lambda: (log_probs([2, 3, 2, 2], F64), class_targets([2, 2, 2], 3, ignore=-100),
                      torch.rand(3, dtype=F64) + 0.5, None),
             {"reduction": "mean", "ignore_index": -100})
    for red in REDUCTIONS:
        add_case(f"nll_all_ignored_f32_3x4_{red}", "nll_loss",
                 lambda: (log_probs([3, 4], F32), torch.full((3,), -100), None, None),
                 {"reduction": red})


def cross_entropy_cases():
    logits = lambda s, d, scale=2.0: torch.randn(s, dtype=d) * scale
    for dtype in (F32, F64):
        for red in REDUCTIONS:
            add_case(f"ce_{short(dtype)}_4x5_{red}", "cross_entropy",
                     lambda d=dtype: (logits([4, 5], d), class_targets([4], 5), None, None),
                     {"reduction": red})
    for red in REDUCTIONS:
        add_case(f"ce_weight_f32_6x4_{red}", "cross_entropy",
                 lambda: (logits([6, 4], F32), class_targets([6], 4), torch.rand(4) * 2 + 0.1,
                          None),
                 {"reduction": red})
        add_case(f"ce_weight_ignore_f64_6x4_{red}", "cross_entropy",
                 lambda: (logits([6, 4], F64), class_targets([6], 4, ignore=-1),
                          torch.rand(4, dtype=F64) * 2 + 0.1, None),
                 {"reduction": red, "ignore_index": -1})
        add_case(f"ce_smooth0.1_f32_5x4_{red}", "cross_entropy",
                 lambda: (logits([5, 4], F32), class_targets([5], 4), None, None),
                 {"reduction": red, "label_smoothing": 0.1})
        add_case(f"ce_smooth0.25_weight_ignore_f64_6x3_{red}", "cross_entropy",
                 lambda: (logits([6, 3], F64), class_targets([6], 3, ignore=-100),
                          torch.rand(3, dtype=F64) * 2 + 0.1, None),
                 {"reduction": red, "label_smoothing": 0.25})
        add_case(f"ce_probs_f32_4x5_{red}", "cross_entropy",
                 lambda: (logits([4, 5], F32), torch.softmax(torch.randn(4, 5), 1), None, None),
                 {"reduction": red})
        add_case(f"ce_probs_weight_f64_4x3_{red}", "cross_entropy",
                 lambda: (logits([4, 3], F64), torch.softmax(torch.randn(4, 3, dtype=F64), 1),
                          torch.rand(3, dtype=F64) + 0.5, None),
                 {"reduction": red})
        add_case(f"ce_f64_2x3x4_{red}", "cross_entropy",
                 lambda: (logits([2, 3, 4], F64), class_targets([2, 4], 3), None, None),
                 {"reduction": red})
        add_case(f"ce_unbatched_f32_5_{red}", "cross_entropy",
                 lambda: (logits([5], F32), torch.tensor(1), None, None),
                 {"reduction": red})
    add_case("ce_probs_smooth0.2_f32_3x4_mean", "cross_entropy",
             lambda: (logits([3, 4], F32), torch.softmax(torch.randn(3, 4), 1), None, None),
             {"reduction": "mean", "label_smoothing": 0.2})
    add_case("ce_probs_f32_2x3x2_mean", "cross_entropy",
             lambda: (logits([2, 3, 2], F32), torch.softmax(torch.randn(2, 3, 2), 1), None, None),
             {"reduction": "mean"})
    add_case("ce_probs_weight_f64_2x3x2_none", "cross_entropy",
             lambda: (logits([2, 3, 2], F64), torch.softmax(torch.randn(2, 3, 2, dtype=F64), 1),
                      torch.rand(3, dtype=F64) + 0.5, None),
             {"reduction": "none"})
    add_case("ce_probs_unbatched_f64_4_mean", "cross_entropy",
             lambda: (logits([4], F64), torch.softmax(torch.randn(4, dtype=F64), 0), None, None),
             {"reduction": "mean"})
    add_case("ce_weight_ignore_smooth0.1_f32_2x3x2x2_mean", "cross_entropy",
             lambda: (logits([2, 3, 2, 2], F32), class_targets([2, 2, 2], 3, ignore=-100),
                      torch.rand(3) + 0.5, None),
             {"reduction": "mean", "label_smoothing": 0.1})
    add_case("ce_ignore_f32_2x3x2x2_none", "cross_entropy",
             lambda: (logits([2, 3, 2, 2], F32), class_targets([2, 2, 2], 3, ignore=-100),
                      None, None),
             {"reduction": "none"})
    add_case("ce_unbatched_smooth0.3_f64_4_none", "cross_entropy",
             lambda: (logits([4], F64), torch.tensor(0), None, None),
             {"reduction": "none", "label_smoothing": 0.3})
    # Scores in the hundreds: log-sum-exp keeps them finite.
    for dtype in (F32, F64):
        add_case(f"ce_large_{short(dtype)}_3x4_mean", "cross_entropy",
                 lambda d=dtype: (logits([3, 4], d, scale=300.0), class_targets([3], 4),
                                  None, None),
                 {"reduction": "mean"})
    add_case("ce_all_ignored_f64_3x4_mean", "cross_entropy",
             lambda: (logits([3, 4], F64), torch.full((3,), -100), None, None),
             {"reduction": "mean"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="gradcheck every case in float64")
    args = parser.parse_args()

    regression_cases()
    bce_cases()
    bce_logits_cases()
    nll_cases()
    cross_entropy_cases()

    lines = ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES)
    text = '{"torch_version": %s, "cases": [\n%s\n]}\n' % (json.dumps(torch.__version__), lines)
    with open(args.out, "w") as f:
        f.write(text)
    print(f"wrote {len(CASES)} cases, {len(text)} bytes to {os.path.basename(args.out)}")

    if args.check:
        failed = 0
        for name, loss, x, y, w, pw, options, target_grad in CHECKS:
            if "edges" in name or "large" in name or "all_ignored" in name:
                continue  # clamps, saturation and NaN are not smooth
            if loss == "binary_cross_entropy" and ((y == 0) | (y == 1)).any():
                target_grad = False  # a step off a hard label leaves [0, 1]
            xd = x.detach().double().requires_grad_(True)
            yd = y.detach().double() if y.dtype.is_floating_point else y.detach()
            if target_grad:
                yd.requires_grad_(True)
            wd = None if w is None else w.double()
            pwd = None if pw is None else pw.double()
            inputs = (xd, yd) if target_grad else (xd,)
            fn = (lambda a, b: call(loss, a, b, wd, pwd, options)) if target_grad else \
                (lambda a: call(loss, a, yd, wd, pwd, options))
            if not torch.autograd.gradcheck(fn, inputs, raise_exception=False):
                print("gradcheck failed:", name)
                failed += 1
        print(f"gradcheck: {failed} failures")


if __name__ == "__main__":
    main()
