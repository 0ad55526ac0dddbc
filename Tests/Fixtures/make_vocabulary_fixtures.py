#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Descent's tensor vocabulary.

Writes ``vocabulary.json`` next to this script, in the format of ``ops.json``
(see README.md), for the ops sequence models and their users need: masking,
triangles, batched products, running sums and products, one-hot, repetition,
sorting, einsum, rounding, remainders, smooth activations, norms, float
classification, scatter/index adds and unfold.

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_vocabulary_fixtures.py           # write vocabulary.json
    .venv-ref/bin/python Tests/Fixtures/make_vocabulary_fixtures.py --check   # also gradcheck each case

Unlike ops.json, inputs and outputs may hold NaN and infinities (isnan,
nanToNum, a -inf attention mask): they are written as the strings "nan",
"inf" and "-inf", in data and in number arguments.

Determinism: each case seeds torch's CPU generator with a fixed base seed plus
the CRC32 of its name, as make_op_fixtures.py does. Inputs avoid ties where
PyTorch's choice among equal values is unspecified (sort, topk, kthvalue,
median: see the notes at gen_sorting) and kinks where finite differences would
disagree with the analytic gradient.
"""

import argparse
import json
import math
import os
import sys
import zlib

import torch

from make_op_fixtures import (BOOL, DTYPE_NAMES, F32, F64, I64, SHORT, distinct, positive,
                              rand_bool, randn, shape_tag, signed_away, uniform)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "vocabulary.json")
BASE_SEED = 4321

CASES = []
CHECKS = []
_NAMES = set()


def number_json(v):
    """A float as JSON: finite values as numbers, the others as strings."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def tensor_json(t):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        flat = [number_json(v) for v in flat]
    elif t.dtype == BOOL:
        flat = [bool(v) for v in flat]
    else:
        flat = [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


def args_json(args):
    return {k: (number_json(v) if isinstance(v, float) else v) for k, v in args.items()}


def add_case(name, op, args, make_inputs, fn, differentiable=True, check=True):
    """Register one case (see make_op_fixtures.add_case). fn returns a tensor or a
    (values, int64 indices) pair; the gradient flows from the values. check=False keeps the
    case out of --check (a subgradient at a kink, where finite differences cannot agree)."""
    if name in _NAMES:
        raise ValueError(f"duplicate case name {name}")
    _NAMES.add(name)
    torch.manual_seed(BASE_SEED + zlib.crc32(name.encode()))
    inputs = []
    for item in make_inputs():
        t, rg = item if isinstance(item, tuple) else (item, item.dtype.is_floating_point and differentiable)
        t = t.detach().clone()
        if rg:
            t.requires_grad_(True)
        inputs.append(t)
    res = fn(*inputs)
    indices = None
    if isinstance(res, tuple):
        res, indices = res
    case = {"name": name, "op": op, "args": args_json(args),
            "inputs": [dict(tensor_json(t), requires_grad=bool(t.requires_grad)) for t in inputs],
            "output": tensor_json(res)}
    if indices is not None:
        case["output_indices"] = tensor_json(indices)
    if res.requires_grad:
        g = torch.randn(res.shape, dtype=res.dtype)
        res.backward(g)
        case["grad_output"] = tensor_json(g)
        # An undefined gradient (the 0-"norm" has none) is a zero gradient.
        case["grads"] = [tensor_json(t.grad if t.grad is not None else torch.zeros_like(t))
                         if t.requires_grad else None for t in inputs]
        if check and torch.isfinite(res.detach()).all():  # finite differences need finite outputs
            CHECKS.append((name, fn, inputs))
    else:
        case["grad_output"] = None
        case["grads"] = [None] * len(inputs)
    CASES.append(case)


def nd(t):
    """An input that does not require grad."""
    return (t, False)


def ints(shape, lo, hi):
    return torch.randint(lo, hi, shape)


# ---------------------------------------------------------------------------
# masking, triangles, batched products
# ---------------------------------------------------------------------------

def gen_masking():
    for ss, ms, dt in (([3, 4], [3, 4], F32), ([3, 4], [4], F32), ([3, 4], [2, 3, 4], F32),
                       ([2, 2, 3, 3], [3, 3], F64), ([], [2], F32)):
        add_case(f"masked_fill_{SHORT[dt]}_{shape_tag(ss)}_m{shape_tag(ms)}", "masked_fill",
                 {"value": -1.5}, lambda ss=ss, ms=ms, dt=dt: [randn(ss, dt), nd(rand_bool(ms))],
                 lambda x, m: x.masked_fill(m, -1.5))
    add_case("masked_fill_f32_neg_inf", "masked_fill", {"value": -math.inf},
             lambda: [randn([2, 4]), nd(torch.tensor([True, False, False, True]))],
             lambda x, m: x.masked_fill(m, -math.inf))
    add_case("masked_fill_i64_truncates", "masked_fill", {"value": -2.7},
             lambda: [ints([2, 3], -5, 5), nd(rand_bool([2, 3]))], lambda x, m: x.masked_fill(m, -2.7))
    add_case("masked_fill_bool", "masked_fill", {"value": 1},
             lambda: [rand_bool([5]), nd(rand_bool([5]))], lambda x, m: x.masked_fill(m, 1))
    for dt in (F32, F64):
        add_case(f"masked_fill_tensor_{SHORT[dt]}", "masked_fill_tensor", {},
                 lambda dt=dt: [randn([3, 4], dt), nd(rand_bool([3, 1])), randn([], dt)],
                 lambda x, m, v: x.masked_fill(m, v))
    for dt in (F32, F64):
        add_case(f"where_{SHORT[dt]}_bcast", "where", {},
                 lambda dt=dt: [nd(rand_bool([3, 1])), randn([1, 4], dt), randn([3, 4], dt)],
                 torch.where)


def gen_triangles():
    for op in ("tril", "triu"):
        for shape, diag, dt in (([4, 5], 0, F32), ([4, 5], 1, F32), ([4, 5], -2, F32),
                                ([2, 3, 4], 0, F64), ([3, 3], 10, F32), ([3, 3], -10, F32),
                                ([2, 1, 3, 2], 1, F32), ([5, 3], -1, F64)):
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(shape)}_d{diag}", op, {"diagonal": diag},
                     lambda shape=shape, dt=dt: [randn(shape, dt)],
                     lambda x, op=op, diag=diag: getattr(torch, op)(x, diag))
        add_case(f"{op}_i64", op, {"diagonal": 0}, lambda: [ints([3, 4], -9, 9)], getattr(torch, op))
        add_case(f"{op}_bool", op, {"diagonal": 1}, lambda: [rand_bool([4, 4])],
                 lambda x, op=op: getattr(torch, op)(x, 1))


