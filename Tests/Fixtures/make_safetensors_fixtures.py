"""Writes the safetensors fixtures that SafetensorsTests.swift reads (Tests/Fixtures/safetensors/).

Every file is written by PyTorch through the Python `safetensors` package, so the tests check
that Descent reads what PyTorch writes, and that Descent writes what PyTorch writes:

- torch_dtypes.safetensors   one tensor per dtype Descent reads (F32 F64 I64 BOOL F16 BF16
                             I32 I16 I8 U8 U16 U32 U64), edge values (extremes, -0, subnormals,
                             inf, NaN), a 0-d and two empty tensors, and metadata.
- torch_model.safetensors    the state dict of nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
                             after torch.manual_seed(0); its metadata holds an input batch and
                             the model's output on it, as JSON strings.
- torch_u64_overflow.safetensors  a U64 value above Int64.max (Descent must refuse it).
- torch_f8.safetensors       an F8_E4M3 tensor (Descent must refuse the dtype).
- descent_layout.safetensors  `layout_state_dict()` with `LAYOUT_METADATA`: Descent's encoding
                             of the same tensors must be byte for byte this file.

The values are spelled out below and again in SafetensorsTests.swift; change both together.

Regenerate from the repository root:

    python3 -m venv .venv-ref && .venv-ref/bin/pip install torch safetensors
    .venv-ref/bin/python Tests/Fixtures/make_safetensors_fixtures.py

The output is deterministic: the values are fixed, and files are saved again until the writer
(which orders metadata keys by a randomly seeded hash) happens to write the keys sorted.
"""

import argparse
import json
import math
import os
import struct

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "safetensors")


def dtypes_state_dict():
    inf, nan = math.inf, math.nan
    return {
        "f32": torch.tensor([[1.5, -2.25, -0.0], [1e-40, inf, nan]], dtype=torch.float32),
        "f64": torch.tensor([0.1, -1e300, 5e-324], dtype=torch.float64),
        "i64": torch.tensor([-(2**63), 2**63 - 1, 0, -1], dtype=torch.int64),
        "bool": torch.tensor([[True, False, True]]),
        # 65504 is the largest half, 2^-24 the smallest subnormal, 2^-14 the smallest normal,
        # 0.333251953125 the half nearest 1/3.
        "f16": torch.tensor(
            [1.0, -2.5, 65504.0, 2.0**-24, 2.0**-14, -0.0, inf, -inf, nan, 0.333251953125],
            dtype=torch.float16),
        # (2 - 2^-7) * 2^127 is the largest bfloat16, 2^-133 the smallest subnormal.
        "bf16": torch.tensor(
            [1.0, -3.140625, (2 - 2.0**-7) * 2.0**127, 2.0**-133, inf, nan], dtype=torch.bfloat16),
        "i32": torch.tensor([-(2**31), 2**31 - 1, 7], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([[0, 255, 7]], dtype=torch.uint8),
        "u16": torch.tensor([65535, 1], dtype=torch.uint16),
        "u32": torch.tensor([4294967295, 2], dtype=torch.uint32),
        "u64": torch.tensor([2**63 - 1, 0], dtype=torch.uint64),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "empty_i32": torch.zeros(2, 0, dtype=torch.int32),
    }


DTYPES_METADATA = {"format": "pt", "made_by": "make_safetensors_fixtures.py"}


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


MODEL_INPUT = [[0.5, -1.0, 2.0], [-1.5, 0.25, 0.75]]


def model_fixture():
    net = model()
    with torch.no_grad():
        output = net(torch.tensor(MODEL_INPUT))
    metadata = {
        "format": "pt",
        "input": json.dumps(MODEL_INPUT),
        "output": json.dumps(output.tolist()),
    }
    return net.state_dict(), metadata


def layout_state_dict():
    """The tensors of the byte-identity test; SafetensorsTests.layoutStateDict() builds them too."""
    return {
        "layer.weight": torch.tensor([[0.5, -1.0, 1.5], [-2.0, 2.5, -3.0]], dtype=torch.float32),
        "layer.bias": torch.tensor([0.25, -0.25], dtype=torch.float32),
        "scale": torch.tensor(0.1, dtype=torch.float64),
        "steps": torch.tensor([-(2**63), 0, 2**63 - 1], dtype=torch.int64),
        "mask": torch.tensor([[True, False], [False, True]]),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "\u00fcn\u00ef.name": torch.tensor([2.0], dtype=torch.float64),
    }


# One key, so that the byte comparison does not depend on metadata order.
LAYOUT_METADATA = {"note": "tab\tquote\" backslash\\ newline\n bell\x07 \u00e9 \u2603"}


def metadata_keys(path):
    with open(path, "rb") as file:
        length = struct.unpack("<Q", file.read(8))[0]
        header = json.loads(file.read(length))
    return list(header.get("__metadata__", {}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=OUT, help="directory to write to")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    def write(name, tensors, metadata):
        path = os.path.join(args.out, name)
        # The writer orders metadata keys by a randomly seeded hash; saving again until they
        # come out sorted keeps the committed bytes reproducible (and still PyTorch's own).
        for _ in range(1000):
            save_file(tensors, path, metadata=metadata)
            if metadata_keys(path) == sorted(metadata):
                break
        else:
            raise RuntimeError(f"{name}: metadata keys never came out sorted")
        print(f"{name}: {os.path.getsize(path)} bytes")

    write("torch_dtypes.safetensors", dtypes_state_dict(), DTYPES_METADATA)
    state, metadata = model_fixture()
    write("torch_model.safetensors", state, metadata)
    write("torch_u64_overflow.safetensors",
          {"big": torch.tensor([1, 2**63], dtype=torch.uint64)}, {"format": "pt"})
    write("torch_f8.safetensors",
          {"ok": torch.ones(2), "w": torch.tensor([1.0, 2.0]).to(torch.float8_e4m3fn)},
          {"format": "pt"})
    write("descent_layout.safetensors", layout_state_dict(), LAYOUT_METADATA)


if __name__ == "__main__":
    main()
