#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Descent's sequence layers.

Writes ``sequence.json`` next to this script: Embedding, RNN/LSTM/GRU and their cells,
MultiheadAttention, scaled_dot_product_attention, TransformerEncoderLayer/TransformerEncoder,
pad_sequence and generate_square_subsequent_mask, each case with

- ``layer`` and ``config``: the PyTorch class (or function) and its keyword arguments;
- ``seed``: ``torch.manual_seed(seed)`` right before the layer is built, so that ``state``
  (the layer's state dict, float32) is also what Descent must draw for the same seed;
- ``inputs``: the call's tensors by name (``x``, ``h0``, ``c0``, ``query``, ``key``, ``value``,
  ``key_padding_mask``, ``attn_mask``, ``src``, ``mask``, ``seq0``...), ``requires_grad`` naming
  those that get a gradient, and ``call``: the call's other arguments;
- ``outputs``: what the call returned (``output``, ``h``, ``c``, ``weights``);
- ``grad_outputs``: random tensors g_k; the loss is the sum over outputs of (output_k * g_k).sum();
- ``grads``: that loss's gradient for every input in ``requires_grad`` (``input.<name>``) and
  every parameter (``param.<name>``).

Tensors are ``{"shape", "dtype", "data"}`` with non-finite values written as the strings
"nan", "inf" and "-inf" (masks hold -inf). ``reprs`` holds ``repr(module)`` of a few layers.

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_sequence_fixtures.py