def gen_batched_products():
    for dt in (F32, F64):
        add_case(f"bmm_{SHORT[dt]}_2x3x4_2x4x5", "bmm", {},
                 lambda dt=dt: [randn([2, 3, 4], dt), randn([2, 4, 5], dt)], torch.bmm)
    add_case("bmm_f32_1x1x1", "bmm", {}, lambda: [randn([1, 1, 1]), randn([1, 1, 1])], torch.bmm)
    add_case("bmm_f32_2x9x17_2x17x8", "bmm", {},
             lambda: [randn([2, 9, 17]), randn([2, 17, 8])], torch.bmm)
    add_case("bmm_i64", "bmm", {}, lambda: [ints([2, 2, 3], -4, 4), ints([2, 3, 2], -4, 4)], torch.bmm)
    add_case("baddbmm_i64", "baddbmm", {"beta": 2, "alpha": -1},
             lambda: [ints([2, 2, 2], -4, 4), ints([2, 2, 3], -4, 4), ints([2, 3, 2], -4, 4)],
             lambda i, a, b: torch.baddbmm(i, a, b, beta=2, alpha=-1))
    for tag, ishape, beta, alpha in (("full", [2, 3, 5], 1.0, 1.0), ("row", [5], 0.5, 2.0),
                                     ("col", [3, 1], -1.0, 0.25), ("beta0", [2, 3, 5], 0.0, 1.5)):
        for dt in (F32, F64):
            add_case(f"baddbmm_{SHORT[dt]}_{tag}", "baddbmm", {"beta": beta, "alpha": alpha},
                     lambda ishape=ishape, dt=dt: [randn(ishape, dt), randn([2, 3, 4], dt),
                                                   randn([2, 4, 5], dt)],
                     lambda i, a, b, beta=beta, alpha=alpha: torch.baddbmm(i, a, b, beta=beta, alpha=alpha))


# ---------------------------------------------------------------------------
# running sums and products, one-hot, repetition, reordering
# ---------------------------------------------------------------------------

def with_zeros(shape, dt, positions):
    x = signed_away(shape, dt, 0.5, 1.5)
    flat = x.reshape(-1)
    for p in positions:
        flat[p] = 0
    return flat.reshape(shape)


def gen_cumulative():
    for shape, dim, dt in (([3, 4], 0, F32), ([3, 4], 1, F32), ([3, 4], -1, F64),
                           ([2, 3, 4], 1, F32), ([7], 0, F64), ([], 0, F32)):
        add_case(f"cumsum_{SHORT[dt]}_{shape_tag(shape)}_dim{dim}", "cumsum", {"dim": dim},
                 lambda shape=shape, dt=dt: [randn(shape, dt)], lambda x, dim=dim: x.cumsum(dim))
        add_case(f"cumprod_{SHORT[dt]}_{shape_tag(shape)}_dim{dim}", "cumprod", {"dim": dim},
                 lambda shape=shape, dt=dt: [signed_away(shape, dt, 0.5, 1.5)],
                 lambda x, dim=dim: x.cumprod(dim))
    add_case("cumsum_i64", "cumsum", {"dim": 1}, lambda: [ints([2, 5], -9, 9)], lambda x: x.cumsum(1))
    add_case("cumsum_bool", "cumsum", {"dim": 0}, lambda: [rand_bool([6])], lambda x: x.cumsum(0))
    add_case("cumprod_i64", "cumprod", {"dim": 0}, lambda: [ints([5, 2], -3, 4)], lambda x: x.cumprod(0))
    # Zeros: one, two, at the start, at the end, a whole slice of them; along dim 1 of [3, 6]
    # and dim 0 of [5, 2] (strided slices).
    for tag, shape, dim, zeros in (("one", [3, 6], 1, [2, 9, 17]), ("two", [3, 6], 1, [1, 4, 8, 9]),
                                   ("first", [3, 6], 1, [0, 6, 12]), ("dim0", [5, 2], 0, [2, 3, 6]),
                                   ("many", [1, 6], 1, [0, 1, 2, 3, 4, 5])):
        for dt in (F32, F64):
            add_case(f"cumprod_{SHORT[dt]}_zeros_{tag}", "cumprod", {"dim": dim},
                     lambda shape=shape, dt=dt, zeros=zeros: [with_zeros(shape, dt, zeros)],
                     lambda x, dim=dim: x.cumprod(dim))


