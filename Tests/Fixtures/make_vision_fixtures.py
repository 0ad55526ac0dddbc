"""Reference values for Descent's convolutional layers and ops, printed by PyTorch.

Run from the repository root (needs torch, and safetensors for the CNN file):

    .venv-ref/bin/python Tests/Fixtures/make_vision_fixtures.py

Writes Tests/Fixtures/vision.json and Tests/Fixtures/safetensors/torch_cnn*.safetensors (the
layer sections come from vision_layer_fixtures.py), read by
Tests/DescentTests/Vision*Tests.swift:

- cases: forward values and gradients of conv1d/conv2d/conv_transpose2d, the poolings, pad,
  interpolate, unfold/fold and batch_norm for odd shapes (strides, paddings, dilations, groups,
  ceil_mode, batch 1, 1x1 kernels, non-square inputs, unbatched inputs), in the format of
  ops.json (see README.md); `args` hold the op's keyword arguments. Float32 convolutions also
  carry `output_f64`/`grads_f64`, PyTorch's results for the same inputs in float64.
- lenet: a LeNet-style model after torch.manual_seed(0), its output on a batch and the
  gradients of its parameters.
- init: Conv1d/Conv2d/ConvTranspose2d weights and biases after manual_seed(seed).
- repr, state_dict_keys: printing and state-dict keys of the layers.
- batchnorm2d: BatchNorm2d runs (training, running statistics, evaluation; momentum None;
  without affine; without running statistics).
- dropout2d: the channel mask for a seed.
- errors: PyTorch's messages for bad input.

Every case seeds torch's generator with a fixed base plus the CRC32 of its name, so adding a
case leaves the others unchanged.
"""
import json
import os
import zlib

import torch
import torch.nn.functional as F

from vision_layer_fixtures import (HERE, batchnorm2d, cnn, cnn_safetensors, dropout2d, errors,
                                   init, lenet, reprs, tensor)

CASES = []


def case(name, op, fn, shapes, args, dtype=torch.float32, grad=None, extra_inputs=()):
    """Runs fn(*inputs, **args) on random inputs of `shapes` (all requiring grad unless `grad`
    says which) and records output, upstream gradient and input gradients."""
    torch.manual_seed(1000 + zlib.crc32(name.encode()))
    grad = grad if grad is not None else [True] * len(shapes)
    inputs = [torch.randn(s, dtype=dtype).requires_grad_(g) for s, g in zip(shapes, grad)]
    inputs += list(extra_inputs)
    result = fn(*inputs, **args)
    indices = None
    if isinstance(result, tuple):
        result, indices = result
    grad_output = torch.randn(result.shape, dtype=dtype)
    result.backward(grad_output)
    entry = {
        "name": name, "op": op, "args": args,
        "inputs": [tensor(t, t.requires_grad) for t in inputs],
        "output": tensor(result), "grad_output": tensor(grad_output),
        "grads": [tensor(t.grad) if t.grad is not None else None for t in inputs],
    }
    if indices is not None:
        entry["output_indices"] = tensor(indices)
    if op.startswith("conv") and dtype == torch.float32:
        # The same inputs in float64: the exact answer that float32 results of long sums are
        # measured against when Descent and PyTorch round differently.
        wide = [t.detach().double().requires_grad_(t.requires_grad) for t in inputs]
        exact = fn(*wide, **args)
        exact.backward(grad_output.double())
        entry["output_f64"] = tensor(exact)
        entry["grads_f64"] = [tensor(t.grad) if t.grad is not None else None for t in wide]
    CASES.append(entry)


