#!/usr/bin/env python3
"""Reference values for Descent's datasets and loaders, printed by PyTorch.

Run from the repository root:  .venv-ref/bin/python Tests/Fixtures/make_data_fixtures.py
Writes Tests/Fixtures/data.json next to this script:

* ``loaders``: the batches of ``DataLoader(TensorDataset(torch.arange(n)), ...)`` over
  several epochs, with a generator seeded with ``seed`` (a shuffling loader draws the
  iterator's base seed, then the sampler's permutation, from it every epoch).
* ``splits``: the indices of each part of ``random_split`` of ``TensorDataset(torch.arange(n))``
  by lengths or by fractions, with a generator seeded with ``seed``.
* ``errors``: the messages PyTorch raises for tensors of different lengths, lengths that do
  not add up, a fraction outside [0, 1], and a batch size of 0.

Deterministic: every draw comes from a generator seeded here.
"""
import json
import os

import torch
from torch.utils.data import DataLoader, TensorDataset, random_split

out = {"torch_version": torch.__version__.split("+")[0]}

loaders = []
for name, n, batch_size, shuffle, drop_last, seed, epochs in [
    ("shuffle_bs3_seed0", 10, 3, True, False, 0, 3),
    ("shuffle_bs4_drop_last_seed7", 10, 4, True, True, 7, 2),
    ("shuffle_bs5_seed123", 23, 5, True, False, 123, 2),
    ("in_order_bs4", 10, 4, False, False, 0, 1),
    ("in_order_bs4_drop_last", 10, 4, False, True, 0, 1),
]:
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, shuffle=shuffle,
                        drop_last=drop_last, generator=torch.Generator().manual_seed(seed))
    batches = [[batch[0].tolist() for batch in loader] for _ in range(epochs)]
    loaders.append({"name": name, "n": n, "batch_size": batch_size, "shuffle": shuffle,
                    "drop_last": drop_last, "seed": seed, "count": len(loader),
                    "epochs": batches})
out["loaders"] = loaders

splits = []
for name, n, sizes, seed in [
    ("lengths_7_3_seed42", 10, [7, 3], 42),
    ("lengths_0_4_6_seed5", 10, [0, 4, 6], 5),
    ("fractions_0.5_0.3_0.2_of_11_seed1", 11, [0.5, 0.3, 0.2], 1),
    ("fractions_thirds_of_10_seed3", 10, [1 / 3, 1 / 3, 1 / 3], 3),
    ("fractions_0.25_0.75_of_7_seed0", 7, [0.25, 0.75], 0),
]:
    parts = random_split(TensorDataset(torch.arange(n)), sizes,
                         generator=torch.Generator().manual_seed(seed))
    kind = "fractions" if isinstance(sizes[0], float) else "lengths"
    splits.append({"name": name, "n": n, kind: sizes, "seed": seed,
                   "indices": [list(part.indices) for part in parts]})
out["splits"] = splits


def message(call):
    try:
        call()
    except (AssertionError, ValueError) as error:
        return str(error)
    raise AssertionError("no error")


ds = TensorDataset(torch.arange(10))
out["errors"] = {
    "tensor_dataset_lengths": message(lambda: TensorDataset(torch.zeros(3), torch.zeros(4, 2))),
    "split_lengths_sum": message(lambda: random_split(ds, [7, 2])),
    "split_fractions_sum": message(lambda: random_split(ds, [0.5, 0.6])),
    "split_fraction_range": message(lambda: random_split(ds, [1.5, -0.5])),
    "batch_size_0": message(lambda: DataLoader(ds, batch_size=0)),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
