"""Checks that PyTorch loads the safetensors files Descent writes, with the right values.

The Swift tests never need Python; this is the other direction, run by CI (.ci/run) on every
submission, or by hand. First let Descent write its files, then load them here:

    DESCENT_SAFETENSORS_EXPORT=descent-out/safetensors swift test --filter exportFilesForPyTorch
    .venv-ref/bin/python Tests/Fixtures/check_descent_safetensors.py descent-out/safetensors

(`.venv-ref` needs `pip install torch safetensors`.) Every file is read with
`safetensors.torch.load_file` and its metadata with `safe_open`, and compared with what
make_safetensors_fixtures.py defines:

- descent_layout.safetensors: `layout_state_dict()` and `LAYOUT_METADATA`, and byte for byte
  what `safetensors.torch.save` writes for them;
- descent_model.safetensors: the PyTorch model's state dict after a trip through Descent; the
  model with these weights must reproduce the output recorded in the metadata (exactly as this
  PyTorch computes it, and up to rounding as the PyTorch that wrote the fixture did);
- descent_dtypes.safetensors: `dtypes_state_dict()` as Descent loads it (half types as float32,
  integer types as int64);
- descent_views.safetensors: views Descent wrote as contiguous data.

Exits with status 1 on the first mismatch.
"""

import json
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_safetensors_fixtures as fixtures  # noqa: E402

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print(f"  FAIL {message}")


def same(actual, expected):
    """Same dtype, shape and values, NaN equal to NaN and -0 distinct from 0."""
    if actual.dtype != expected.dtype or actual.shape != expected.shape:
        return False
    if actual.is_floating_point():
        a, e = actual.double(), expected.double()
        return bool(torch.equal(torch.isnan(a), torch.isnan(e))
                    and torch.equal(a.nan_to_num(0), e.nan_to_num(0))
                    and torch.equal(torch.signbit(a), torch.signbit(e)))
    return bool(torch.equal(actual, expected))


def check_tensors(name, loaded, expected):
    check(sorted(loaded) == sorted(expected), f"{name}: keys {sorted(loaded)} != {sorted(expected)}")
    for key, tensor in expected.items():
        if key in loaded:
            check(same(loaded[key], tensor), f"{name}: {key}: {loaded[key]} != {tensor}")


def metadata_of(path):
    with safe_open(path, framework="pt") as file:
        return file.metadata() or {}


def check_layout(path):
    loaded = load_file(path)
    check_tensors("layout", loaded, fixtures.layout_state_dict())
    check(metadata_of(path) == fixtures.LAYOUT_METADATA, f"layout: metadata {metadata_of(path)}")
    with open(path, "rb") as file:
        written = file.read()
    reference = save(fixtures.layout_state_dict(), metadata=fixtures.LAYOUT_METADATA)
    check(written == reference, "layout: bytes differ from safetensors.torch.save")


def check_model(path):
    state, metadata = fixtures.model_fixture()
    loaded = load_file(path)
    check_tensors("model", loaded, state)
    # Descent keeps the metadata of the file it read, the fixture PyTorch wrote.
    source = metadata_of(os.path.join(fixtures.OUT, "torch_model.safetensors"))
    check(metadata_of(path) == source, f"model: metadata {metadata_of(path)}, read {source}")
    net = fixtures.model()
    net.load_state_dict(loaded)
    with torch.no_grad():
        output = net(torch.tensor(json.loads(source["input"])))
    # Bit for bit what this PyTorch computes with the original weights...
    check(torch.equal(output, torch.tensor(json.loads(metadata["output"]))), "model: output differs")
    # ...and what the PyTorch that wrote the fixture recorded, up to its build's rounding (its
    # matrix kernels may sum in another order).
    recorded = torch.tensor(json.loads(source["output"]))
    check(torch.allclose(output, recorded, rtol=1e-6, atol=1e-7),
          f"model: output {output.tolist()}, recorded {recorded.tolist()}")


def check_dtypes(path):
    def widened(tensor):
        if tensor.dtype in (torch.float16, torch.bfloat16):
            return tensor.float()
        if tensor.dtype not in (torch.float32, torch.float64, torch.bool, torch.int64):
            return tensor.to(torch.int64)
        return tensor

    expected = {key: widened(value) for key, value in fixtures.dtypes_state_dict().items()}
    check_tensors("dtypes", load_file(path), expected)
    check(metadata_of(path) == fixtures.DTYPES_METADATA, f"dtypes: metadata {metadata_of(path)}")


def check_views(path):
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    expected = {"transposed": base.T.contiguous(), "row": base[1].clone(), "column": base[:, 2].clone()}
    check_tensors("views", load_file(path), expected)


CHECKS = {
    "descent_layout.safetensors": check_layout,
    "descent_model.safetensors": check_model,
    "descent_dtypes.safetensors": check_dtypes,
    "descent_views.safetensors": check_views,
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    for name, checker in CHECKS.items():
        path = os.path.join(directory, name)
        print(name)
        if not os.path.exists(path):
            check(False, f"{name}: missing (run the export test first)")
            continue
        checker(path)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print(f"all {len(CHECKS)} files load in PyTorch {torch.__version__} with the expected values")


if __name__ == "__main__":
    main()
