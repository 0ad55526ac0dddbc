#!/usr/bin/env python3
"""Generate PyTorch reference values for Descent's random-number tests.

Writes ``random.json`` next to this script. Each case seeds a CPU generator,
runs a list of random ops in order (so later ops see the state the earlier
ones left) and records every op's exact output.

Usage (from the repository root):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install torch numpy
    .venv-ref/bin/python Tests/Fixtures/make_random_fixtures.py

Format::

    {"torch_version": "2.x", "cpu_capability": "AVX512", "state_size": 5056,
     "cases": [{"name": "...", "seed": 0,
                "ops": [{"op": "rand", "shape": [5], "dtype": "float32",
                         "values": [...]}, ...]}]}

- ``seed`` null means a fresh ``torch.Generator()`` (PyTorch's default seed
  67280421310721); otherwise ``torch.Generator().manual_seed(seed)``.
- ops: ``rand``/``randn`` (shape, dtype), ``randint`` (low, high, shape),
  ``randperm`` (n), ``uniform``/``normal`` (shape, dtype, from/to or
  mean/std: a fill of a fresh contiguous tensor), ``linear`` (in, out: the
  weight then bias of ``nn.Linear`` built with the default generator, plus the
  bound its kaiming-uniform init uses), ``state`` (``get_state()`` as base64),
  ``set_state`` (restores the bytes of the case's earlier ``state`` op).
- Float values are written as doubles; a float32 value converts back exactly.

The values depend on the CPU kernels PyTorch picks: this file is made with the
AVX2/AVX512 kernels (``cpu_capability``); the DEFAULT kernels round some float
results differently (no fused multiply-add, libm instead of avx_mathfun).
"""

import base64
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "random.json")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
SEEDS = [("seed0", 0), ("seed42", 42), ("default", None)]

CASES = []


def generator(seed):
    g = torch.Generator()
    if seed is not None:
        g.manual_seed(seed)
    return g


def values(t):
    flat = t.reshape(-1).tolist()
    return [float(v) for v in flat] if t.dtype.is_floating_point else [int(v) for v in flat]


def run_op(op, g, saved):
    """Runs one op description on generator `g` and returns it with its values."""
    kind = op["op"]
    out = dict(op)
    if kind in ("rand", "randn"):
        fn = torch.rand if kind == "rand" else torch.randn
        t = fn(op["shape"], dtype=DTYPES[op["dtype"]], generator=g)
    elif kind == "randint":
        t = torch.randint(op["low"], op["high"], op["shape"], generator=g)
    elif kind == "randperm":
        t = torch.randperm(op["n"], generator=g)
    elif kind == "uniform":
        t = torch.empty(op["shape"], dtype=DTYPES[op["dtype"]])
        t.uniform_(op["from"], op["to"], generator=g)
    elif kind == "normal":
        t = torch.empty(op["shape"], dtype=DTYPES[op["dtype"]])
        t.normal_(op["mean"], op["std"], generator=g)
    elif kind == "state":
        saved["state"] = g.get_state()
        out["bytes"] = base64.b64encode(saved["state"].numpy().tobytes()).decode()
        return out
    elif kind == "set_state":
        g.set_state(saved["state"])
        return out
    else:
        raise ValueError(kind)
    out["values"] = values(t)
    return out


def case(name, seed, ops):
    g = generator(seed)
    saved = {}
    CASES.append({"name": name, "seed": seed, "ops": [run_op(op, g, saved) for op in ops]})


def linear_case(name, seed, fan_in, fan_out):
    # nn.Linear draws from the global generator: kaiming_uniform_(a=sqrt(5)) on
    # the weight (bound = sqrt(3) * gain / sqrt(fan_in)), then uniform_ on the
    # bias with bound 1/sqrt(fan_in).
    torch.manual_seed(seed)
    layer = torch.nn.Linear(fan_in, fan_out)
    gain = math.sqrt(2.0 / (1 + 5))
    weight_bound = math.sqrt(3.0) * gain / math.sqrt(fan_in)
    bias_bound = 1 / math.sqrt(fan_in)
    CASES.append({"name": name, "seed": seed, "ops": [
        {"op": "uniform", "shape": [fan_out, fan_in], "dtype": "float32",
         "from": -weight_bound, "to": weight_bound, "values": values(layer.weight.detach())},
        {"op": "uniform", "shape": [fan_out], "dtype": "float32",
         "from": -bias_bound, "to": bias_bound, "values": values(layer.bias.detach())},
    ]})