def gen_one_hot():
    F = torch.nn.functional
    add_case("one_hot_infer", "one_hot", {"num_classes": -1},
             lambda: [torch.tensor([3, 0, 1, 3])], lambda x: F.one_hot(x))
    add_case("one_hot_2x3_c6", "one_hot", {"num_classes": 6},
             lambda: [ints([2, 3], 0, 6)], lambda x: F.one_hot(x, 6))
    add_case("one_hot_scalar", "one_hot", {"num_classes": 4},
             lambda: [torch.tensor(2)], lambda x: F.one_hot(x, 4))
    add_case("one_hot_empty_c3", "one_hot", {"num_classes": 3},
             lambda: [torch.zeros([0], dtype=I64)], lambda x: F.one_hot(x, 3))


def gen_repetition():
    for shape, reps, dt in (([2, 3], [2, 1], F32), ([2, 3], [2, 2, 3], F32), ([3], [0, 2], F32),
                            ([2, 1, 3], [1, 3, 1], F64), ([], [2, 3], F32)):
        add_case(f"repeat_{SHORT[dt]}_{shape_tag(shape)}_r{'x'.join(map(str, reps))}", "repeat",
                 {"repeats": reps}, lambda shape=shape, dt=dt: [randn(shape, dt)],
                 lambda x, reps=reps: x.repeat(*reps))
    add_case("repeat_i64", "repeat", {"repeats": [2, 2]}, lambda: [ints([2, 2], 0, 9)],
             lambda x: x.repeat(2, 2))
    for shape, reps, dim in (([2, 3], 2, None), ([2, 3], 3, 0), ([2, 3], 2, 1), ([2, 3], 2, -1),
                             ([2, 3], 0, 1)):
        add_case(f"repeat_interleave_{shape_tag(shape)}_r{reps}_d{dim}", "repeat_interleave",
                 {"repeats": reps, "dim": dim}, lambda shape=shape: [randn(shape)],
                 lambda x, reps=reps, dim=dim: x.repeat_interleave(reps, dim=dim))
    for tag, shape, counts, dim in (("dim1", [2, 3], [1, 0, 3], 1), ("dim0", [3, 2], [2, 1, 2], 0),
                                    ("flat", [2, 2], [1, 2, 0, 3], None), ("scalar", [2, 3], 2, 0)):
        add_case(f"repeat_interleave_tensor_{tag}", "repeat_interleave_tensor", {"dim": dim},
                 lambda shape=shape, counts=counts: [randn(shape), nd(torch.tensor(counts))],
                 lambda x, r, dim=dim: x.repeat_interleave(r, dim=dim))


def gen_reordering():
    for shape, dims, dt in (([3, 4], [0], F32), ([3, 4], [0, 1], F32), ([2, 3, 4], [-1, 0], F64),
                            ([5], [0], F32)):
        add_case(f"flip_{SHORT[dt]}_{shape_tag(shape)}_{'_'.join(map(str, dims))}", "flip",
                 {"dims": dims}, lambda shape=shape, dt=dt: [randn(shape, dt)],
                 lambda x, dims=dims: x.flip(dims))
    add_case("flip_i64", "flip", {"dims": [1]}, lambda: [ints([2, 3], 0, 9)], lambda x: x.flip(1))
    for tag, shape, shifts, dims in (("d0", [4, 3], [1], [0]), ("d1neg", [4, 3], [-1], [1]),
                                     ("two", [4, 3], [2, 5], [0, 1]), ("flat", [4, 3], [5], []),
                                     ("big", [5], [13], [0]), ("3d", [2, 3, 4], [1, -2], [2, 0])):
        add_case(f"roll_{tag}", "roll", {"shifts": shifts, "dims": dims},
                 lambda shape=shape: [randn(shape)],
                 lambda x, shifts=shifts, dims=dims: x.roll(shifts, dims) if dims else x.roll(shifts))


# ---------------------------------------------------------------------------
# elementwise: rounding, remainders, special functions, smooth activations,
# float classification
# ---------------------------------------------------------------------------

def away_from_halves(shape, dt, scale=3.0):
    """Values whose fraction is not within 0.05 of 0 or 0.5 (no rounding ties or kinks)."""
    x = randn(shape, dt, scale)
    frac = x - x.floor()
    bad = ((frac - 0.5).abs() < 0.05) | (frac < 0.05) | (frac > 0.95)
    return torch.where(bad, x.floor() + 0.25, x)


def gen_rounding():
    for op in ("floor", "ceil", "round", "trunc"):
        for dt in (F32, F64):
            add_case(f"{op}_{SHORT[dt]}", op, {}, lambda dt=dt: [away_from_halves([3, 4], dt)],
                     getattr(torch, op))
        add_case(f"{op}_i64", op, {}, lambda: [ints([5], -9, 9)], getattr(torch, op))
    add_case("round_halves_to_even", "round", {},
             lambda: [nd(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 3.5]))], torch.round)
    for d in (2, -1):
        add_case(f"round_decimals_{d}", "round", {"decimals": d},
                 lambda: [nd(torch.tensor([0.125, 1.2345, 2.5, 15.0, 25.0, -14.0, 123.456]))],
                 lambda x, d=d: torch.round(x, decimals=d))