def conv_cases():
    def conv2d(x, w, b=None, **a):
        return F.conv2d(x, w, b, **a)

    for name, x, w, bias, a in [
        ("conv2d_nonsquare", [2, 3, 7, 6], [4, 3, 3, 3], True, {}),
        ("conv2d_stride2_pad1", [2, 3, 9, 8], [5, 3, 3, 2], True, {"stride": 2, "padding": 1}),
        ("conv2d_dilation2_pad21_batch1", [1, 2, 8, 9], [3, 2, 3, 3], False,
         {"padding": [2, 1], "dilation": 2}),
        ("conv2d_groups2_stride12", [2, 4, 6, 5], [6, 2, 3, 3], True,
         {"stride": [1, 2], "padding": 1, "groups": 2}),
        ("conv2d_depthwise", [2, 3, 5, 5], [3, 1, 3, 3], True, {"groups": 3}),
        ("conv2d_1x1", [2, 3, 4, 5], [5, 3, 1, 1], True, {}),
        ("conv2d_1x1_stride2", [2, 3, 5, 5], [2, 3, 1, 1], False, {"stride": 2}),
        ("conv2d_same_even_kernel", [2, 2, 6, 5], [3, 2, 4, 2], True, {"padding": "same"}),
        ("conv2d_same_dilation2", [1, 2, 7, 7], [2, 2, 3, 3], False,
         {"padding": "same", "dilation": 2}),
        ("conv2d_valid", [1, 2, 5, 5], [2, 2, 3, 3], True, {"padding": "valid"}),
        ("conv2d_unbatched", [3, 6, 6], [2, 3, 3, 3], True, {}),
        ("conv2d_kernel_is_input", [2, 2, 3, 4], [3, 2, 3, 4], False, {}),
        ("conv2d_lenet_block", [2, 6, 10, 10], [8, 6, 5, 5], True, {"padding": 2}),
        ("conv2d_stride_skips_edge", [1, 2, 8, 8], [2, 2, 3, 3], True, {"stride": 3}),
    ]:
        shapes = [x, w] + ([[w[0]]] if bias else [])
        case(name, "conv2d", conv2d, shapes, a)
    case("conv2d_f64", "conv2d", conv2d, [[2, 2, 5, 5], [3, 2, 3, 3], [3]],
         {"stride": 2, "padding": 1}, dtype=torch.float64)
    case("conv2d_input_only", "conv2d", conv2d, [[2, 2, 5, 4], [3, 2, 2, 2]], {"stride": 2},
         grad=[True, False])

    def conv1d(x, w, b=None, **a):
        return F.conv1d(x, w, b, **a)

    case("conv1d_stride2_pad1", "conv1d", conv1d, [[2, 3, 10], [4, 3, 3], [4]],
         {"stride": 2, "padding": 1})
    case("conv1d_groups_dilation_same", "conv1d", conv1d, [[1, 4, 9], [4, 2, 2]],
         {"padding": "same", "dilation": 2, "groups": 2})
    case("conv1d_unbatched_1x1", "conv1d", conv1d, [[3, 8], [2, 3, 1], [2]], {})

    def conv_t(x, w, b=None, **a):
        return F.conv_transpose2d(x, w, b, **a)

    case("conv_transpose2d_stride2_pad1_outpad1", "conv_transpose2d", conv_t,
         [[2, 3, 4, 5], [3, 2, 3, 3], [2]], {"stride": 2, "padding": 1, "output_padding": 1})
    case("conv_transpose2d_groups_dilation", "conv_transpose2d", conv_t,
         [[1, 4, 3, 3], [4, 3, 2, 2], [6]], {"stride": [2, 1], "groups": 2, "dilation": [1, 2]})
    case("conv_transpose2d_plain", "conv_transpose2d", conv_t, [[2, 2, 4, 4], [2, 2, 3, 3]], {})
    case("conv_transpose2d_outpad_below_dilation", "conv_transpose2d", conv_t,
         [[1, 2, 3, 3], [2, 1, 2, 2]], {"dilation": 2, "output_padding": 1})
    case("conv_transpose2d_unbatched", "conv_transpose2d", conv_t, [[3, 3, 2], [3, 2, 2, 2], [2]],
         {"stride": 2})


