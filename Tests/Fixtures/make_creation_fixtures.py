#!/usr/bin/env python3
"""Reference values for Descent's factory functions, printed by PyTorch.

Run from the repository root:  .venv-ref/bin/python Tests/Fixtures/make_creation_fixtures.py
Writes Tests/Fixtures/creation.json next to this script: for each call of `torch.linspace`,
`torch.arange` and `torch.eye`, its arguments, the dtype PyTorch chose and the values (exact:
float32 values as the doubles they are).
"""
import json
import os

import torch

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
BY_NAME = {v: k for k, v in DTYPES.items()}


def record(t):
    values = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        values = [float(v) for v in values]
    return {"shape": list(t.shape), "dtype": DTYPES[t.dtype], "values": values}


linspace = []
for start, end, steps, dtype in [
    (0, 10, 7, "float32"), (-1, 1, 6, "float32"), (0, 1, 100, "float32"), (0, 1, 100, "float64"),
    (-3.5, 2.25, 12, "float64"), (5, -5, 9, "float32"), (0.1, 0.7, 13, "float32"),
    (2, 3, 1, "float32"), (2, 3, 0, "float32"),
]:
    t = torch.linspace(start, end, steps, dtype=BY_NAME[dtype])
    linspace.append({"start": start, "end": end, "steps": steps, **record(t)})

arange = []
for start, end, step, dtype in [
    (0, 1, 0.3, None), (0, 5, 1, None), (1, 10, 3, None), (0, 2.5, 0.5, None),
    (1, 0, -0.25, None), (0, 1, 0.1, "float64"), (-2, 2, 1, "float32"), (0, 1.01, 0.1, None),
    (10, 0, -3, None),
]:
    kwargs = {} if dtype is None else {"dtype": BY_NAME[dtype]}
    t = torch.arange(start, end, step, **kwargs)
    arange.append({"start": start, "end": end, "step": step, "requested_dtype": dtype, **record(t)})

eye = [{"n": n, "m": m, **record(torch.eye(n, m))} for n, m in [(2, 3), (3, 2), (3, 3), (1, 1)]]

out = {"torch_version": torch.__version__.split("+")[0], "linspace": linspace, "arange": arange,
       "eye": eye}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "creation.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
