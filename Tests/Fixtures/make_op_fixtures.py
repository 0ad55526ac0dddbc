#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Descent's tensor-op tests.

Writes ``ops.json`` next to this script. Every case holds the op's inputs,
PyTorch's forward output and (for differentiable cases) a random
``grad_output`` together with the gradients PyTorch's autograd produced for
each input that requires grad.

Usage (from the repository root):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install torch numpy
    .venv-ref/bin/python Tests/Fixtures/make_op_fixtures.py            # write ops.json
    .venv-ref/bin/python Tests/Fixtures/make_op_fixtures.py --check    # also gradcheck every case

Determinism: each case seeds torch's CPU generator with a fixed base seed plus
the CRC32 of its name, so adding/removing a case does not change the data of
any other case. Inputs are drawn away from kinks/ties (abs/relu at 0, clamp
bounds, max/min ties, non-positive sqrt/log/pow bases) so that finite
differences and PyTorch's analytic gradients agree.

See README.md in this directory for the JSON format.
"""

import argparse
import json
import math
import os
import sys
import zlib

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "ops.json")
BASE_SEED = 1234

F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool
DTYPE_NAMES = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}
DTYPE_BY_NAME = {v: k for k, v in DTYPE_NAMES.items()}
SHORT = {F32: "f32", F64: "f64", I64: "i64", BOOL: "bool"}

CASES = []        # JSON-ready dicts, in generation order
CHECKS = []       # (name, op, fn, inputs) kept for --check
_NAMES = set()


# ---------------------------------------------------------------------------
# serialisation helpers
# ---------------------------------------------------------------------------

def tensor_json(t):
    t = t.detach()
    if t.dtype not in DTYPE_NAMES:
        raise TypeError(f"unsupported dtype {t.dtype}")
    flat = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        # float(x) of a float32 value is the exact value as a double; json
        # writes the shortest repr that round-trips that double. NaN and the
        # infinities (only in cases made with at_kinks=True) are strings.
        flat = [float(v) if math.isfinite(v) else
                ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")) for v in flat]
    elif t.dtype == BOOL:
        flat = [bool(v) for v in flat]
    else:
        flat = [int(v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat}


def add_case(name, op, args, make_inputs, fn, differentiable=True, seed_key=None,
             at_kinks=False):
    """Register one case.

    make_inputs() -> list of tensors or (tensor, requires_grad) pairs; it is
    called right after seeding so all randomness is per-case deterministic.
    A bare tensor requires grad iff it is floating point and `differentiable`.
    seed_key (default: name) lets several cases share identical inputs.
    fn(*inputs) -> output tensor, or (values, int64 indices) for max/min-with-dim.
    at_kinks=True: fixed inputs at the points the random ones avoid (bounds, NaN);
    their outputs may be NaN, and --check skips them (finite differences do not
    hold there).
    """
    if name in _NAMES:
        raise ValueError(f"duplicate case name {name}")
    _NAMES.add(name)
    torch.manual_seed(BASE_SEED + zlib.crc32((seed_key or name).encode()))

    inputs = []
    for item in make_inputs():
        if isinstance(item, tuple):
            t, rg = item
        else:
            t, rg = item, (item.dtype.is_floating_point and differentiable)
        t = t.detach().clone()
        if rg:
            assert t.dtype.is_floating_point, name
            t.requires_grad_(True)
        inputs.append(t)

    res = fn(*inputs)
    indices = None
    if isinstance(res, tuple):
        res, indices = res
    assert at_kinks or torch.isfinite(res.detach().double()).all(), f"{name}: non-finite output"

    case = {
        "name": name,
        "op": op,
        "args": args,
        "inputs": [dict(tensor_json(t), requires_grad=bool(t.requires_grad)) for t in inputs],
        "output": tensor_json(res),
    }
    if indices is not None:
        case["output_indices"] = tensor_json(indices)

    if any(t.requires_grad for t in inputs) and res.dtype.is_floating_point:
        g = torch.randn(res.shape, dtype=res.dtype)
        res.backward(g)
        grads = []
        for t in inputs:
            if not t.requires_grad:
                grads.append(None)
            else:
                assert t.grad is not None, f"{name}: missing grad"
                assert t.grad.dtype == t.dtype, f"{name}: grad dtype"
                grads.append(tensor_json(t.grad))
        case["grad_output"] = tensor_json(g)
        case["grads"] = grads
        if not at_kinks:
            CHECKS.append((name, op, fn, inputs))
    else:
        case["grad_output"] = None
        case["grads"] = [None] * len(inputs)
    CASES.append(case)


# ---------------------------------------------------------------------------
# input generators (all use torch's global, per-case-seeded generator)
# ---------------------------------------------------------------------------

def randn(shape, dtype=F32, scale=1.0):
    return torch.randn(shape, dtype=dtype) * scale


def uniform(shape, lo, hi, dtype=F32):
    return torch.rand(shape, dtype=dtype) * (hi - lo) + lo


def positive(shape, dtype=F32, lo=0.3, hi=2.0):
    return uniform(shape, lo, hi, dtype)


def signed_away(shape, dtype=F32, lo=0.2, hi=1.5):
    """Random sign times uniform magnitude in [lo, hi): never near 0."""
    mag = uniform(shape, lo, hi, dtype)
    sign = torch.randint(0, 2, shape).to(dtype) * 2 - 1
    return mag * sign


def away_from(shape, points, dtype=F32, margin=0.1, scale=1.0):
    """randn values that are at least `margin` away from every point."""
    for _ in range(10000):
        x = randn(shape, dtype, scale)
        if all(((x - p).abs() > margin).all() for p in points):
            return x
    raise RuntimeError("away_from: could not sample")


def distinct(shape, dtype=F32, spacing=0.25, jitter=0.05):
    """Shuffled, evenly spaced values plus small jitter: no two values are
    closer than spacing - 2*jitter, so max/min/argmax never see near-ties."""
    n = 1
    for s in shape:
        n *= s
    perm = torch.randperm(n).to(dtype)
    x = (perm - (n - 1) / 2) * spacing + uniform([n], -jitter, jitter, dtype)
    return x.reshape(shape)


def non_tied_pair(sa, sb, dtype=F32, margin=0.1):
    for _ in range(10000):
        a, b = randn(sa, dtype), randn(sb, dtype)
        if ((a - b).abs() > margin).all():
            return a, b
    raise RuntimeError("non_tied_pair: could not sample")


def small_ints_as(shape, dtype=F32, lo=-1, hi=3):
    return torch.randint(lo, hi, shape).to(dtype)


def rand_bool(shape):
    return torch.rand(shape) > 0.5


def shape_tag(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"


# ---------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------

BINARY_SHAPES = [([3, 4], [3, 4]), ([3, 1], [1, 4]), ([2, 3, 4], [4]),
                 ([4], [2, 3, 4]), ([], [3]), ([3], [])]


def gen_binary():
    fns = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "maximum": torch.maximum,
        "minimum": torch.minimum,
        "pow": torch.pow,
    }

    def inputs_for(op, sa, sb, dt):
        if op == "div":
            return lambda: [randn(sa, dt), signed_away(sb, dt, 0.5, 1.5)]
        if op in ("maximum", "minimum"):
            return lambda: list(non_tied_pair(sa, sb, dt))
        if op == "pow":
            return lambda: [uniform(sa, 0.5, 2.0, dt), randn(sb, dt)]
        return lambda: [randn(sa, dt), randn(sb, dt)]

    for op, fn in fns.items():
        for dt in (F32, F64):
            for sa, sb in BINARY_SHAPES:
                if dt == F64 and (max(len(sa), len(sb)) > 2 or sb == []):
                    continue  # keep the file small: float64 only on a subset of the shapes
                name = f"{op}_{SHORT[dt]}_{shape_tag(sa)}_{shape_tag(sb)}"
                add_case(name, op, {}, inputs_for(op, sa, sb, dt), fn)


def gen_scalar_ops():
    specs = [
        ("add_scalar", 2.5, lambda x, s: x + s, "randn"),
        ("add_scalar", -1.25, lambda x, s: x + s, "randn"),
        ("sub_scalar", 1.5, lambda x, s: x - s, "randn"),
        ("rsub_scalar", 2.0, lambda x, s: s - x, "randn"),
        ("mul_scalar", -1.5, lambda x, s: x * s, "randn"),
        ("mul_scalar", 3.0, lambda x, s: x * s, "randn"),
        ("div_scalar", 4.0, lambda x, s: x / s, "randn"),
        ("div_scalar", 3.0, lambda x, s: x / s, "randn"),
        ("rdiv_scalar", 2.0, lambda x, s: s / x, "signed"),
        ("rdiv_scalar", -0.5, lambda x, s: s / x, "signed"),
    ]
    gens = {"randn": lambda sh, dt: randn(sh, dt),
            "signed": lambda sh, dt: signed_away(sh, dt, 0.4, 2.0),
            "positive": lambda sh, dt: positive(sh, dt)}
    for op, s, fn, g in specs:
        for dt, sh in ((F32, [3, 4]), (F64, [2, 3])):
            name = f"{op}_{SHORT[dt]}_{shape_tag(sh)}_s{str(s).replace('.', 'p').replace('-', 'm')}"
            add_case(name, op, {"scalar": s}, (lambda g=g, sh=sh, dt=dt: [gens[g](sh, dt)]),
                     (lambda x, s=s, fn=fn: fn(x, s)))
    # pow with a scalar exponent
    for s, g in ((2, "randn"), (0.5, "positive"), (-1, "positive"), (3, "randn"), (1.5, "positive")):
        for dt, sh in ((F32, [3, 4]), (F64, [2, 3])):
            name = f"pow_scalar_{SHORT[dt]}_{shape_tag(sh)}_s{str(s).replace('.', 'p').replace('-', 'm')}"
            add_case(name, "pow_scalar", {"scalar": s}, (lambda g=g, sh=sh, dt=dt: [gens[g](sh, dt)]),
                     (lambda x, s=s: x ** s))
    # 0-d tensor with a scalar
    add_case("mul_scalar_f32_0d_s2p5", "mul_scalar", {"scalar": 2.5}, lambda: [randn([])],
             lambda x: x * 2.5)


def gen_promotion():
    nd = lambda t: (t, False)  # noqa: E731  (forward-only input)
    add_case("add_promote_i64_f32", "add", {},
             lambda: [nd(torch.randint(-5, 6, [3, 4])), nd(randn([3, 4]))], lambda a, b: a + b)
    add_case("add_promote_f32_i64_broadcast", "add", {},
             lambda: [nd(randn([3, 1])), nd(torch.randint(-5, 6, [4]))], lambda a, b: a + b)
    add_case("mul_scalar_promote_i64_s2p5", "mul_scalar", {"scalar": 2.5},
             lambda: [nd(torch.randint(-5, 6, [3, 4]))], lambda a: a * 2.5)
    add_case("add_scalar_promote_i64_s2", "add_scalar", {"scalar": 2},
             lambda: [nd(torch.randint(-5, 6, [2, 3]))], lambda a: a + 2)
    add_case("add_scalar_promote_i64_s0p5", "add_scalar", {"scalar": 0.5},
             lambda: [nd(torch.randint(-5, 6, [2, 3]))], lambda a: a + 0.5)
    add_case("add_promote_i64_i64", "add", {},
             lambda: [nd(torch.randint(-5, 6, [3, 4])), nd(torch.randint(-5, 6, [3, 4]))],
             lambda a, b: a + b)
    add_case("mul_promote_i64_i64_broadcast", "mul", {},
             lambda: [nd(torch.randint(-5, 6, [3, 1])), nd(torch.randint(-5, 6, [1, 4]))],
             lambda a, b: a * b)
    add_case("div_promote_i64_i64", "div", {},
             lambda: [nd(torch.randint(-6, 7, [2, 3])),
                      nd(torch.randint(1, 4, [2, 3]) * (torch.randint(0, 2, [2, 3]) * 2 - 1))],
             lambda a, b: a / b)
    add_case("add_promote_bool_i64", "add", {},
             lambda: [nd(rand_bool([3, 4])), nd(torch.randint(-5, 6, [3, 4]))], lambda a, b: a + b)
    add_case("add_promote_bool_f32", "add", {},
             lambda: [nd(rand_bool([2, 3])), nd(randn([2, 3]))], lambda a, b: a + b)
    # float32 + float64 -> float64; gradients come back in each input's own dtype
    add_case("add_promote_f32_f64", "add", {}, lambda: [randn([3, 4], F32), randn([3, 4], F64)],
             lambda a, b: a + b)
    add_case("mul_promote_f64_f32_broadcast", "mul", {}, lambda: [randn([3, 1], F64), randn([4], F32)],
             lambda a, b: a * b)
    # A 0-d tensor does not take part in promotion within the same category:
    # float32[3] + float64[] -> float32 (!)
    add_case("add_promote_f32_3_f64_0d", "add", {}, lambda: [randn([3], F32), randn([], F64)],
             lambda a, b: a + b)
    # ...but it does when it is of a higher category: int64[3] + float64[] -> float64
    # (unlike a Python float scalar, which would give the default dtype float32)
    add_case("add_promote_i64_3_f64_0d", "add", {},
             lambda: [nd(torch.randint(-5, 6, [3])), nd(randn([], F64))], lambda a, b: a + b)


def gen_unary():
    clamp_lo, clamp_hi = -0.5, 0.5
    specs = [
        ("neg", {}, lambda sh, dt: randn(sh, dt), torch.neg),
        ("exp", {}, lambda sh, dt: randn(sh, dt), torch.exp),
        ("log", {}, lambda sh, dt: positive(sh, dt, 0.2, 3.0), torch.log),
        ("sqrt", {}, lambda sh, dt: positive(sh, dt, 0.2, 3.0), torch.sqrt),
        ("abs", {}, lambda sh, dt: signed_away(sh, dt, 0.1, 2.0), torch.abs),
        ("sin", {}, lambda sh, dt: randn(sh, dt, 2.0), torch.sin),
        ("cos", {}, lambda sh, dt: randn(sh, dt, 2.0), torch.cos),
        ("tanh", {}, lambda sh, dt: randn(sh, dt, 1.5), torch.tanh),
        ("sigmoid", {}, lambda sh, dt: randn(sh, dt, 2.0), torch.sigmoid),
        ("relu", {}, lambda sh, dt: signed_away(sh, dt, 0.1, 2.0), torch.relu),
        ("square", {}, lambda sh, dt: randn(sh, dt), torch.square),
    ]
    for op, args, gen, fn in specs:
        for dt, sh in ((F32, [3, 4]), (F64, [2, 3])):
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sh)}", op, args,
                     (lambda gen=gen, sh=sh, dt=dt: [gen(sh, dt)]), fn)
    # clamp
    clamp_specs = [
        ("minmax", {"min": clamp_lo, "max": clamp_hi}, [clamp_lo, clamp_hi]),
        ("min", {"min": -0.25}, [-0.25]),
        ("max", {"max": 0.3}, [0.3]),
    ]
    for tag, args, pts in clamp_specs:
        for dt, sh in ((F32, [3, 4]), (F64, [2, 3])):
            add_case(f"clamp_{tag}_{SHORT[dt]}_{shape_tag(sh)}", "clamp", args,
                     (lambda sh=sh, dt=dt, pts=pts: [away_from(sh, pts, dt, 0.05)]),
                     (lambda x, a=args: torch.clamp(x, min=a.get("min"), max=a.get("max"))))
    # clamp at the points the random inputs avoid. Where x equals a number bound, PyTorch 2.15
    # gives clamp the minimum-norm subgradient 0 (pytorch/pytorch#184574), as hardtanh always
    # had, and Descent follows it; PyTorch 2.13 still gives 1 there. So the gradient exactly
    # at the bounds is recorded from F.hardtanh (op "hardtanh", the same function; Descent
    # computes it with clamp), and clamp's own cases keep off the bounds (NaN, outside,
    # inside, min > max), where every version agrees.
    at_bounds = [-1.0, -0.5, 0.0, 0.5, 1.0]
    for dt in (F32, F64):
        x = torch.tensor(at_bounds, dtype=dt, requires_grad=True)
        torch.clamp(x, -0.5, 0.5).backward(torch.ones(5, dtype=dt))
        at_bound_grad = x.grad[[1, 3]].tolist()
        version = tuple(int(v) for v in torch.__version__.split("+")[0].split(".")[:2])
        assert at_bound_grad == ([0.0, 0.0] if version >= (2, 15) else [1.0, 1.0]), at_bound_grad
        add_case(f"hardtanh_at_bounds_{SHORT[dt]}", "hardtanh", {"min_val": -0.5, "max_val": 0.5},
                 (lambda dt=dt: [torch.tensor(at_bounds, dtype=dt)]),
                 (lambda x: torch.nn.functional.hardtanh(x, -0.5, 0.5)), at_kinks=True)
    off_bounds = [-1.0, -0.25, 0.0, 0.25, 1.0, math.nan]
    for tag, args in [("minmax", {"min": -0.5, "max": 0.5}), ("min", {"min": -0.5}),
                      ("max", {"max": 0.5}), ("min_above_max", {"min": 0.5, "max": -0.5})]:
        for dt in (F32, F64):
            add_case(f"clamp_nan_and_outside_{tag}_{SHORT[dt]}", "clamp", args,
                     (lambda dt=dt: [torch.tensor(off_bounds, dtype=dt)]),
                     (lambda x, a=args: torch.clamp(x, min=a.get("min"), max=a.get("max"))),
                     at_kinks=True)
    # a few extras
    add_case("exp_f32_scalar", "exp", {}, lambda: [randn([])], torch.exp)
    add_case("relu_f32_2x3", "relu", {}, lambda: [signed_away([2, 3], F32, 0.1, 2.0)], torch.relu)


def _reduce_fn(op, args):
    d = args.get("dim")
    k = args.get("keepdim", False)
    if op in ("sum", "mean"):
        f = torch.sum if op == "sum" else torch.mean
        return (lambda x: f(x)) if d is None else (lambda x: f(x, dim=d, keepdim=k))
    if op in ("max", "min"):
        f = torch.max if op == "max" else torch.min

        def g(x):
            if d is None:
                return f(x)
            r = f(x, dim=d, keepdim=k)
            return r.values, r.indices
        return g
    if op in ("argmax", "argmin"):
        f = torch.argmax if op == "argmax" else torch.argmin
        return (lambda x: f(x)) if d is None else (lambda x: f(x, dim=d, keepdim=k))
    if op in ("var", "std"):
        f = torch.var if op == "var" else torch.std
        c = args.get("correction", 1)
        return (lambda x: f(x, correction=c)) if d is None else (lambda x: f(x, dim=d, keepdim=k, correction=c))
    if op == "logsumexp":
        return lambda x: torch.logsumexp(x, dim=d, keepdim=k)
    raise ValueError(op)


def _args_tag(args):
    parts = []
    if "dim" in args:
        parts.append(f"dim{args['dim']}".replace("-", "m"))
    if args.get("keepdim"):
        parts.append("keep")
    if "correction" in args:
        parts.append(f"corr{args['correction']}")
    return "_".join(parts) if parts else "all"


def gen_reductions():
    s3 = [2, 3, 4]
    s2 = [3, 4]
    common = [
        (s3, F32, {}), (s2, F32, {}),
        (s3, F32, {"dim": 0, "keepdim": False}),
        (s3, F32, {"dim": 1, "keepdim": True}),
        (s3, F32, {"dim": -1, "keepdim": False}),
        (s3, F32, {"dim": -2, "keepdim": True}),
        (s2, F32, {"dim": 1, "keepdim": False}),
        (s2, F64, {}),
        (s2, F64, {"dim": 0, "keepdim": False}),
    ]
    for op in ("sum", "mean"):
        for sh, dt, args in common:
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sh)}_{_args_tag(args)}", op, args,
                     (lambda sh=sh, dt=dt: [randn(sh, dt)]), _reduce_fn(op, args))
    add_case("sum_f32_scalar_all", "sum", {}, lambda: [randn([])], _reduce_fn("sum", {}))

    maxmin = [
        (s2, F32, {}), (s3, F32, {}),
        (s3, F32, {"dim": 1, "keepdim": False}),
        (s3, F32, {"dim": -1, "keepdim": True}),
        (s2, F32, {"dim": 0, "keepdim": False}),
        (s2, F64, {}),
        (s2, F64, {"dim": 1, "keepdim": False}),
    ]
    for op in ("max", "min"):
        for sh, dt, args in maxmin:
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sh)}_{_args_tag(args)}", op, args,
                     (lambda sh=sh, dt=dt: [distinct(sh, dt)]), _reduce_fn(op, args))

    argmm = [
        (s2, F32, {}), (s3, F32, {}),
        (s3, F32, {"dim": 1, "keepdim": False}),
        (s3, F32, {"dim": -1, "keepdim": True}),
        (s2, F64, {"dim": 0, "keepdim": False}),
    ]
    for op in ("argmax", "argmin"):
        for sh, dt, args in argmm:
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sh)}_{_args_tag(args)}", op, args,
                     (lambda sh=sh, dt=dt: [(distinct(sh, dt), False)]), _reduce_fn(op, args))

    vs = [
        (s3, F32, {}), (s2, F32, {}),
        (s3, F32, {"dim": 1, "keepdim": False}),
        (s2, F32, {"dim": 0, "keepdim": True}),
        (s3, F32, {"dim": -1, "keepdim": False}),
        (s2, F32, {"correction": 0}),
        (s3, F32, {"dim": -1, "keepdim": False, "correction": 0}),
        (s2, F64, {}),
        (s2, F64, {"dim": 1, "keepdim": False}),
    ]
    for op in ("var", "std"):
        for sh, dt, args in vs:
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sh)}_{_args_tag(args)}", op, args,
                     (lambda sh=sh, dt=dt: [randn(sh, dt)]), _reduce_fn(op, args))

    lse = [
        (s2, F32, {"dim": 1, "keepdim": False}),
        (s2, F32, {"dim": 0, "keepdim": False}),
        (s3, F32, {"dim": -1, "keepdim": True}),
        (s3, F32, {"dim": 1, "keepdim": False}),
        (s2, F64, {"dim": -1, "keepdim": False}),
    ]
    for sh, dt, args in lse:
        add_case(f"logsumexp_{SHORT[dt]}_{shape_tag(sh)}_{_args_tag(args)}", "logsumexp", args,
                 (lambda sh=sh, dt=dt: [randn(sh, dt, 2.0)]), _reduce_fn("logsumexp", args))


def gen_matmul():
    specs = [
        ([4], [4], F32), ([3, 4], [4], F32), ([4], [4, 2], F32), ([3, 4], [4, 2], F32),
        ([2, 3, 4], [2, 4, 2], F32), ([2, 3, 4], [4, 2], F32), ([3, 4], [2, 4, 2], F32),
        ([2, 1, 2, 3], [3, 3, 2], F32),
        ([3, 4], [4, 2], F64), ([2, 3, 4], [4], F64),
    ]
    for sa, sb, dt in specs:
        add_case(f"matmul_{SHORT[dt]}_{shape_tag(sa)}_{shape_tag(sb)}", "matmul", {},
                 (lambda sa=sa, sb=sb, dt=dt: [randn(sa, dt), randn(sb, dt)]), torch.matmul)


def gen_softmax():
    specs = [([3, 4], 1, F32), ([3, 4], 0, F32), ([3, 4], -1, F32),
             ([2, 3, 4], 1, F32), ([2, 3, 4], -1, F32), ([2, 3, 4], 0, F32), ([2, 3], -1, F64)]
    for op, f in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for sh, d, dt in specs:
            add_case(f"{op}_{SHORT[dt]}_{shape_tag(sh)}_dim{d}".replace("-", "m"), op, {"dim": d},
                     (lambda sh=sh, dt=dt: [randn(sh, dt, 2.0)]), (lambda x, d=d, f=f: f(x, dim=d)))


def gen_shape_ops():
    R = lambda sh, dt=F32: (lambda: [randn(sh, dt)])  # noqa: E731
    for sh, new in (([3, 4], [2, -1]), ([2, 3, 4], [4, -1]), ([2, 3, 2], [6, 2]),
                    ([3, 4], [12]), ([6], [1, 2, 3]), ([3, 4], [-1])):
        add_case(f"reshape_f32_{shape_tag(sh)}_to_{shape_tag(new)}".replace("-1", "m1"), "reshape",
                 {"shape": new}, R(sh), (lambda x, new=new: x.reshape(new)))
    add_case("reshape_f64_2x3_to_3x2", "reshape", {"shape": [3, 2]}, R([2, 3], F64), lambda x: x.reshape(3, 2))
    add_case("reshape_f32_scalar_to_1x1", "reshape", {"shape": [1, 1]}, R([]), lambda x: x.reshape(1, 1))

    for sh, d0, d1 in (([3, 4], 0, 1), ([2, 3, 4], 0, 2), ([2, 3, 1], -1, 0), ([1, 2, 3], 1, 1)):
        add_case(f"transpose_f32_{shape_tag(sh)}_{d0}_{d1}".replace("-", "m"), "transpose",
                 {"dim0": d0, "dim1": d1}, R(sh), (lambda x, a=d0, b=d1: x.transpose(a, b)))
    for sh, dims in (([2, 3, 4], [2, 0, 1]), ([1, 2, 3], [1, -1, 0]), ([3, 4], [1, 0]),
                     ([2, 1, 3, 2], [3, 1, 0, 2])):
        add_case(f"permute_f32_{shape_tag(sh)}_{'_'.join(map(str, dims))}".replace("-", "m"), "permute",
                 {"dims": dims}, R(sh), (lambda x, dims=dims: x.permute(dims)))
    for sh, d in (([3, 4], 0), ([3, 4], 1), ([3, 4], -1), ([3, 4], 2), ([], 0), ([3], -2)):
        add_case(f"unsqueeze_f32_{shape_tag(sh)}_dim{d}".replace("-", "m"), "unsqueeze", {"dim": d},
                 R(sh), (lambda x, d=d: x.unsqueeze(d)))
    for sh, args in (([3, 1, 4], {"dim": 1}), ([3, 4, 1], {"dim": -1}), ([3, 1, 4], {"dim": 0}),
                     ([1, 3, 1, 4], {}), ([1, 1], {})):
        tag = _args_tag(args)
        add_case(f"squeeze_f32_{shape_tag(sh)}_{tag}", "squeeze", args, R(sh),
                 (lambda x, a=args: x.squeeze(a["dim"]) if "dim" in a else x.squeeze()))
    for sh in ([2, 3, 4], [3, 4], [5], []):
        add_case(f"flatten_f32_{shape_tag(sh)}", "flatten", {}, R(sh), lambda x: torch.flatten(x))
    for sh, new in (([3, 1], [3, 4]), ([3, 1], [2, -1, 4]), ([4], [3, 4]), ([], [2, 3]), ([1, 3, 1], [2, 3, 4])):
        add_case(f"expand_f32_{shape_tag(sh)}_to_{shape_tag(new)}".replace("-1", "m1"), "expand",
                 {"shape": new}, R(sh), (lambda x, new=new: x.expand(new)))
    for sh, dt in (([3, 4], F32), ([2, 3], F64), ([4], F32)):
        add_case(f"t_{SHORT[dt]}_{shape_tag(sh)}", "t", {}, R(sh, dt), lambda x: x.t())


def gen_join_split():
    for shapes, d in (([[2, 3], [1, 3], [3, 3]], 0), ([[2, 3], [2, 2]], 1), ([[2, 3], [2, 1], [2, 2]], -1),
                      ([[2, 1, 3], [2, 2, 3]], 1), ([[3], [2]], 0)):
        tag = "_".join(shape_tag(s) for s in shapes)
        add_case(f"cat_f32_{tag}_dim{d}".replace("-", "m"), "cat", {"dim": d},
                 (lambda shapes=shapes: [randn(s) for s in shapes]),
                 (lambda *xs, d=d: torch.cat(xs, dim=d)))
    add_case("cat_f64_2x2_2x2_dim0", "cat", {"dim": 0}, lambda: [randn([2, 2], F64), randn([2, 2], F64)],
             lambda *xs: torch.cat(xs, dim=0))
    for n, sh, d in ((3, [2, 3], 0), (3, [2, 3], 1), (2, [2, 3], -1), (2, [2, 3], 2), (2, [3], 0), (2, [], 0)):
        add_case(f"stack_f32_{n}x{shape_tag(sh)}_dim{d}".replace("-", "m"), "stack", {"dim": d},
                 (lambda n=n, sh=sh: [randn(sh) for _ in range(n)]),
                 (lambda *xs, d=d: torch.stack(xs, dim=d)))

    def weighted_cat(pieces, d):
        return torch.cat([p * (i + 1) for i, p in enumerate(pieces)], dim=d)

    for sh, n, d in (([3, 5], 2, 1), ([5, 2], 2, 0), ([2, 6], 3, -1), ([4, 3], 4, 0), ([4, 3], 1, 0)):
        add_case(f"split_f32_{shape_tag(sh)}_size{n}_dim{d}".replace("-", "m"), "split",
                 {"split_size": n, "dim": d, "combine": "cat_weighted"}, (lambda sh=sh: [randn(sh)]),
                 (lambda x, n=n, d=d: weighted_cat(torch.split(x, n, dim=d), d)))
    for sh, n, d in (([5, 3], 3, 0), ([2, 6], 3, 1), ([2, 6], 4, -1), ([3, 4], 2, 1), ([2, 5], 5, 1)):
        add_case(f"chunk_f32_{shape_tag(sh)}_chunks{n}_dim{d}".replace("-", "m"), "chunk",
                 {"chunks": n, "dim": d, "combine": "cat_weighted"}, (lambda sh=sh: [randn(sh)]),
                 (lambda x, n=n, d=d: weighted_cat(torch.chunk(x, n, dim=d), d)))


def gen_indexing():
    nd = lambda t: (t, False)  # noqa: E731
    for sh, d, idx, dt in (([4, 3], 0, [2, 0, 2], F32), ([3, 4], 1, [3, 1], F32),
                           ([2, 3, 4], -1, [0, 3, 3, 1], F32), ([2, 3, 4], 1, [1], F32),
                           ([3, 2], 0, [1, 1, 0, 2], F64)):
        add_case(f"index_select_{SHORT[dt]}_{shape_tag(sh)}_dim{d}_n{len(idx)}".replace("-", "m"),
                 "index_select", {"dim": d},
                 (lambda sh=sh, idx=idx, dt=dt: [randn(sh, dt), nd(torch.tensor(idx, dtype=I64))]),
                 (lambda x, i, d=d: torch.index_select(x, d, i)))

    gathers = [
        ([3, 4], 1, [[0, 3], [1, 1], [2, 0]]),
        ([3, 4], 0, [[0, 1, 2, 0], [2, 2, 1, 0]]),
        ([3, 4], 0, [[2, 0, 1], [1, 1, 0]]),          # index smaller than input in the other dim
        ([2, 3, 4], -1, [[[3, 0], [1, 1], [2, 3]], [[0, 0], [3, 2], [1, 0]]]),
    ]
    for k, (sh, d, idx) in enumerate(gathers):
        ishape = list(torch.tensor(idx).shape)
        add_case(f"gather_f32_{shape_tag(sh)}_dim{d}_idx{shape_tag(ishape)}".replace("-", "m"), "gather",
                 {"dim": d}, (lambda sh=sh, idx=idx: [randn(sh), nd(torch.tensor(idx, dtype=I64))]),
                 (lambda x, i, d=d: torch.gather(x, d, i)))

    for sh, d, i, dt in (([3, 4], 1, 2, F32), ([2, 3, 4], 0, -1, F32), ([2, 3, 4], -1, -2, F32),
                         ([3, 4], 0, 0, F64), ([5], 0, 3, F32)):
        add_case(f"select_{SHORT[dt]}_{shape_tag(sh)}_dim{d}_i{i}".replace("-", "m"), "select",
                 {"dim": d, "index": i}, (lambda sh=sh, dt=dt: [randn(sh, dt)]),
                 (lambda x, d=d, i=i: x.select(d, i)))

    def py_slice(x, d, start, end, step):
        idx = [slice(None)] * x.dim()
        idx[d] = slice(start, end, step)
        return x[tuple(idx)]

    for sh, d, st, en, sp in (([3, 5], 1, 1, 4, 2), ([4, 3], 0, 0, 3, 1), ([2, 2, 5], -1, -3, 5, 1),
                              ([4, 3], 0, 1, 10, 1), ([7], 0, 0, 7, 3), ([2, 6], 1, -5, -1, 2),
                              ([3, 4], 1, 2, 2, 1)):
        add_case(f"slice_f32_{shape_tag(sh)}_dim{d}_{st}_{en}_{sp}".replace("-", "m"), "slice",
                 {"dim": d, "start": st, "end": en, "step": sp}, (lambda sh=sh: [randn(sh)]),
                 (lambda x, d=d, st=st, en=en, sp=sp: py_slice(x, d, st, en, sp)))
    add_case("slice_f64_4x2_dim0_1_3_1", "slice", {"dim": 0, "start": 1, "end": 3, "step": 1},
             lambda: [randn([4, 2], F64)], lambda x: x[1:3])

    for xs, ms in (([3, 4], [3, 4]), ([3, 4], [4]), ([3, 4], [3, 1]), ([4], [3, 4])):
        add_case(f"masked_select_f32_{shape_tag(xs)}_mask{shape_tag(ms)}", "masked_select", {},
                 (lambda xs=xs, ms=ms: [randn(xs), nd(rand_bool(ms))]),
                 (lambda x, m: torch.masked_select(x, m)))
    add_case("masked_select_f64_2x3_mask2x3", "masked_select", {},
             lambda: [randn([2, 3], F64), nd(rand_bool([2, 3]))], lambda x, m: torch.masked_select(x, m))

    for sh, i, dt in (([3, 4], 1, F32), ([2, 3, 4], -1, F32), ([5], 2, F32), ([3, 2], -3, F64)):
        add_case(f"index_int_{SHORT[dt]}_{shape_tag(sh)}_i{i}".replace("-", "m"), "index_int", {"index": i},
                 (lambda sh=sh, dt=dt: [randn(sh, dt)]), (lambda x, i=i: x[i]))


def gen_comparisons():
    nd = lambda t: (t, False)  # noqa: E731
    fns = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}
    # All six comparisons see the same inputs (shared seed), drawn from a few
    # small integers so that ties occur.
    for op, f in fns.items():
        for sa, sb, dt in (([3, 4], [4], F32), ([3, 1], [1, 4], F32), ([2, 3], [2, 3], I64), ([], [5], F64)):
            tag = f"{SHORT[dt]}_{shape_tag(sa)}_{shape_tag(sb)}"
            hi = 2 if sa == [] else 3  # 0-d vs 1-D: values in {0, 1} so the 0-d value ties some
            add_case(f"{op}_{tag}", op, {},
                     (lambda sa=sa, sb=sb, dt=dt, hi=hi: [nd(small_ints_as(sa, dt, 0, hi)),
                                                          nd(small_ints_as(sb, dt, 0, hi))]),
                     f, seed_key=f"cmp_{tag}")
    for s, sh, dt in ((0.0, [3, 4], F32), (0.5, [3, 4], F32), (1, [2, 3], I64), (-1.0, [2, 3], F64)):
        add_case(f"gt_scalar_{SHORT[dt]}_{shape_tag(sh)}_s{str(s).replace('.', 'p').replace('-', 'm')}",
                 "gt_scalar", {"scalar": s}, (lambda sh=sh, dt=dt: [nd(small_ints_as(sh, dt))]),
                 (lambda x, s=s: x > s))


def gen_where():
    nd = lambda t: (t, False)  # noqa: E731
    for cs, xs, ys, dt in (([3, 4], [3, 4], [3, 4], F32), ([3, 1], [1, 4], [], F32),
                           ([4], [3, 4], [3, 1], F32), ([2, 3], [2, 3], [2, 3], F64)):
        add_case(f"where_{SHORT[dt]}_c{shape_tag(cs)}_x{shape_tag(xs)}_y{shape_tag(ys)}", "where", {},
                 (lambda cs=cs, xs=xs, ys=ys, dt=dt: [nd(rand_bool(cs)), randn(xs, dt), randn(ys, dt)]),
                 torch.where)


def gen_conversions():
    nd = lambda t: (t, False)  # noqa: E731
    add_case("to_f32_to_f64", "to", {"dtype": "float64"}, lambda: [randn([3, 4])], lambda x: x.to(F64))
    add_case("to_f64_to_f32", "to", {"dtype": "float32"}, lambda: [randn([3, 4], F64)], lambda x: x.to(F32))
    add_case("to_f32_to_f32", "to", {"dtype": "float32"}, lambda: [randn([2, 3])], lambda x: x.to(F32))
    # float -> int64 truncates toward zero
    add_case("to_f32_to_i64", "to", {"dtype": "int64"}, lambda: [nd(randn([3, 4], F32, 3.0))],
             lambda x: x.to(I64))
    add_case("to_f64_to_i64", "to", {"dtype": "int64"}, lambda: [nd(randn([2, 3], F64, 3.0))],
             lambda x: x.to(I64))
    add_case("to_i64_to_f32", "to", {"dtype": "float32"}, lambda: [nd(torch.randint(-9, 10, [3, 4]))],
             lambda x: x.to(F32))
    add_case("to_i64_to_f64", "to", {"dtype": "float64"}, lambda: [nd(torch.randint(-9, 10, [2, 3]))],
             lambda x: x.to(F64))
    add_case("to_bool_to_f32", "to", {"dtype": "float32"}, lambda: [nd(rand_bool([2, 3]))], lambda x: x.to(F32))
    add_case("to_bool_to_i64", "to", {"dtype": "int64"}, lambda: [nd(rand_bool([2, 3]))], lambda x: x.to(I64))


# ---------------------------------------------------------------------------
# checks & output
# ---------------------------------------------------------------------------

def run_gradchecks():
    """gradcheck every differentiable case in float64 with a fine and a coarse eps.

    The coarse check (eps=1e-3) makes sure no input sits within 1e-3 of a kink,
    so a finite-difference test in Swift using a similar step agrees too.
    """
    failures = []
    for name, op, fn, inputs in CHECKS:
        if op == "to":
            continue
        dbl = []
        for t in inputs:
            if t.dtype.is_floating_point:
                dbl.append(t.detach().to(F64).requires_grad_(t.requires_grad))
            else:
                dbl.append(t.detach())

        def f(*xs):
            r = fn(*xs)
            return r[0] if isinstance(r, tuple) else r

        for eps, atol, rtol in ((1e-6, 1e-5, 1e-3), (1e-3, 1e-3, 1e-2)):
            try:
                ok = torch.autograd.gradcheck(f, tuple(dbl), eps=eps, atol=atol, rtol=rtol,
                                              raise_exception=False)
            except Exception as e:  # pragma: no cover
                ok = False
                print(f"{name}: {e}", file=sys.stderr)
            if not ok:
                failures.append((name, eps))
    return failures


def gen_inplace():
    """`t += b`, `t -= b`, `t *= b` and `t /= b` on a copy t of a, b broadcasting to t's shape
    (a tensor, a 0-d tensor, or a Python number): t keeps its dtype, and the gradients reach
    both a and b through the in-place op. With b of a wider dtype t is computed in b's dtype
    and rounded to its own; b's gradient is then t's float32 gradient summed and widened,
    which is float32-accurate only, so there b does not require grad."""

    def inplace(op):
        def fn(a, b):
            t = a.clone()
            if op == "add":
                t += b
            elif op == "sub":
                t -= b
            elif op == "mul":
                t *= b
            else:
                t /= b
            return t
        return fn

    for op in ("add", "sub", "mul", "div"):
        operand = positive if op == "div" else randn
        for (da, sa), (db, sb) in [
            ((F32, [3, 4]), (F32, [4])), ((F32, [3, 4]), (F32, [3, 1])),
            ((F32, [2, 3, 4]), (F32, [3, 1])), ((F32, [3, 4]), (F32, [])),
            ((F64, [2, 3]), (F64, [1, 3])), ((F32, [3, 4]), (F64, [4])),
        ]:
            mixed = "" if da == db else f"_{SHORT[db]}"
            add_case(f"{op}_inplace_{SHORT[da]}_{shape_tag(sa)}{mixed}_{shape_tag(sb)}",
                     f"{op}_inplace", {},
                     (lambda da=da, sa=sa, db=db, sb=sb, operand=operand:
                      [randn(sa, da), (operand(sb, db), da == db)]), inplace(op))
    for op, scalar in (("add", 2.5), ("mul", -1.5)):
        def fn(a, op=op, scalar=scalar):
            t = a.clone()
            if op == "add":
                t += scalar
            else:
                t *= scalar
            return t
        add_case(f"{op}_inplace_scalar_f32_3x4_s{str(scalar).replace('.', 'p')}",
                 f"{op}_inplace_scalar", {"scalar": scalar}, lambda: [randn([3, 4])], fn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output path (default: ops.json next to this script)")
    ap.add_argument("--check", action="store_true", help="run torch.autograd.gradcheck on every case")
    opts = ap.parse_args()

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)

    gen_binary()
    gen_scalar_ops()
    gen_promotion()
    gen_unary()
    gen_reductions()
    gen_matmul()
    gen_softmax()
    gen_shape_ops()
    gen_join_split()
    gen_indexing()
    gen_comparisons()
    gen_where()
    gen_conversions()
    gen_inplace()

    version = torch.__version__.split("+")[0]
    # One case per line: compact yet diff-friendly.
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES]
    text = ('{"torch_version":' + json.dumps(version) + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n")
    json.loads(text)  # sanity: valid JSON
    with open(opts.out, "w") as fh:
        fh.write(text)
    print(f"wrote {len(CASES)} cases, {len(text)} bytes -> {os.path.relpath(opts.out)}")

    if opts.check:
        failures = run_gradchecks()
        print(f"gradcheck: {len(CHECKS)} differentiable cases, {len(failures)} failures")
        for name, eps in failures:
            print(f"  FAIL {name} (eps={eps})")
        if failures:
            sys.exit(1)


if __name__ == "__main__":
    main()