def pool_cases():
    for name, shape, a in [
        ("max_pool2d_k2", [2, 3, 6, 6], {"kernel_size": 2}),
        ("max_pool2d_k3_s2_p1_ceil", [2, 2, 7, 5],
         {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
        ("max_pool2d_rect_dilation", [1, 2, 8, 7],
         {"kernel_size": [2, 3], "stride": [2, 1], "padding": [1, 1], "dilation": 2}),
        ("max_pool2d_unbatched_s1", [3, 5, 5], {"kernel_size": 2, "stride": 1}),
        ("max_pool2d_ceil_trims", [1, 1, 5, 5], {"kernel_size": 2, "stride": 2, "ceil_mode": True}),
    ]:
        case(name, "max_pool2d",
             lambda x, **k: F.max_pool2d(x, return_indices=True, **k), [shape], a)
    for name, shape, a in [
        ("avg_pool2d_k2", [2, 3, 6, 6], {"kernel_size": 2}),
        ("avg_pool2d_ceil_exclude_pad", [2, 2, 7, 5],
         {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
          "count_include_pad": False}),
        ("avg_pool2d_rect_include_pad_ceil", [1, 2, 5, 6],
         {"kernel_size": [2, 3], "stride": [1, 2], "padding": [1, 1], "ceil_mode": True}),
        ("avg_pool2d_divisor", [1, 2, 4, 4], {"kernel_size": 2, "divisor_override": 3}),
        ("avg_pool2d_unbatched", [2, 5, 4], {"kernel_size": 2, "stride": 1}),
    ]:
        case(name, "avg_pool2d", lambda x, **k: F.avg_pool2d(x, **k), [shape], a)
    for name, shape, a in [
        ("max_pool1d_k3_s2_p1", [2, 3, 9], {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("max_pool1d_ceil", [2, 2, 7], {"kernel_size": 2, "ceil_mode": True}),
        ("max_pool1d_dilation_unbatched", [3, 10], {"kernel_size": 3, "dilation": 2}),
    ]:
        case(name, "max_pool1d", lambda x, **k: F.max_pool1d(x, **k), [shape], a)
    for name, shape, a in [
        ("avg_pool1d_exclude_pad", [2, 3, 9],
         {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
        ("avg_pool1d_ceil", [2, 2, 7], {"kernel_size": 2, "ceil_mode": True}),
    ]:
        case(name, "avg_pool1d", lambda x, **k: F.avg_pool1d(x, **k), [shape], a)
    for name, shape, size in [
        ("adaptive_avg_pool2d_3x2", [2, 3, 7, 5], [3, 2]),
        ("adaptive_avg_pool2d_global", [2, 3, 4, 5], 1),
        ("adaptive_avg_pool2d_overlapping", [2, 2, 5, 7], [4, 4]),
        ("adaptive_avg_pool2d_unbatched", [3, 6, 4], [2, 3]),
    ]:
        case(name, "adaptive_avg_pool2d", lambda x, **k: F.adaptive_avg_pool2d(x, **k), [shape],
             {"output_size": size})
    for name, shape, size in [
        ("adaptive_max_pool2d_3x2", [2, 3, 7, 5], [3, 2]),
        ("adaptive_max_pool2d_global", [1, 2, 4, 5], 1),
    ]:
        case(name, "adaptive_max_pool2d",
             lambda x, **k: F.adaptive_max_pool2d(x, return_indices=True, **k), [shape],
             {"output_size": size})


def other_cases():
    for name, shape, pad, value in [
        ("pad_last", [2, 3, 4], [1, 2], 0.0),
        ("pad_two_dims", [2, 3, 4], [1, 1, 2, 0], 0.5),
        ("pad_crop", [2, 3, 4], [-1, 2, 0, -1], 0.0),
        ("pad_4d", [1, 2, 3, 3], [1, 1, 1, 1], -2.0),
    ]:
        case(name, "pad", lambda x, **k: F.pad(x, k["pad"], value=k["value"]), [shape],
             {"pad": pad, "value": value})
    for name, shape, a in [
        ("interpolate_scale2", [2, 2, 3, 4], {"scale_factor": 2.0}),
        ("interpolate_size", [1, 2, 3, 4], {"size": [5, 7]}),
        ("interpolate_scale1p5", [1, 2, 5, 5], {"scale_factor": 1.5}),
        ("interpolate_1d_scale3", [2, 3, 5], {"scale_factor": 3.0}),
        ("interpolate_1d_size", [2, 1, 5], {"size": 7}),
        ("interpolate_down", [1, 1, 6, 5], {"scale_factor": 0.5}),
    ]:
        case(name, "interpolate", lambda x, **k: F.interpolate(x, mode="nearest", **k), [shape], a)
    for name, shape, a in [
        ("unfold_rect_pad_stride", [2, 3, 5, 6],
         {"kernel_size": [2, 3], "padding": 1, "stride": [2, 1]}),
        ("unfold_dilation_unbatched", [2, 6, 6], {"kernel_size": 2, "dilation": 2}),
    ]:
        case(name, "unfold", lambda x, **k: F.unfold(x, **k), [shape], a)
    for name, shape, a in [
        ("fold_rect_pad_stride", [2, 18, 18],
         {"output_size": [5, 6], "kernel_size": [2, 3], "padding": 1, "stride": [2, 1]}),
        ("fold_dilation_unbatched", [8, 16], {"output_size": [6, 6], "kernel_size": 2,
                                              "dilation": 2}),
    ]:
        case(name, "fold", lambda x, **k: F.fold(x, **k), [shape], a)

    # batch_norm with running statistics: the recorded extra outputs are the running averages
    # after the call (inputs 3 and 4 do not require grad).
    def batch_norm(x, w, b, rm, rv, **k):
        out = F.batch_norm(x, rm, rv, w, b, **k)
        return out

    for name, training in [("batch_norm_train", True), ("batch_norm_eval", False)]:
        torch.manual_seed(7)
        rm, rv = torch.randn(3) * 0.1, torch.rand(3) + 0.5
        before = [tensor(rm), tensor(rv)]
        case(name, "batch_norm", batch_norm, [[4, 3, 2, 2], [3], [3]],
             {"training": training, "momentum": 0.2, "eps": 1e-3}, extra_inputs=(rm, rv))
        CASES[-1]["inputs"][3:5] = before
        CASES[-1]["running_after"] = [tensor(rm), tensor(rv)]


def main():
    conv_cases()
    pool_cases()
    other_cases()
    out = {
        "torch_version": torch.__version__.split("+")[0],
        "cases": CASES,
        "lenet": lenet(),
        "init": init(),
        "repr": reprs(),
        "state_dict_keys": {"cnn": list(cnn().state_dict().keys())},
        "batchnorm2d": batchnorm2d(),
        "dropout2d": dropout2d(),
        "errors": errors(),
    }
    path = os.path.join(HERE, "vision.json")
    with open(path, "w") as f:
        f.write("{")
        items = list(out.items())
        for i, (key, value) in enumerate(items):
            if key == "cases":
                f.write('"cases": [\n')
                f.write(",\n".join(json.dumps(c) for c in value))
                f.write("\n]")
            else:
                f.write(json.dumps(key) + ": " + json.dumps(value))
            f.write(",\n" if i + 1 < len(items) else "}\n")
    print("wrote", path, f"({len(CASES)} cases)")
    cnn_safetensors()


if __name__ == "__main__":
    main()