def gen_remainders():
    for op, fn in (("remainder", torch.remainder), ("fmod", torch.fmod)):
        for sa, sb, dt in (([3, 4], [3, 4], F32), ([3, 4], [4], F64), ([2, 1], [1, 3], F32)):
            def make(sa=sa, sb=sb, dt=dt):
                # Quotients away from whole numbers, where the remainder jumps.
                for _ in range(10000):
                    a, b = randn(sa, dt, 3.0), signed_away(sb, dt, 0.7, 2.0)
                    q = a / b
                    if ((q - q.round()).abs() > 0.05).all():
                        return [a, b]
                raise RuntimeError("remainder: could not sample")
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sa)}_{shape_tag(sb)}", op, {}, make, fn)
        add_case(f"{op}_i64_signs", op, {}, lambda: [torch.tensor([-7, 7, -7, 7, 0, 6]),
                                                      torch.tensor([3, 3, -3, -3, 5, -3])], fn)
        add_case(f"{op}_i64_by_f32", op, {}, lambda: [torch.tensor([5, -5]), nd(torch.tensor([3.0, 3.0]))], fn)
        add_case(f"{op}_f32_by_zero", op, {}, lambda: [nd(torch.tensor([3.0, -4.0])), nd(torch.zeros(2))], fn)
        add_case(f"{op}_f32_exact_signs", op, {},
                 lambda: [nd(torch.tensor([-6.0, 6.0, -0.0, 6.0])), nd(torch.tensor([3.0, -3.0, 3.0, 3.0]))], fn)
        for tag, scalar in (("s0p7", 0.7), ("sm2", -2), ("s2p5", 2.5)):
            add_case(f"{op}_scalar_f32_{tag}", f"{op}_scalar", {"scalar": scalar},
                     lambda: [away_from_halves([2, 3], F32)], lambda x, s=scalar, fn=fn: fn(x, s))
        add_case(f"{op}_scalar_i64_s3", f"{op}_scalar", {"scalar": 3},
                 lambda: [torch.tensor([-7, 7, -1, 9])], lambda x, fn=fn: fn(x, 3))
        add_case(f"{op}_scalar_i64_s2p5", f"{op}_scalar", {"scalar": 2.5},
                 lambda: [torch.tensor([-7, 7, -1, 9])], lambda x, fn=fn: fn(x, 2.5))
    add_case("remainder_rscalar_i64", "rremainder_scalar", {"scalar": 5},
             lambda: [torch.tensor([3, -3, 2, -7])], lambda x: torch.remainder(5, x))
    add_case("remainder_i64_min_by_minus_one", "remainder", {},
             lambda: [torch.tensor([-9223372036854775808, 7]), torch.tensor([-1, -1])], torch.remainder)


def gen_special():
    for op, make in (("log1p", lambda dt: uniform([3, 4], -0.9, 3.0, dt)),
                     ("expm1", lambda dt: randn([3, 4], dt)),
                     ("erf", lambda dt: randn([3, 4], dt, 1.5)),
                     ("rsqrt", lambda dt: positive([3, 4], dt)),
                     ("reciprocal", lambda dt: signed_away([3, 4], dt, 0.3, 2.0))):
        for dt in (F32, F64):
            add_case(f"{op}_{SHORT[dt]}", op, {}, lambda make=make, dt=dt: [make(dt)], getattr(torch, op))
        add_case(f"{op}_i64", op, {}, lambda: [torch.tensor([1, 2, 3])], getattr(torch, op))
    add_case("log1p_tiny", "log1p", {}, lambda: [nd(torch.tensor([1e-10, -1e-12, 1e-30], dtype=F64))], torch.log1p)
    add_case("expm1_tiny", "expm1", {}, lambda: [nd(torch.tensor([1e-10, -1e-12, 1e-30], dtype=F64))], torch.expm1)
    add_case("rsqrt_zero_negative", "rsqrt", {}, lambda: [nd(torch.tensor([0.0, -1.0, 4.0]))], torch.rsqrt)
    add_case("reciprocal_i64_zero", "reciprocal", {}, lambda: [torch.tensor([2, 0, -4])], torch.reciprocal)


def gen_smooth_activations():
    F = torch.nn.functional
    wide = lambda dt: randn([4, 5], dt, 4.0)  # noqa: E731
    for dt in (F32, F64):
        add_case(f"silu_{SHORT[dt]}", "silu", {}, lambda dt=dt: [wide(dt)], F.silu)
        add_case(f"mish_{SHORT[dt]}", "mish", {}, lambda dt=dt: [wide(dt)], F.mish)
        add_case(f"logsigmoid_{SHORT[dt]}", "logsigmoid", {}, lambda dt=dt: [wide(dt)], F.logsigmoid)
        add_case(f"softplus_{SHORT[dt]}", "softplus", {"beta": 1.0, "threshold": 20.0},
                 lambda dt=dt: [wide(dt)], F.softplus)
        add_case(f"hardtanh_{SHORT[dt]}", "hardtanh", {"min_val": -1.0, "max_val": 1.0},
                 lambda dt=dt: [away_from_bounds([4, 5], dt, [-1.0, 1.0])], F.hardtanh)
    for beta, threshold in ((2.0, 5.0), (0.5, 1.0), (1.0, 20.0)):
        add_case(f"softplus_b{beta}_t{threshold}", "softplus", {"beta": beta, "threshold": threshold},
                 lambda beta=beta, threshold=threshold: [away_from_bounds([30], F32, [threshold / beta], 8.0)],
                 lambda x, beta=beta, threshold=threshold: F.softplus(x, beta, threshold))
    add_case("hardtanh_m2_3", "hardtanh", {"min_val": -2.0, "max_val": 3.0},
             lambda: [away_from_bounds([12], F32, [-2.0, 3.0], 3.0)], lambda x: F.hardtanh(x, -2.0, 3.0))
    add_case("hardtanh_i64", "hardtanh", {"min_val": -1.5, "max_val": 2.5},
             lambda: [torch.tensor([-3, 0, 3, 2, -1])], lambda x: F.hardtanh(x, -1.5, 2.5))
    add_case("extremes_f32", "smooth_all", {},
             lambda: [nd(torch.tensor([100.0, -100.0, 30.0, -30.0, 0.0]))],
             lambda x: torch.stack([F.silu(x), F.mish(x), F.logsigmoid(x), F.softplus(x)]))


