"""The attention part of sequence.json (see make_sequence_fixtures.py, which imports this and
calls `generate`): MultiheadAttention, scaled_dot_product_attention, TransformerEncoderLayer,
TransformerEncoder, pad_sequence and generate_square_subsequent_mask."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.utils.rnn import pad_sequence


def bool_mask(shape, keep_rows=True):
    """A random bool mask (True with probability 0.3) in which no row along the last dimension
    is all True when `keep_rows` (a fully masked row softmaxes to NaN in MultiheadAttention)."""
    m = torch.rand(shape) < 0.3
    if keep_rows:
        m[..., 0] = False
    return m


def padding_mask(batch, length):
    """True at padded key positions: each batch entry keeps a prefix of at least one key."""
    m = torch.zeros(batch, length, dtype=torch.bool)
    for b in range(batch):
        keep = int(torch.randint(1, length + 1, ()))
        m[b, keep:] = True
    return m


def generate(add_case, randn, reprs):
    # The layers run on the math backend: softmax(q·kᵀ·scale + mask)·v as written. Given the
    # causal hint and no mask, PyTorch's CPU dispatch otherwise picks its flash kernel, whose
    # blockwise online softmax rounds float32 differently (gradients differ from the formula's by
    # a few 1e-5, relative). scaled_dot_product_attention itself keeps the default dispatch,
    # which also accepts a mask together with is_causal.
    with sdpa_kernel(SDPBackend.MATH):
        mha_cases(add_case, randn)
        encoder_cases(add_case, randn)
    sdpa_cases(add_case, randn)
    pad_cases(add_case, randn)


def mha_case(add_case, name, config, shapes, call, masks=None, self_attention=False, seed=7):
    """shapes: (query, key, value) shapes; masks: name -> maker."""
    def inputs():
        made = {"query": (torch.randn(*shapes[0]), True)}
        if not self_attention:
            made["key"] = (torch.randn(*shapes[1]), True)
            made["value"] = (torch.randn(*shapes[2]), True)
        for key, maker in (masks or {}).items():
            made[key] = (maker(), False)
        return made

    def run(m, i):
        q = i["query"]
        k, v = (q, q) if self_attention else (i["key"], i["value"])
        kwargs = {key: i[key] for key in ("key_padding_mask", "attn_mask") if key in i}
        kwargs.update({key: value for key, value in call.items() if key != "self"})
        output, weights = m(q, k, v, **kwargs)
        return {"output": output, "weights": weights}

    add_case(name, "MultiheadAttention", config, seed, lambda: nn.MultiheadAttention(**config),
             inputs, dict(call, self=self_attention), run)


def mha_cases(add_case, randn):
    base = {"embed_dim": 8, "num_heads": 2}
    mha_case(add_case, "mha_self_sequence_first", base, ([5, 3, 8],) * 3, {}, self_attention=True)
    mha_case(add_case, "mha_batch_first_key_padding", dict(base, batch_first=True),
             ([3, 5, 8],) * 3, {"need_weights": False},
             {"key_padding_mask": lambda: padding_mask(3, 5)}, self_attention=True)
    mha_case(add_case, "mha_float_masks_per_head_weights", base, ([5, 3, 8],) * 3,
             {"average_attn_weights": False},
             {"attn_mask": lambda: torch.randn(5, 5), "key_padding_mask": lambda: torch.randn(3, 5)})
    mha_case(add_case, "mha_cross_bool_3d_mask", base, ([4, 2, 8], [6, 2, 8], [6, 2, 8]), {},
             {"attn_mask": lambda: bool_mask([4, 4, 6])})
    mha_case(add_case, "mha_cross_bool_3d_mask_no_weights", base,
             ([4, 2, 8], [6, 2, 8], [6, 2, 8]), {"need_weights": False},
             {"attn_mask": lambda: bool_mask([4, 4, 6]),
              "key_padding_mask": lambda: padding_mask(2, 6)})
    mha_case(add_case, "mha_causal_hint", dict(base, batch_first=True), ([2, 5, 8],) * 3,
             {"need_weights": False, "is_causal": True},
             {"attn_mask": lambda: nn.Transformer.generate_square_subsequent_mask(5)},
             self_attention=True)
    mha_case(add_case, "mha_causal_bool_mask_with_padding", dict(base, batch_first=True),
             ([2, 5, 8],) * 3, {"is_causal": True},
             {"attn_mask": lambda: torch.ones(5, 5, dtype=torch.bool).triu(1),
              "key_padding_mask": lambda: padding_mask(2, 5)}, self_attention=True)
    mha_case(add_case, "mha_kdim_vdim", dict(base, kdim=3, vdim=5),
             ([4, 2, 8], [6, 2, 3], [6, 2, 5]), {})
    mha_case(add_case, "mha_kdim_vdim_batch_first_no_bias",
             dict(base, kdim=3, vdim=5, bias=False, batch_first=True),
             ([2, 4, 8], [2, 6, 3], [2, 6, 5]), {"need_weights": False})
    mha_case(add_case, "mha_no_bias_four_heads", {"embed_dim": 12, "num_heads": 4, "bias": False},
             ([3, 2, 12],) * 3, {}, self_attention=True)
    mha_case(add_case, "mha_batch1_length1", base, ([1, 1, 8],) * 3, {}, self_attention=True)
    mha_case(add_case, "mha_unbatched", base, ([5, 8], [3, 8], [3, 8]), {},
             {"key_padding_mask": lambda: torch.tensor([False, False, True])})


def sdpa_case(add_case, name, shapes, call, mask=None):
    def inputs():
        made = {"query": (torch.randn(*shapes[0]), True), "key": (torch.randn(*shapes[1]), True),
                "value": (torch.randn(*shapes[2]), True)}
        if mask is not None:
            made["attn_mask"] = (mask(), False)
        return made

    def run(_, i):
        return {"output": F.scaled_dot_product_attention(
            i["query"], i["key"], i["value"], attn_mask=i.get("attn_mask"), **call)}

    add_case(name, "scaled_dot_product_attention", {}, 0, lambda: None, inputs, call, run)


def sdpa_cases(add_case, randn):
    q4, k4, v4 = [2, 3, 4, 5], [2, 3, 6, 5], [2, 3, 6, 7]
    sdpa_case(add_case, "sdpa_basic", (q4, k4, v4), {})
    sdpa_case(add_case, "sdpa_bool_mask", (q4, k4, v4), {},
              lambda: ~bool_mask([4, 6]))
    sdpa_case(add_case, "sdpa_float_mask_broadcast", (q4, k4, v4), {},
              lambda: torch.randn(2, 1, 4, 6))
    sdpa_case(add_case, "sdpa_causal_square", ([2, 3, 5, 4],) * 3, {"is_causal": True})
    sdpa_case(add_case, "sdpa_causal_rectangular", (q4, k4, v4), {"is_causal": True})
    sdpa_case(add_case, "sdpa_scale", (q4, k4, v4), {"scale": 0.3})
    sdpa_case(add_case, "sdpa_three_dims", ([3, 4, 5], [3, 6, 5], [3, 6, 2]), {})
    sdpa_case(add_case, "sdpa_mask_and_causal", ([1, 2, 4, 3],) * 3, {"is_causal": True},
              lambda: torch.randn(4, 4))
    sdpa_case(add_case, "sdpa_fully_masked_row", ([1, 2, 3, 4],) * 3, {},
              lambda: torch.tensor([[True, False, True], [False, False, False], [True, True, True]]))
    sdpa_case(add_case, "sdpa_length1", ([2, 1, 1, 4], [2, 1, 1, 4], [2, 1, 1, 3]), {})


def encoder_case(add_case, name, config, src_shape, call, masks=None, layers=None):
    def make():
        layer = nn.TransformerEncoderLayer(**config)
        if layers is None:
            return layer
        return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def inputs():
        made = {"src": (torch.randn(*src_shape), True)}
        for key, maker in (masks or {}).items():
            made[key] = (maker(), False)
        return made

    def run(m, i):
        if layers is None:
            return {"output": m(i["src"], src_mask=i.get("mask"),
                                src_key_padding_mask=i.get("key_padding_mask"), **call)}
        return {"output": m(i["src"], mask=i.get("mask"),
                            src_key_padding_mask=i.get("key_padding_mask"), **call)}

    config_json = dict(config, **({"encoder_layers": layers} if layers else {}))
    add_case(name, "TransformerEncoder" if layers else "TransformerEncoderLayer", config_json, 13,
             make, inputs, call, run)


def encoder_cases(add_case, randn):
    base = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.0}
    causal = lambda: nn.Transformer.generate_square_subsequent_mask(5)  # noqa: E731
    encoder_case(add_case, "encoder_layer_relu_post_norm", base, [5, 3, 8], {})
    encoder_case(add_case, "encoder_layer_causal_mask", base, [5, 3, 8], {}, {"mask": causal})
    encoder_case(add_case, "encoder_layer_causal_hint", base, [5, 3, 8], {"is_causal": True},
                 {"mask": causal})
    encoder_case(add_case, "encoder_layer_gelu_norm_first_batch_first_padding",
                 dict(base, activation="gelu", norm_first=True, batch_first=True,
                      layer_norm_eps=1e-3), [3, 5, 8], {},
                 {"key_padding_mask": lambda: padding_mask(3, 5)})
    encoder_case(add_case, "encoder_layer_unbatched", dict(base, nhead=4), [5, 8], {},
                 {"mask": lambda: bool_mask([5, 5])})
    encoder_case(add_case, "encoder_layer_batch1_length1", base, [1, 1, 8], {})
    encoder_case(add_case, "encoder_two_layers_masks", base, [5, 2, 8], {},
                 {"mask": causal, "key_padding_mask": lambda: padding_mask(2, 5)}, layers=2)
    encoder_case(add_case, "encoder_three_layers_batch_first_gelu",
                 dict(base, batch_first=True, activation="gelu"), [2, 4, 8], {}, layers=3)


def pad_cases(add_case, randn):
    for batch_first in (False, True):
        def inputs():
            return {f"seq{i}": (torch.randn(n, 2), True) for i, n in enumerate((3, 1, 4))}

        def run(_, i, batch_first=batch_first):
            seqs = [i[f"seq{k}"] for k in range(3)]
            return {"output": pad_sequence(seqs, batch_first=batch_first, padding_value=-1.5)}

        add_case(f"pad_sequence_batch_first_{batch_first}".lower(), "pad_sequence", {}, 0,
                 lambda: None, inputs, {"batch_first": batch_first, "padding_value": -1.5}, run)

    def scalar_inputs():
        return {f"seq{i}": (torch.randn(n), True) for i, n in enumerate((2, 5))}

    add_case("pad_sequence_vectors", "pad_sequence", {}, 0, lambda: None, scalar_inputs,
             {"batch_first": False, "padding_value": 0.0},
             lambda _, i: {"output": pad_sequence([i["seq0"], i["seq1"]])})
    add_case("generate_square_subsequent_mask", "generate_square_subsequent_mask", {"size": 4},
             0, lambda: None, lambda: {}, {},
             lambda _, i: {"output": nn.Transformer.generate_square_subsequent_mask(4)})
