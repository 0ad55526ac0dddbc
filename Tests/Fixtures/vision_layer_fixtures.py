"""The layer sections of vision.json and the CNN safetensors files (a LeNet's output and
gradients, initial weights for a seed, printing, BatchNorm2d runs, Dropout2d's mask, PyTorch's
messages for bad input), with the helpers make_vision_fixtures.py shares. Imported by
make_vision_fixtures.py, which writes them."""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def tensor(t, requires_grad=None):
    t = t.detach()
    data = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        data = [float(v) for v in data]
    out = {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": data}
    if requires_grad is not None:
        out["requires_grad"] = requires_grad
    return out



def lenet():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, padding=1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
    torch.manual_seed(1)
    x = torch.randn(2, 1, 28, 28)
    out = model(x)
    out.sum().backward()
    return {"input": tensor(x), "output": tensor(out),
            "grads": {k: tensor(p.grad) for k, p in model.named_parameters()}}


def init():
    layers = [
        ("conv2d", 0, lambda: nn.Conv2d(3, 8, 3)),
        ("conv2d_groups_nobias", 3, lambda: nn.Conv2d(6, 4, (3, 5), groups=2, bias=False)),
        ("conv1d", 1, lambda: nn.Conv1d(4, 6, 5)),
        ("conv_transpose2d", 2, lambda: nn.ConvTranspose2d(4, 6, 3, groups=2)),
    ]
    out = []
    for name, seed, make in layers:
        torch.manual_seed(seed)
        layer = make()
        out.append({"name": name, "seed": seed, "weight": tensor(layer.weight),
                    "bias": tensor(layer.bias) if layer.bias is not None else None})
    return out


def reprs():
    return {
        "conv2d": repr(nn.Conv2d(1, 6, 5)),
        "conv2d_all": repr(nn.Conv2d(3, 8, (3, 5), stride=2, padding=1, dilation=2, bias=False)),
        "conv2d_same_groups": repr(nn.Conv2d(4, 8, 3, padding="same", groups=2)),
        "conv2d_valid": repr(nn.Conv2d(4, 8, 3, padding="valid")),
        "conv1d": repr(nn.Conv1d(3, 4, 5)),
        "conv1d_same": repr(nn.Conv1d(3, 4, 5, padding="same")),
        "conv_transpose2d": repr(nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)),
        "conv_transpose2d_plain": repr(nn.ConvTranspose2d(4, 2, 3)),
        "max_pool2d": repr(nn.MaxPool2d(2)),
        "max_pool2d_list": repr(nn.MaxPool2d([2, 3], stride=1, padding=1, ceil_mode=True)),
        "max_pool1d": repr(nn.MaxPool1d(3)),
        "avg_pool2d": repr(nn.AvgPool2d(2)),
        "avg_pool2d_all": repr(nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                            count_include_pad=False)),
        "avg_pool1d": repr(nn.AvgPool1d(2)),
        "adaptive_avg_pool2d": repr(nn.AdaptiveAvgPool2d(1)),
        "adaptive_avg_pool2d_list": repr(nn.AdaptiveAvgPool2d([2, 3])),
        "adaptive_max_pool2d": repr(nn.AdaptiveMaxPool2d(2)),
        "batchnorm2d": repr(nn.BatchNorm2d(16)),
        "batchnorm2d_options": repr(nn.BatchNorm2d(4, eps=1e-3, momentum=None, affine=False,
                                                   track_running_stats=False)),
        "dropout2d": repr(nn.Dropout2d(0.3)),
        "upsample": repr(nn.Upsample(scale_factor=2, mode="nearest")),
        "upsample_size": repr(nn.Upsample(size=(4, 5))),
        "unflatten": repr(nn.Unflatten(1, (2, 3))),
        "cnn": repr(cnn()),
    }


def cnn():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))


def batchnorm2d():
    torch.manual_seed(5)
    x = torch.randn(3, 2, 2, 3, requires_grad=True)
    g = torch.randn(3, 2, 2, 3)
    runs = {}
    for name, make in [
        ("default", lambda: nn.BatchNorm2d(2)),
        ("momentum_none", lambda: nn.BatchNorm2d(2, momentum=None)),
        ("affine_false", lambda: nn.BatchNorm2d(2, affine=False, eps=1e-3)),
        ("no_running_stats", lambda: nn.BatchNorm2d(2, track_running_stats=False)),
    ]:
        layer = make()
        if layer.affine:
            with torch.no_grad():
                layer.weight.copy_(torch.tensor([1.5, -0.5]))
                layer.bias.copy_(torch.tensor([0.1, 0.2]))
        x.grad = None
        y = layer(x)
        y.backward(g)
        run = {"output_train": tensor(y), "grad_input": tensor(x.grad)}
        if layer.affine:
            run["grad_weight"] = tensor(layer.weight.grad)
            run["grad_bias"] = tensor(layer.bias.grad)
        with torch.no_grad():
            run["output_second_batch"] = tensor(layer(x * 2 + 1))
        if layer.track_running_stats:
            run["running_mean"] = tensor(layer.running_mean)
            run["running_var"] = tensor(layer.running_var)
            run["num_batches_tracked"] = int(layer.num_batches_tracked)
        layer.eval()
        with torch.no_grad():
            run["output_eval"] = tensor(layer(x))
        runs[name] = run
    return {"input": tensor(x), "grad_output": tensor(g), "runs": runs}