def away_from_bounds(shape, dt, bounds, scale=2.0):
    for _ in range(10000):
        x = randn(shape, dt, scale)
        if all(((x - b).abs() > 0.05).all() for b in bounds):
            return x
    raise RuntimeError("away_from_bounds: could not sample")


def special_values(dt):
    return torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), -2.5, 0.0], dtype=dt)


def gen_float_classification():
    for dt in (F32, F64):
        for op in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
            add_case(f"{op}_{SHORT[dt]}", op, {}, lambda dt=dt: [nd(special_values(dt))], getattr(torch, op))
        add_case(f"nan_to_num_{SHORT[dt]}", "nan_to_num", {}, lambda dt=dt: [special_values(dt)],
                 torch.nan_to_num)
        add_case(f"nan_to_num_{SHORT[dt]}_values", "nan_to_num",
                 {"nan": 1.5, "posinf": 2.0, "neginf": -3.0},
                 lambda dt=dt: [special_values(dt)],
                 lambda x: torch.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0))
    add_case("isnan_i64", "isnan", {}, lambda: [torch.tensor([1, 2])], torch.isnan)
    add_case("isfinite_i64", "isfinite", {}, lambda: [torch.tensor([1, 2])], torch.isfinite)
    add_case("nan_to_num_i64", "nan_to_num", {}, lambda: [torch.tensor([1, 2])], torch.nan_to_num)
    a = torch.tensor([1.0, 1.0001, float("nan"), float("inf"), float("inf"), 1.0, 0.0, 1e-9])
    b = torch.tensor([1.0, 1.0, float("nan"), float("inf"), -float("inf"), float("inf"), 1e-9, 0.0])
    for tag, args in (("default", {}), ("equal_nan", {"equal_nan": True}),
                      ("loose", {"rtol": 1e-3, "atol": 0.0}), ("atol", {"rtol": 0.0, "atol": 1e-8})):
        add_case(f"isclose_{tag}", "isclose", args, lambda: [nd(a), nd(b)],
                 lambda x, y, args=args: torch.isclose(x, y, **args))
    add_case("isclose_i64", "isclose", {"rtol": 0.001, "atol": 0.0},
             lambda: [torch.tensor([100, 101, 5]), torch.tensor([100, 100, 5])],
             lambda x, y: torch.isclose(x, y, rtol=0.001, atol=0.0))
    add_case("isclose_broadcast", "isclose", {},
             lambda: [nd(torch.tensor([[1.0], [2.0]])), nd(torch.tensor([1.0, 2.0, 1.000001]))],
             torch.isclose)


# ---------------------------------------------------------------------------
# reductions: norms, products, amax/amin, all/any
# ---------------------------------------------------------------------------

