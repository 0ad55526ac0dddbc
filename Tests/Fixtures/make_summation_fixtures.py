#!/usr/bin/env python3
"""Generate the sums PyTorch computes, to the last bit, for Descent's summation-order tests.

Writes ``summation.json`` next to this script. PyTorch adds float32 in float32, in the order of
its CPU ``cascade_sum`` (four accumulators, cascading levels, 32-byte vectors for contiguous
rows), and a mean is that sum divided by the count. Descent adds in the same order, so these
sums agree bit for bit, not merely within a tolerance.

The inputs are not stored: element ``i`` of a case with salt ``s`` is
``float(((i * 7919 + s * 104729) % 2001) - 1000) / 37``, rounded to the dtype; integer
arithmetic and one correctly rounded division give the same value in Swift and here.
PyTorch runs on one thread (its multi-threaded sums of over 32768 elements split the work by
thread count; Descent's answer is the same for any count and equals PyTorch's on one thread).

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_summation_fixtures.py
"""

import json
import os

import numpy as np
import torch

torch.set_num_threads(1)


def values(shape, salt, dtype):
    count = int(np.prod(shape)) if shape else 1
    i = np.arange(count, dtype=np.int64)
    numerators = ((i * 7919 + salt * 104729) % 2001) - 1000
    np_type = np.float32 if dtype == "float32" else np.float64
    x = numerators.astype(np_type) / np_type(37)
    return torch.from_numpy(x.reshape(shape))


def case(name, shape, salt, dtype, op, dims=None):
    x = values(shape, salt, dtype)
    if op == "sum":
        out = x.sum() if dims is None else x.sum(dim=dims)
    else:
        out = x.mean() if dims is None else x.mean(dim=dims)
    return {
        "name": name,
        "shape": list(shape),
        "salt": salt,
        "dtype": dtype,
        "op": op,
        "dims": dims,
        "expected": [float(v) for v in out.reshape(-1).tolist()],
    }


def main():
    cases = []
    salt = 0
    lengths = list(range(1, 41)) + [63, 64, 65, 100, 127, 128, 129, 255, 256, 1000, 4096, 5000]
    lengths += [70000, 200000, 600000, 3000000]
    for n in lengths:
        salt += 1
        cases.append(case(f"sum float32 [{n}]", [n], salt, "float32", "sum"))
    for n in list(range(1, 21)) + [100, 1000, 600000]:
        salt += 1
        cases.append(case(f"sum float64 [{n}]", [n], salt, "float64", "sum"))
    for n in [3, 5, 30, 100, 1000, 70000]:
        salt += 1
        cases.append(case(f"mean float32 [{n}]", [n], salt, "float32", "mean"))
    matrices = [(5, 3), (7, 8), (33, 40), (100, 1), (1, 100), (64, 10), (128, 784), (3, 37),
                (1000, 9), (200, 33), (17, 96), (4, 5)]
    for rows, columns in matrices:
        for dims in ([0], [1]):
            salt += 1
            name = f"sum float32 [{rows}, {columns}] dim {dims[0]}"
            cases.append(case(name, [rows, columns], salt, "float32", "sum", dims))
        salt += 1
        cases.append(case(f"mean float32 [{rows}, {columns}] dim 0", [rows, columns], salt,
                          "float32", "mean", [0]))
    for shape, dims in [([2, 5, 3], [1]), ([3, 10, 8], [1]), ([4, 33, 40], [1]), ([2, 7, 1], [1]),
                        ([6, 4, 5], [0, 1]), ([6, 4, 5], [1, 2]), ([5, 9, 40], [0, 1])]:
        salt += 1
        name = f"sum float32 {shape} dims {dims}"
        cases.append(case(name, shape, salt, "float32", "sum", dims))
    # Large enough to be split over threads: by columns, by rows.
    for dims in ([0], [1]):
        salt += 1
        cases.append(case(f"sum float32 [500, 600] dim {dims[0]}", [500, 600], salt, "float32",
                          "sum", dims))
    for rows, columns in [(9, 6), (40, 12)]:
        salt += 1
        cases.append(case(f"sum float64 [{rows}, {columns}] dim 0", [rows, columns], salt,
                          "float64", "sum", [0]))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "summation.json")
    with open(path, "w") as f:
        # One case a line: readable diffs without a line per number.
        f.write('{"torch": %s, "cases": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