def dropout2d():
    torch.manual_seed(3)
    layer = nn.Dropout2d(0.4)
    out = layer(torch.ones(4, 6, 2, 2))
    return {"seed": 3, "p": 0.4, "shape": [4, 6, 2, 2], "output": tensor(out)}


def message(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return str(e).split("\n")[0]
    raise RuntimeError("expected an error")


def errors():
    z = torch.zeros
    return {
        "channels": message(lambda: nn.Conv2d(3, 16, 5)(z(64, 1, 28, 28))),
        "rank": message(lambda: nn.Conv2d(3, 16, 5)(z(3, 28))),
        "rank_conv1d": message(lambda: nn.Conv1d(3, 16, 5)(z(1, 3, 28, 28))),
        "kernel_too_large": message(lambda: nn.Conv2d(3, 16, 5, padding=1)(z(1, 3, 2, 28))),
        "kernel_too_large_1d": message(lambda: nn.Conv1d(3, 4, 3)(z(1, 3, 2))),
        "stride_zero": message(lambda: nn.Conv2d(3, 16, 5, stride=0)(z(1, 3, 28, 28))),
        "groups_in": message(lambda: nn.Conv2d(3, 16, 5, groups=2)),
        "groups_out": message(lambda: nn.Conv2d(4, 6, 5, groups=4)),
        "groups_weight": message(lambda: F.conv2d(z(1, 4, 28, 28), z(6, 2, 5, 5), groups=4)),
        "groups_channels": message(lambda: F.conv2d(z(1, 3, 28, 28), z(16, 3, 5, 5), groups=2)),
        "same_strided": message(lambda: nn.Conv2d(3, 16, 5, padding="same", stride=2)),
        "bias": message(lambda: F.conv2d(z(1, 3, 28, 28), z(16, 3, 5, 5), z(15))),
        "transposed_channels": message(lambda: nn.ConvTranspose2d(3, 16, 5)(z(8, 1, 28, 28))),
        "output_padding": message(
            lambda: nn.ConvTranspose2d(3, 16, 5, stride=2, output_padding=2)(z(8, 3, 28, 28))),
        "max_pool_too_small": message(lambda: nn.MaxPool2d(5)(z(1, 3, 4, 28))),
        "max_pool_pad": message(lambda: nn.MaxPool2d(2, padding=2)(z(1, 3, 8, 8))),
        "max_pool_stride_zero": message(lambda: nn.MaxPool2d(2, stride=0)(z(1, 3, 8, 8))),
        "avg_pool_too_small": message(lambda: nn.AvgPool2d(5)(z(1, 3, 4, 28))),
        "adaptive_rank": message(lambda: nn.AdaptiveAvgPool2d(2)(z(3, 8))),
        "batchnorm2d_rank": message(lambda: nn.BatchNorm2d(3)(z(3, 8))),
        "batchnorm2d_channels": message(lambda: nn.BatchNorm2d(3)(z(2, 4, 8, 8))),
        "pad_odd": message(lambda: F.pad(z(1, 3, 8, 8), (1, 2, 3))),
        "interpolate_both": message(lambda: F.interpolate(z(1, 3, 8, 8), size=4, scale_factor=2)),
        "unflatten": message(lambda: nn.Unflatten(1, (2, 4))(z(3, 6))),
        "fold_blocks": message(lambda: F.fold(z(1, 12, 10), (4, 4), 2)),
    }


def metadata_keys(path):
    with open(path, "rb") as file:
        length = struct.unpack("<Q", file.read(8))[0]
        header = json.loads(file.read(length))
    return list(header.get("__metadata__", {}))


def cnn_safetensors():
    """The state dict of `cnn()` with an input batch and the evaluation output in the metadata,
    saved until the writer (which orders metadata keys by a random hash) writes them sorted."""
    from safetensors.torch import save_file

    model = cnn()
    with torch.no_grad():
        model(torch.randn(4, 1, 6, 6, generator=torch.Generator().manual_seed(9)))  # stats move
    model.eval()
    x = torch.randn(2, 1, 6, 6, generator=torch.Generator().manual_seed(11))
    with torch.no_grad():
        y = model(x)
    metadata = {"format": "pt", "input": json.dumps(x.reshape(-1).tolist()),
                "input_shape": json.dumps(list(x.shape)), "output": json.dumps(y.reshape(-1).tolist())}
    path = os.path.join(HERE, "safetensors", "torch_cnn.safetensors")
    for _ in range(1000):
        save_file(model.state_dict(), path, metadata=metadata)
        if metadata_keys(path) == sorted(metadata):
            break
    else:
        raise RuntimeError("metadata keys never came out sorted")
    os.chmod(path, 0o644)
    # The untrained model's file, which Descent must write byte for byte after manualSeed(0).
    fresh = os.path.join(HERE, "safetensors", "torch_cnn_init.safetensors")
    save_file(cnn().state_dict(), fresh)
    os.chmod(fresh, 0o644)
    print("wrote", path, fresh)