def gen_reductions():
    for tag, p in (("2", 2), ("1", 1), ("inf", math.inf), ("neginf", -math.inf), ("0", 0),
                   ("3", 3), ("1p5", 1.5), ("0p5", 0.5)):
        for dims, keep in ((None, False), ([1], False), ([0], True), ([0, 2], False)):
            dtag = "all" if dims is None else "d" + "_".join(map(str, dims))
            add_case(f"norm_p{tag}_{dtag}{'_keep' if keep else ''}", "norm",
                     {"p": p, "dims": dims or [], "keepdim": keep},
                     lambda: [signed_away([2, 3, 4], F32, 0.2, 1.5)],
                     lambda x, p=p, dims=dims, keep=keep: torch.linalg.vector_norm(
                         x, ord=p, dim=dims, keepdim=keep))
    add_case("norm_fro_f64", "norm", {"p": "fro", "dims": [0, 1], "keepdim": False},
             lambda: [randn([3, 4], F64)], lambda x: x.norm(p="fro", dim=(0, 1)))
    # At zero the 2-norm and the p-norms have a subgradient: PyTorch's is 0.
    for tag, p in (("2", 2), ("3", 3), ("1p5", 1.5), ("0p5", 0.5), ("inf", math.inf)):
        add_case(f"norm_p{tag}_zero_row", "norm", {"p": p, "dims": [1], "keepdim": False},
                 lambda: [torch.tensor([[0.0, 0.0, 0.0], [0.5, -1.0, 2.0]])],
                 lambda x, p=p: torch.linalg.vector_norm(x, ord=p, dim=1), check=False)
    add_case("norm_inf_ties", "norm", {"p": math.inf, "dims": [], "keepdim": False},
             lambda: [torch.tensor([1.0, -3.0, 3.0, 2.0])], lambda x: x.norm(p=math.inf), check=False)
    for dims, keep in ((None, False), (1, False), (0, True), (-1, True)):
        dtag = "all" if dims is None else f"d{dims}"
        add_case(f"prod_{dtag}{'_keep' if keep else ''}", "prod", {"dim": dims, "keepdim": keep},
                 lambda: [signed_away([3, 4], F32, 0.5, 1.5)],
                 lambda x, d=dims, k=keep: x.prod() if d is None else x.prod(d, keepdim=k))
    for tag, zeros in (("one", [5]), ("two_same_row", [4, 6]), ("rows", [0, 5, 10])):
        for dims in (None, 1, 0):
            dtag = "all" if dims is None else f"d{dims}"
            add_case(f"prod_zeros_{tag}_{dtag}", "prod", {"dim": dims, "keepdim": False},
                     lambda zeros=zeros: [with_zeros([3, 4], F64, zeros)],
                     lambda x, d=dims: x.prod() if d is None else x.prod(d))
    add_case("prod_i64", "prod", {"dim": 1, "keepdim": False}, lambda: [ints([2, 3], -3, 4)],
             lambda x: x.prod(1))
    add_case("prod_bool", "prod", {"dim": None, "keepdim": False}, lambda: [rand_bool([4])],
             lambda x: x.prod())
    for op in ("amax", "amin"):
        for dims, keep in (([], False), ([1], False), ([0, 2], True), ([-1], False)):
            add_case(f"{op}_d{'_'.join(map(str, dims)) or 'all'}{'_keep' if keep else ''}", op,
                     {"dims": dims, "keepdim": keep}, lambda: [distinct([2, 3, 4])],
                     lambda x, op=op, dims=dims, keep=keep: getattr(x, op)(dim=dims, keepdim=keep))
        # Ties share the gradient evenly.
        add_case(f"{op}_ties", op, {"dims": [1], "keepdim": False},
                 lambda: [torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [-1.0, -1.0, 5.0]])],
                 lambda x, op=op: getattr(x, op)(dim=1), check=False)
        add_case(f"{op}_ties_all", op, {"dims": [], "keepdim": False},
                 lambda: [torch.tensor([1.0, 3.0, 3.0, -1.0, -1.0])],
                 lambda x, op=op: getattr(x, op)(), check=False)
        add_case(f"{op}_i64", op, {"dims": [1], "keepdim": False}, lambda: [ints([2, 3], -9, 9)],
                 lambda x, op=op: getattr(x, op)(dim=1))
        add_case(f"{op}_bool", op, {"dims": [0], "keepdim": False}, lambda: [rand_bool([3, 2])],
                 lambda x, op=op: getattr(x, op)(dim=0))
    for op in ("all", "any"):
        for dims, keep in (([1], False), ([0], True), ([0, 1], False)):
            for tag, make in (("f32", lambda: [nd(torch.tensor([[1.0, 0.0, 2.0], [3.0, float("nan"), 1.0]]))]),
                              ("bool", lambda: [rand_bool([2, 3])]),
                              ("i64", lambda: [ints([2, 3], 0, 2)])):
                add_case(f"{op}_{tag}_d{'_'.join(map(str, dims))}{'_keep' if keep else ''}", op,
                         {"dims": dims, "keepdim": keep}, make,
                         lambda x, op=op, dims=dims, keep=keep: getattr(torch, op)(x, dim=tuple(dims), keepdim=keep))


# ---------------------------------------------------------------------------
# sorting and selection. Inputs avoid ties, except where stable=True fixes the order.
# ---------------------------------------------------------------------------