The output is deterministic: every case's inputs come from torch's generator seeded with a fixed
base seed plus the CRC32 of the case's name, after the layer is built. Dropout is 0 everywhere
(its random mask is tested separately), so training and evaluation agree.
"""

import json
import math
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sequence.json")
BASE_SEED = 2718

CASES = []
REPRS = {}


def number_json(v):
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
        dtype = {torch.float32: "float32", torch.float64: "float64"}[t.dtype]
    elif t.dtype == torch.bool:
        flat = [bool(v) for v in flat]
        dtype = "bool"
    else:
        flat = [int(v) for v in flat]
        dtype = "int64"
    return {"shape": list(t.shape), "dtype": dtype, "data": flat}


def add_case(name, layer, config, seed, make_module, make_inputs, call, run):
    """make_module() builds the layer (None for functions); make_inputs() returns an ordered dict
    name -> (tensor, requires_grad); run(module, inputs) returns a dict name -> output."""
    torch.manual_seed(seed)
    module = make_module()
    state = {} if module is None else {k: tensor_json(v) for k, v in module.state_dict().items()}
    torch.manual_seed(BASE_SEED + zlib.crc32(name.encode()))
    made = make_inputs()
    inputs = {}
    for key, (t, rg) in made.items():
        t = t.detach().clone()
        if rg:
            t.requires_grad_(True)
        inputs[key] = t
    outputs = run(module, inputs)
    differentiable = {k: v for k, v in outputs.items()
                      if v is not None and v.requires_grad}
    grad_outputs = {k: torch.randn(v.shape, dtype=v.dtype) for k, v in differentiable.items()}
    if differentiable:
        loss = sum((v * grad_outputs[k]).sum() for k, v in differentiable.items())
        loss.backward()
    grads = {}
    for key, t in inputs.items():
        if t.requires_grad:
            grads["input." + key] = tensor_json(t.grad if t.grad is not None else torch.zeros_like(t))
    if module is not None:
        for key, p in module.named_parameters():
            grads["param." + key] = tensor_json(p.grad if p.grad is not None else torch.zeros_like(p))
    CASES.append({
        "name": name, "layer": layer, "config": config, "seed": seed, "call": call,
        "state": state,
        "inputs": {k: tensor_json(v) for k, v in inputs.items()},
        "requires_grad": [k for k, v in inputs.items() if v.requires_grad],
        "outputs": {k: tensor_json(v) for k, v in outputs.items() if v is not None},
        "grad_outputs": {k: tensor_json(v) for k, v in grad_outputs.items()},
        "grads": grads,
    })


def randn(*shape):
    return torch.randn(*shape)


# ---------------------------------------------------------------------------
# Embedding
# ---------------------------------------------------------------------------

def gen_embedding():
    for name, config, indices in (
            ("embedding_basic", {"num_embeddings": 10, "embedding_dim": 4}, [[1, 2, 4], [4, 3, 9]]),
            ("embedding_padding", {"num_embeddings": 6, "embedding_dim": 3, "padding_idx": 0},
             [[0, 2, 0, 5], [1, 0, 2, 2]]),
            ("embedding_negative_padding", {"num_embeddings": 5, "embedding_dim": 2,
                                            "padding_idx": -1}, [4, 4, 1, 0, 3])):
        add_case(name, "Embedding", config, 11, lambda config=config: nn.Embedding(**config),
                 lambda indices=indices: {"x": (torch.tensor(indices), False)}, {},
                 lambda m, i: {"output": m(i["x"])})


# ---------------------------------------------------------------------------
# RNN, LSTM, GRU
# ---------------------------------------------------------------------------

RECURRENT = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def recurrent_case(name, layer, config, x_shape, with_state, seed=3):
    cls = RECURRENT[layer]
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    hidden = config["hidden_size"]
    batched = len(x_shape) == 3
    batch = (x_shape[0] if config.get("batch_first") else x_shape[1]) if batched else None
    state_shape = [layers, batch, hidden] if batched else [layers, hidden]

    def inputs():
        made = {"x": (randn(*x_shape), True)}
        if with_state:
            made["h0"] = (randn(*state_shape), True)
            if layer == "LSTM":
                made["c0"] = (randn(*state_shape), True)
        return made

    def run(m, i):
        if layer == "LSTM":
            hx = (i["h0"], i["c0"]) if with_state else None
            output, (h, c) = m(i["x"], hx)
            return {"output": output, "h": h, "c": c}
        output, h = m(i["x"], i.get("h0"))
        return {"output": output, "h": h}

    add_case(name, layer, config, seed, lambda: cls(**config), inputs, {}, run)


def gen_recurrent():
    for layer in ("RNN", "LSTM", "GRU"):
        low = layer.lower()
        recurrent_case(f"{low}_basic", layer, {"input_size": 4, "hidden_size": 5}, [6, 3, 4], False)
        recurrent_case(f"{low}_state", layer, {"input_size": 4, "hidden_size": 5}, [6, 3, 4], True)
        recurrent_case(f"{low}_two_layers_bidirectional_batch_first", layer,
                       {"input_size": 3, "hidden_size": 4, "num_layers": 2, "batch_first": True,
                        "bidirectional": True}, [2, 5, 3], True)
        recurrent_case(f"{low}_three_layers_sequence_first", layer,
                       {"input_size": 2, "hidden_size": 3, "num_layers": 3}, [4, 2, 2], True)
        recurrent_case(f"{low}_no_bias_bidirectional", layer,
                       {"input_size": 3, "hidden_size": 4, "bias": False, "bidirectional": True},
                       [5, 2, 3], False)
        recurrent_case(f"{low}_batch1_length1", layer, {"input_size": 3, "hidden_size": 4},
                       [1, 1, 3], True)
        recurrent_case(f"{low}_batch1_batch_first", layer,
                       {"input_size": 3, "hidden_size": 4, "batch_first": True}, [1, 7, 3], False)
        recurrent_case(f"{low}_unbatched", layer, {"input_size": 3, "hidden_size": 4,
                                                   "num_layers": 2}, [5, 3], True)
    recurrent_case("rnn_relu_bidirectional", "RNN",
                   {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu", "num_layers": 2,
                    "bidirectional": True}, [5, 2, 3], True)
    recurrent_case("rnn_relu_batch_first", "RNN",
                   {"input_size": 3, "hidden_size": 6, "nonlinearity": "relu",
                    "batch_first": True}, [3, 4, 3], False)


CELLS = {"RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell, "GRUCell": nn.GRUCell}


def cell_case(name, layer, config, x_shape, with_state):
    cls = CELLS[layer]
    state_shape = x_shape[:-1] + [config["hidden_size"]]

    def inputs():
        made = {"x": (randn(*x_shape), True)}
        if with_state:
            made["h0"] = (randn(*state_shape), True)
            if layer == "LSTMCell":
                made["c0"] = (randn(*state_shape), True)
        return made

    def run(m, i):
        if layer == "LSTMCell":
            h, c = m(i["x"], (i["h0"], i["c0"]) if with_state else None)
            return {"h": h, "c": c}
        return {"h": m(i["x"], i.get("h0"))}

    add_case(name, layer, config, 5, lambda: cls(**config), inputs, {}, run)


def gen_cells():
    for layer in ("RNNCell", "LSTMCell", "GRUCell"):
        low = layer.lower()
        cell_case(f"{low}_state", layer, {"input_size": 4, "hidden_size": 3}, [2, 4], True)
        cell_case(f"{low}_zeros", layer, {"input_size": 4, "hidden_size": 3}, [2, 4], False)
        cell_case(f"{low}_unbatched", layer, {"input_size": 4, "hidden_size": 3}, [4], True)
        cell_case(f"{low}_no_bias", layer, {"input_size": 2, "hidden_size": 5, "bias": False},
                  [3, 2], True)
    cell_case("rnncell_relu", "RNNCell", {"input_size": 4, "hidden_size": 3,
                                           "nonlinearity": "relu"}, [5, 4], True)


def gen_reprs():
    modules = {
        "lstm": nn.LSTM(10, 20),
        "lstm_full": nn.LSTM(3, 4, num_layers=2, dropout=0.5, bidirectional=True, batch_first=True),
        "gru_no_bias": nn.GRU(3, 4, bias=False),
        "rnn_relu": nn.RNN(3, 4, nonlinearity="relu"),
        "rnncell_relu": nn.RNNCell(3, 4, nonlinearity="relu"),
        "lstmcell": nn.LSTMCell(3, 4),
        "grucell_no_bias": nn.GRUCell(3, 4, bias=False),
        "embedding": nn.Embedding(10, 3),
        "embedding_padding": nn.Embedding(10, 3, padding_idx=-2),
        "mha": nn.MultiheadAttention(8, 2),
        "mha_kdim": nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False, batch_first=True),
        "encoder_layer": nn.TransformerEncoderLayer(8, 2, 16),
        "encoder": nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                                    activation="gelu",
                                                                    norm_first=True), 2,
                                         enable_nested_tensor=False),
    }
    for key, module in modules.items():
        REPRS[key] = repr(module)


GENERATORS = [gen_embedding, gen_recurrent, gen_cells, gen_reprs]


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    for generate in GENERATORS:
        generate()
    import make_sequence_attention_fixtures as attention  # noqa: E402
    attention.generate(add_case, randn, REPRS)
    version = torch.__version__.split("+")[0]
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in CASES]
    text = ('{"torch_version":' + json.dumps(version) + ',"reprs":' + json.dumps(REPRS)
            + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n")
    json.loads(text)
    with open(OUT, "w") as fh:
        fh.write(text)
    print(f"wrote {len(CASES)} cases, {len(text)} bytes -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