def main():
    for label, seed in SEEDS:
        for dtype in DTYPES:
            short = "f32" if dtype == "float32" else "f64"
            for n in (1, 5, 16, 17, 100):
                case(f"rand_{short}_{n}_{label}", seed,
                     [{"op": "rand", "shape": [n], "dtype": dtype}])
            for n in (1, 2, 7, 15, 16, 17, 33, 100):
                case(f"randn_{short}_{n}_{label}", seed,
                     [{"op": "randn", "shape": [n], "dtype": dtype}])
        for n in (5, 30, 100):
            case(f"randperm_{n}_{label}", seed, [{"op": "randperm", "n": n}])
        case(f"randint_{label}", seed, [
            {"op": "randint", "low": 0, "high": 10, "shape": [20]},
            {"op": "randint", "low": -5, "high": 5, "shape": [3, 4]},
            {"op": "randint", "low": 0, "high": 2 ** 33, "shape": [6]},
            {"op": "randint", "low": -(2 ** 62), "high": 2 ** 62, "shape": [4]},
            {"op": "randint", "low": 0, "high": 1, "shape": [3]},
        ])

    # A large float32 randn exercises the vectorised log/sin/cos on many inputs.
    case("randn_f32_1000_seed7", 7, [{"op": "randn", "shape": [1000], "dtype": "float32"}])
    case("randn_f32_2x3x4_seed3", 3, [{"op": "randn", "shape": [2, 3, 4], "dtype": "float32"}])

    # Several calls after one seed: each continues where the last left off,
    # including the cached second Box-Muller value of the scalar normal path.
    case("sequence_seed0", 0, [
        {"op": "rand", "shape": [3], "dtype": "float32"},
        {"op": "randn", "shape": [5], "dtype": "float32"},
        {"op": "randn", "shape": [1], "dtype": "float64"},
        {"op": "randint", "low": 0, "high": 100, "shape": [4]},
        {"op": "randn", "shape": [20], "dtype": "float32"},
        {"op": "randperm", "n": 10},
        {"op": "rand", "shape": [2], "dtype": "float64"},
        {"op": "randn", "shape": [3], "dtype": "float64"},
        {"op": "normal", "shape": [3], "dtype": "float32", "mean": 1.0, "std": 0.5},
    ])
    # More than 624 words, so the Mersenne Twister regenerates its block mid-call.
    case("sequence_long_seed1", 1, [
        {"op": "rand", "shape": [700], "dtype": "float32"},
        {"op": "rand", "shape": [400], "dtype": "float64"},
        {"op": "randn", "shape": [3], "dtype": "float32"},
    ])

    for label, seed in SEEDS:
        for dtype in DTYPES:
            short = "f32" if dtype == "float32" else "f64"
            case(f"uniform_{short}_{label}", seed, [
                {"op": "uniform", "shape": [4, 3], "dtype": dtype, "from": -0.5773502691896258,
                 "to": 0.5773502691896258},
                {"op": "uniform", "shape": [5], "dtype": dtype, "from": 2.5, "to": 7.25},
                {"op": "uniform", "shape": [3], "dtype": dtype, "from": -1e-3, "to": 0.1},
            ])
            case(f"normal_{short}_{label}", seed, [
                {"op": "normal", "shape": [7], "dtype": dtype, "mean": 0.5, "std": 2.0},
                {"op": "normal", "shape": [16], "dtype": dtype, "mean": -1.25, "std": 0.3},
                {"op": "normal", "shape": [33], "dtype": dtype, "mean": 3.0, "std": 0.01},
                {"op": "normal", "shape": [5], "dtype": dtype, "mean": 0.0, "std": 0.0},
            ])
    linear_case("linear_3_4_seed0", 0, 3, 4)
    linear_case("linear_20_7_seed42", 42, 20, 7)

    # get_state bytes (layout and normal cache) and restoring them.
    case("state_seed0", 0, [
        {"op": "randn", "shape": [1], "dtype": "float64"},
        {"op": "rand", "shape": [5], "dtype": "float32"},
        {"op": "state"},
        {"op": "randn", "shape": [3], "dtype": "float64"},
        {"op": "rand", "shape": [4], "dtype": "float32"},
        {"op": "set_state"},
        {"op": "randn", "shape": [3], "dtype": "float64"},
    ])
    case("state_fresh_default", None, [{"op": "state"}])

    doc = {"torch_version": torch.__version__.split("+")[0],
           "cpu_capability": torch.backends.cpu.get_cpu_capability(),
           "state_size": generator(0).get_state().numel(),
           "cases": CASES}
    with open(OUT, "w") as f:
        f.write('{"torch_version":%s,"cpu_capability":%s,"state_size":%d,"cases":[\n' % (
            json.dumps(doc["torch_version"]), json.dumps(doc["cpu_capability"]), doc["state_size"]))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in CASES))
        f.write("\n]}\n")
    print(f"wrote {len(CASES)} cases to {os.path.basename(OUT)}")


if __name__ == "__main__":
    main()