def gen_sorting():
    for dim, desc in ((-1, False), (-1, True), (0, False), (1, True)):
        for dt in (F32, F64):
            add_case(f"sort_{SHORT[dt]}_d{dim}{'_desc' if desc else ''}", "sort",
                     {"dim": dim, "descending": desc}, lambda dt=dt: [distinct([3, 4, 5], dt)],
                     lambda x, dim=dim, desc=desc: tuple(torch.sort(x, dim=dim, descending=desc)))
    for desc in (False, True):
        add_case(f"sort_ties_stable{'_desc' if desc else ''}", "sort", {"dim": -1, "descending": desc},
                 lambda: [torch.tensor([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0] * 4, [2.0, 2.0, -1.0, 2.0] * 6])],
                 lambda x, desc=desc: tuple(torch.sort(x, dim=-1, descending=desc, stable=True)),
                 check=False)
        add_case(f"sort_nan{'_desc' if desc else ''}", "sort", {"dim": 0, "descending": desc},
                 lambda: [nd(torch.tensor([1.0, float("nan"), 2.0, -1.0]))],
                 lambda x, desc=desc: tuple(torch.sort(x, descending=desc)))
    add_case("sort_i64", "sort", {"dim": 1, "descending": False},
             lambda: [torch.randperm(12).reshape(3, 4) - 5], lambda x: tuple(x.sort(1)))
    add_case("sort_scalar", "sort", {"dim": 0, "descending": False}, lambda: [randn([])],
             lambda x: tuple(x.sort(0)))
    add_case("argsort_f32", "argsort", {"dim": 1, "descending": True}, lambda: [nd(distinct([3, 5]))],
             lambda x: torch.argsort(x, dim=1, descending=True))
    for k, dim, largest in ((2, -1, True), (3, 1, False), (1, 0, True), (5, -1, False), (0, -1, True)):
        add_case(f"topk_k{k}_d{dim}_{'largest' if largest else 'smallest'}", "topk",
                 {"k": k, "dim": dim, "largest": largest}, lambda: [distinct([3, 4, 5])],
                 lambda x, k=k, dim=dim, largest=largest: tuple(torch.topk(x, k, dim=dim, largest=largest)))
    add_case("topk_nan", "topk", {"k": 2, "dim": 0, "largest": True},
             lambda: [nd(torch.tensor([1.0, float("nan"), 2.0, -1.0]))], lambda x: tuple(x.topk(2)))
    add_case("topk_nan_smallest", "topk", {"k": 2, "dim": 0, "largest": False},
             lambda: [nd(torch.tensor([1.0, float("nan"), 2.0, -1.0]))],
             lambda x: tuple(x.topk(2, largest=False)))
    add_case("topk_i64", "topk", {"k": 2, "dim": -1, "largest": True},
             lambda: [torch.randperm(10).reshape(2, 5)], lambda x: tuple(x.topk(2)))
    for k, dim, keep in ((1, -1, False), (3, 1, True), (2, 0, False)):
        add_case(f"kthvalue_k{k}_d{dim}{'_keep' if keep else ''}", "kthvalue",
                 {"k": k, "dim": dim, "keepdim": keep}, lambda: [distinct([3, 4, 5])],
                 lambda x, k=k, dim=dim, keep=keep: tuple(torch.kthvalue(x, k, dim=dim, keepdim=keep)))
    for dim, keep, shape in ((1, False, [3, 5]), (0, True, [4, 3]), (-1, False, [2, 3, 4])):
        add_case(f"median_d{dim}_{shape_tag(shape)}{'_keep' if keep else ''}", "median",
                 {"dim": dim, "keepdim": keep}, lambda shape=shape: [distinct(shape)],
                 lambda x, dim=dim, keep=keep: tuple(torch.median(x, dim=dim, keepdim=keep)))
    add_case("median_all_odd", "median", {}, lambda: [distinct([3, 5])], torch.median)
    add_case("median_all_even", "median", {}, lambda: [distinct([2, 4])], torch.median)
    add_case("median_all_ties", "median", {}, lambda: [torch.tensor([3.0, 1.0, 2.0, 2.0, 5.0])],
             torch.median, check=False)
    add_case("median_nan", "median", {"dim": 1, "keepdim": False},
             lambda: [nd(torch.tensor([[1.0, float("nan"), 2.0, float("nan")], [3.0, 1.0, 2.0, 0.0]]))],
             lambda x: tuple(torch.median(x, dim=1)))
    add_case("median_all_nan", "median", {}, lambda: [nd(torch.tensor([1.0, float("nan"), 2.0]))],
             torch.median)


# ---------------------------------------------------------------------------
# scatter/index adds, unfold, diagonal, einsum
# ---------------------------------------------------------------------------

def gen_scatter_index_add():
    add_case("scatter_add_d1", "scatter_add", {"dim": 1},
             lambda: [randn([3, 4]), nd(torch.tensor([[0, 0], [3, 1], [2, 2]])), randn([3, 2])],
             lambda x, i, s: x.scatter_add(1, i, s))
    add_case("scatter_add_d0_f64", "scatter_add", {"dim": 0},
             lambda: [randn([3, 4], F64), nd(torch.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])), randn([2, 4], F64)],
             lambda x, i, s: x.scatter_add(0, i, s))
    add_case("scatter_add_src_larger", "scatter_add", {"dim": 1},
             lambda: [randn([3, 4]), nd(torch.tensor([[0, 1], [3, 3]])), (randn([3, 5]), False)],
             lambda x, i, s: x.scatter_add(1, i, s))
    add_case("scatter_add_i64", "scatter_add", {"dim": 0},
             lambda: [ints([3], 0, 5), torch.tensor([0, 2, 2, 0]), ints([4], 0, 5)],
             lambda x, i, s: x.scatter_add(0, i, s))
    add_case("index_add_d0", "index_add", {"dim": 0, "alpha": 1},
             lambda: [randn([4, 3]), nd(torch.tensor([0, 2, 2])), randn([3, 3])],
             lambda x, i, s: x.index_add(0, i, s))
    add_case("index_add_d1_alpha", "index_add", {"dim": 1, "alpha": -2.5},
             lambda: [randn([2, 4, 3], F64), nd(torch.tensor([3, 0])), randn([2, 2, 3], F64)],
             lambda x, i, s: x.index_add(1, i, s, alpha=-2.5))
    add_case("index_add_i64_alpha", "index_add", {"dim": 0, "alpha": 1.5},
             lambda: [torch.zeros(3, dtype=I64), torch.tensor([1, 1]), torch.tensor([2, 3])],
             lambda x, i, s: x.index_add(0, i, s, alpha=1.5))


def gen_unfold_diagonal():
    for tag, shape, dim, size, step in (("overlap", [2, 7], 1, 3, 1), ("gap", [2, 7], 1, 2, 3),
                                        ("exact", [6, 2], 0, 3, 3), ("3d", [2, 5, 3], -2, 2, 2),
                                        ("whole", [4], 0, 4, 1), ("size0", [3], 0, 0, 1)):
        add_case(f"unfold_{tag}", "unfold", {"dimension": dim, "size": size, "step": step},
                 lambda shape=shape: [randn(shape)],
                 lambda x, dim=dim, size=size, step=step: x.unfold(dim, size, step))
    for offset, d1, d2, shape in ((0, 0, 1, [3, 3]), (1, 0, 1, [3, 4]), (-1, 0, 1, [3, 4]),
                                  (0, 2, 0, [2, 3, 4]), (2, -1, -2, [2, 3, 4]), (5, 0, 1, [3, 3])):
        add_case(f"diagonal_o{offset}_{d1}_{d2}_{shape_tag(shape)}", "diagonal",
                 {"offset": offset, "dim1": d1, "dim2": d2}, lambda shape=shape: [randn(shape)],
                 lambda x, o=offset, a=d1, b=d2: torch.diagonal(x, o, a, b))


