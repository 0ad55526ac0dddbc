#!/usr/bin/env python3
"""Generate PyTorch reference values for Descent's data-parallel tests.

Writes ``distributed.json`` next to this script. Nothing here needs a process
group: the sampler, the data loader and the bucket assignment of
DistributedDataParallel's reducer are computed by PyTorch in one process.

Usage (from the repository root):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install torch numpy
    .venv-ref/bin/python Tests/Fixtures/make_distributed_fixtures.py

Format::

    {"torch_version": "2.x",
     "samplers": [{"count": 10, "num_replicas": 3, "shuffle": true, "seed": 0,
                   "drop_last": false, "epoch": 0, "length": 4, "total_size": 12,
                   "ranks": [[...], [...], [...]]}],
     "loaders": [{"count": 23, "num_replicas": 2, "rank": 1, "seed": 5,
                  "drop_last": false, "batch_size": 4, "loader_drop_last": false,
                  "global_seed": 7, "epochs": [[[3, 9, ...], ...], ...],
                  "after": 0.123}],
     "buckets": [{"bytes": [...], "dtypes": ["float32", ...], "limits": [...],
                  "order": [...] or null, "buckets": [[...]], "bucket_limits": [...]}]}

- samplers: ``DistributedSampler(range(count), num_replicas, rank=r, ...)``
  after ``set_epoch(epoch)``: every rank's indices, ``len(sampler)`` and
  ``total_size``.
- loaders: a ``DataLoader(TensorDataset(arange(count)), batch_size, sampler=
  DistributedSampler(...), drop_last=loader_drop_last)`` run for several epochs
  (``set_epoch(e)`` before each) after ``torch.manual_seed(global_seed)``;
  each batch as its list of indices, then ``after``, the value of
  ``torch.rand(1)`` drawn from the global generator once the epochs are done
  (each epoch's iterator draws one base seed from it).
- buckets: ``dist._compute_bucket_assignment_by_size`` on tensors of the
  given byte counts and dtypes with the size limits; ``order`` is the
  ``tensor_indices`` argument (the gradient-ready order of a rebuild: the
  tensors are then passed in that order), null for the parameters' own order.
  Mixed dtypes are only used without ``order``: with it, PyTorch leaves the
  order of the last buckets of different dtypes unspecified.
"""

import json
import os
import sys

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

DTYPES = {"float32": torch.float32, "float64": torch.float64}
MB = 1024 * 1024


def sampler_case(count, replicas, shuffle, seed, drop_last, epoch):
    ranks = []
    for rank in range(replicas):
        sampler = DistributedSampler(
            range(count), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
            drop_last=drop_last)
        sampler.set_epoch(epoch)
        ranks.append(list(sampler))
    return {"count": count, "num_replicas": replicas, "shuffle": shuffle, "seed": seed,
            "drop_last": drop_last, "epoch": epoch, "length": len(sampler),
            "total_size": sampler.total_size, "ranks": ranks}


def loader_case(count, replicas, rank, seed, drop_last, batch_size, loader_drop_last,
                global_seed, epochs):
    torch.manual_seed(global_seed)
    dataset = TensorDataset(torch.arange(count))
    sampler = DistributedSampler(
        dataset, num_replicas=replicas, rank=rank, seed=seed, drop_last=drop_last)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler,
                        drop_last=loader_drop_last)
    batches = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        batches.append([batch[0].tolist() for batch in loader])
    return {"count": count, "num_replicas": replicas, "rank": rank, "seed": seed,
            "drop_last": drop_last, "batch_size": batch_size,
            "loader_drop_last": loader_drop_last, "global_seed": global_seed,
            "epochs": batches, "after": torch.rand(1).item()}


def bucket_case(byte_counts, dtypes, limits, order=None):
    tensors = [torch.empty(b // DTYPES[d].itemsize, dtype=DTYPES[d])
               for b, d in zip(byte_counts, dtypes)]
    if order is None:
        buckets, bucket_limits = dist._compute_bucket_assignment_by_size(tensors, limits)
    else:
        buckets, bucket_limits = dist._compute_bucket_assignment_by_size(
            [tensors[i] for i in order], limits, [], order)
    return {"bytes": byte_counts, "dtypes": dtypes, "limits": limits, "order": order,
            "buckets": buckets, "bucket_limits": bucket_limits}


def mlp_bytes(sizes):
    """Parameter byte counts of Linear layers sizes[0] -> sizes[1] -> ..., float32."""
    out = []
    for a, b in zip(sizes, sizes[1:]):
        out += [4 * a * b, 4 * b]
    return out


def main():
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "distributed.json")

    samplers = []
    for count in [0, 1, 2, 5, 10, 11, 17, 100]:
        for replicas in [1, 2, 3, 4, 7]:
            for shuffle in [True, False]:
                for drop_last in [False, True]:
                    samplers.append(sampler_case(count, replicas, shuffle, 0, drop_last, 0))
    for seed, epoch in [(42, 0), (0, 3), (42, 7), (12345, 1)]:
        for count, replicas, drop_last in [(1000, 4, False), (1001, 4, True), (6007, 2, False)]:
            samplers.append(sampler_case(count, replicas, True, seed, drop_last, epoch))

    loaders = [
        loader_case(23, 2, 1, 5, False, 4, False, 7, 3),
        loader_case(23, 2, 0, 5, True, 4, True, 7, 2),
        loader_case(100, 3, 2, 0, False, 16, False, 0, 2),
        loader_case(10, 4, 3, 9, False, 1, False, 123, 2),
    ]

    mlp = mlp_bytes([784, 512, 256, 10])
    deep = mlp_bytes([300, 200, 200, 200, 200, 100, 50, 10])
    buckets = [
        bucket_case(mlp, ["float32"] * 6, [sys.maxsize]),
        bucket_case(mlp, ["float32"] * 6, [MB, 25 * MB]),
        bucket_case(mlp, ["float32"] * 6, [MB, 25 * MB], list(reversed(range(6)))),
        bucket_case(deep, ["float32"] * len(deep), [64 * 1024, 256 * 1024]),
        bucket_case(deep, ["float32"] * len(deep), [64 * 1024, 256 * 1024],
                    list(reversed(range(len(deep))))),
        bucket_case(deep, ["float32"] * len(deep), [160_000],
                    [1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12]),
        bucket_case([4000, 800, 40, 8000, 16, 4000, 1600, 3200],
                    ["float32", "float64", "float32", "float64", "float32", "float64",
                     "float32", "float64"], [1024, 4096]),
        bucket_case([4, 8, 4, 8], ["float32", "float64", "float32", "float64"], [sys.maxsize]),
    ]

    fixture = {"torch_version": torch.__version__, "samplers": samplers, "loaders": loaders,
               "buckets": buckets}
    with open(out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out}: {len(samplers)} samplers, {len(loaders)} loaders, "
          f"{len(buckets)} bucket assignments")


if __name__ == "__main__":
    main()