EINSUMS = [
    ("matmul", "ij,jk->ik", [[2, 3], [3, 4]]),
    ("implicit_matmul", "ij,jk", [[2, 3], [3, 4]]),
    ("transpose", "ij->ji", [[2, 3]]),
    ("implicit_transpose", "ba", [[2, 3]]),
    ("trace", "ii", [[3, 3]]),
    ("diagonal", "ii->i", [[3, 3]]),
    ("sum_all", "ij->", [[2, 3]]),
    ("row_sums", "ij->i", [[2, 3]]),
    ("dot", "i,i->", [[4], [4]]),
    ("outer", "i,j->ij", [[3], [4]]),
    ("hadamard", "ij,ij->ij", [[2, 3], [2, 3]]),
    ("bmm", "bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]),
    ("attention_scores", "bhqd,bhkd->bhqk", [[2, 2, 3, 4], [2, 2, 5, 4]]),
    ("attention_values", "bhqk,bhkd->bqhd", [[2, 2, 3, 5], [2, 2, 5, 4]]),
    ("ellipsis_matmul", "...ij,...jk->...ik", [[2, 3, 4], [4, 2]]),
    ("ellipsis_broadcast", "...ij,...jk", [[2, 1, 3, 4], [3, 4, 2]]),
    ("ellipsis_sum", "...ij->ij", [[2, 3, 4]]),
    ("bilinear", "bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]]),
    ("chain", "ij,jk,kl->il", [[2, 3], [3, 4], [4, 2]]),
    ("repeated_three", "iij->ij", [[3, 3, 2]]),
    ("batch_diagonal", "bii->bi", [[2, 3, 3]]),
    ("size_one_broadcast", "ij,jk->ik", [[2, 1], [3, 4]]),
    ("upper_case", "iJ,Jk->ik", [[2, 3], [3, 4]]),
    ("scalar_operand", ",i->i", [[], [3]]),
    ("spaces", " i j , j k -> i k ", [[2, 3], [3, 4]]),
    ("contract_two", "ijk,jkl->il", [[2, 3, 4], [3, 4, 2]]),
    ("transposed_left", "ji,jk->ik", [[3, 2], [3, 4]]),
]


def gen_einsum():
    for tag, equation, shapes in EINSUMS:
        for dt in (F32,) if tag != "matmul" else (F32, F64):
            add_case(f"einsum_{tag}_{SHORT[dt]}", "einsum", {"equation": equation},
                     lambda shapes=shapes, dt=dt: [randn(s, dt) for s in shapes],
                     lambda *xs, eq=equation: torch.einsum(eq, *xs))
    add_case("einsum_i64", "einsum", {"equation": "ij,jk->ik"},
             lambda: [ints([2, 3], -3, 3), ints([3, 2], -3, 3)], lambda a, b: torch.einsum("ij,jk->ik", a, b))


REPRS = {
    "softplus": repr(torch.nn.Softplus()),
    "softplus_b2_t10": repr(torch.nn.Softplus(beta=2.0, threshold=10.0)),
    "silu": repr(torch.nn.SiLU()),
    "mish": repr(torch.nn.Mish()),
    "hardtanh": repr(torch.nn.Hardtanh()),
    "hardtanh_m2_3": repr(torch.nn.Hardtanh(-2.0, 3.0)),
    "logsigmoid": repr(torch.nn.LogSigmoid()),
}


# ---------------------------------------------------------------------------
# checks & output
# ---------------------------------------------------------------------------

def run_gradchecks():
    failures = []
    for name, fn, inputs in CHECKS:
        dbl = [t.detach().to(F64).requires_grad_(t.requires_grad) if t.dtype.is_floating_point
               else t.detach() for t in inputs]

        def f(*xs):
            r = fn(*xs)
            return r[0] if isinstance(r, tuple) else r

        try:
            ok = torch.autograd.gradcheck(f, tuple(dbl), eps=1e-6, atol=1e-5, rtol=1e-3,
                                          raise_exception=False)
        except Exception as e:  # pragma: no cover
            print(f"{name}: {e}", file=sys.stderr)
            ok = False
        if not ok:
            failures.append(name)
    return failures


GENERATORS = [gen_masking, gen_triangles, gen_batched_products, gen_cumulative, gen_one_hot,
              gen_repetition, gen_reordering, gen_rounding, gen_remainders, gen_special,
              gen_smooth_activations, gen_float_classification, gen_reductions, gen_sorting,
              gen_scatter_index_add, gen_unfold_diagonal, gen_einsum]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="gradcheck every differentiable case")
    opts = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    for generate in GENERATORS:
        generate()
    version = torch.__version__.split("+")[0]
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES]
    text = ('{"torch_version":' + json.dumps(version) + ',"reprs":' + json.dumps(REPRS)
            + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n")
    json.loads(text)
    with open(opts.out, "w") as fh:
        fh.write(text)
    print(f"wrote {len(CASES)} cases, {len(text)} bytes -> {os.path.relpath(opts.out)}")
    if opts.check:
        failures = run_gradchecks()
        print(f"gradcheck: {len(CHECKS)} differentiable cases, {len(failures)} failures")
        for name in failures:
            print(f"  FAIL {name}")
        if failures:
            sys.exit(1)


if __name__ == "__main__":
    main()
