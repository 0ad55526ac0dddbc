"""Reference values for Descent's nn layers, printed by PyTorch.

Run from the repository root:  .venv-ref/bin/python Tests/Fixtures/make_nn_fixtures.py
Writes Tests/Fixtures/nn.json next to this script.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor(t):
    return {"shape": list(t.shape), "data": flat(t)}


out = {"torch_version": torch.__version__.split("+")[0]}

# nn.Linear's default initialisation after manual_seed: weight drawn first, then bias.
linear = []
for seed, (i, o) in [(0, (3, 4)), (42, (20, 7)), (7, (1, 1))]:
    torch.manual_seed(seed)
    layer = nn.Linear(i, o)
    linear.append({"seed": seed, "in": i, "out": o, "weight": tensor(layer.weight), "bias": tensor(layer.bias)})
out["linear_init"] = linear

# Printing.
class Simple(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(1, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


simple = Simple()
simple.__class__.__name__ = "simple"
seq = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))
nested = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Tanh(), nn.Linear(4, 2, bias=False)))
out["repr"] = {
    "simple": repr(simple),
    "sequential": repr(seq),
    "nested": repr(nested),
    "batchnorm": repr(nn.BatchNorm1d(4)),
    "layernorm": repr(nn.LayerNorm(4)),
    "dropout": repr(nn.Dropout(0.25)),
    "leakyrelu": repr(nn.LeakyReLU(0.2)),
    "elu": repr(nn.ELU()),
    "gelu": repr(nn.GELU()),
    "flatten": repr(nn.Flatten()),
    "identity": repr(nn.Identity()),
    "sigmoid": repr(nn.Sigmoid()),
    "logsoftmax": repr(nn.LogSoftmax(dim=1)),
}
out["state_dict_keys"] = {
    "simple": list(simple.state_dict().keys()),
    "sequential": list(seq.state_dict().keys()),
    "nested": list(nested.state_dict().keys()),
    "batchnorm_mlp": list(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU()).state_dict().keys()),
}

# Activations: values and input gradients for a fixed input and upstream gradient.
torch.manual_seed(1)
x = (torch.randn(2, 5) * 2).requires_grad_()
g = torch.randn(2, 5)
acts = {}
for name, fn in [
    ("leaky_relu", lambda t: F.leaky_relu(t, 0.1)),
    ("elu", lambda t: F.elu(t, 1.0)),
    ("gelu", lambda t: F.gelu(t)),
    ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh")),
]:
    x.grad = None
    y = fn(x)
    y.backward(g)
    acts[name] = {"output": tensor(y), "grad": tensor(x.grad)}
out["activations"] = {"input": tensor(x), "grad_output": tensor(g), "cases": acts}

# LayerNorm and BatchNorm1d: forward, gradients, running statistics.
torch.manual_seed(2)
inp = torch.randn(4, 3, requires_grad=True)
gout = torch.randn(4, 3)
ln = nn.LayerNorm(3)
with torch.no_grad():
    ln.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
    ln.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
y = ln(inp)
y.backward(gout)
out["layernorm"] = {
    "input": tensor(inp), "grad_output": tensor(gout), "weight": tensor(ln.weight), "bias": tensor(ln.bias),
    "output": tensor(y), "grad_input": tensor(inp.grad), "grad_weight": tensor(ln.weight.grad),
    "grad_bias": tensor(ln.bias.grad),
}
inp.grad = None
bn = nn.BatchNorm1d(3)
y = bn(inp)
y.backward(gout)
y2 = bn(inp * 2 + 1)
bn.eval()
y3 = bn(inp)
out["batchnorm"] = {
    "input": tensor(inp), "grad_output": tensor(gout), "output_train": tensor(y), "grad_input": tensor(inp.grad),
    "grad_weight": tensor(bn.weight.grad), "grad_bias": tensor(bn.bias.grad),
    "running_mean": tensor(bn.running_mean), "running_var": tensor(bn.running_var),
    "num_batches_tracked": int(bn.num_batches_tracked), "output_second_batch": tensor(y2),
    "output_eval": tensor(y3),
}

# nn.init: each fills a fresh float32 tensor, drawing from a generator seeded with `seed`
# (`generator=`), or from the default generator after torch.manual_seed(seed) (`default`).
init_cases = []
for name, shape, seed, use_default, fill in [
    ("kaiming_uniform", [5, 4], 0, False, lambda t, g: nn.init.kaiming_uniform_(t, generator=g)),
    ("kaiming_uniform_leaky_fan_out", [3, 4, 2], 1, False,
     lambda t, g: nn.init.kaiming_uniform_(t, a=0.2, mode="fan_out", generator=g)),
    ("kaiming_uniform_default_generator", [4, 6], 8, True, lambda t, g: nn.init.kaiming_uniform_(t)),
    ("kaiming_normal", [5, 4], 2, False, lambda t, g: nn.init.kaiming_normal_(t, generator=g)),
    ("kaiming_normal_relu_fan_out", [3, 5], 3, False,
     lambda t, g: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu", generator=g)),
    ("xavier_uniform", [6, 3], 4, False, lambda t, g: nn.init.xavier_uniform_(t, generator=g)),
    ("xavier_uniform_tanh_gain", [2, 3, 4], 5, False,
     lambda t, g: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh"), generator=g)),
    ("xavier_normal", [4, 7], 6, False, lambda t, g: nn.init.xavier_normal_(t, generator=g)),
    ("xavier_normal_gain", [3, 3], 7, False,
     lambda t, g: nn.init.xavier_normal_(t, gain=0.5, generator=g)),
    ("constant", [2, 3], None, False, lambda t, g: nn.init.constant_(t, 0.3)),
    ("zeros", [4], None, False, lambda t, g: nn.init.zeros_(t)),
    ("ones", [2, 2], None, False, lambda t, g: nn.init.ones_(t)),
]:
    t = torch.full(shape, 7.0)
    generator = None
    if seed is not None and use_default:
        torch.manual_seed(seed)
    elif seed is not None:
        generator = torch.Generator().manual_seed(seed)
    fill(t, generator)
    init_cases.append({"name": name, "seed": seed, "default_generator": use_default,
                       "values": tensor(t)})
out["init"] = init_cases

# Dropout. On CPU, dropout's mask comes from bernoulli_(1 - p), which on this path draws one
# uniform double per element from the torch generator (kept where it is < 1 - p). On Intel CPUs
# PyTorch draws the mask with MKL's own generator instead, so regenerate on another CPU.
torch.manual_seed(11)
drop_x = torch.randn(4, 6)
drop_g = torch.randn(4, 6)
torch.manual_seed(0)
probe = torch.rand(4, 6, dtype=torch.float64) < 0.5
torch.manual_seed(0)
assert torch.equal(F.dropout(torch.ones(4, 6), 0.5) != 0, probe), \
    "this PyTorch draws dropout masks with MKL (an Intel CPU): regenerate on another CPU"
dropout_cases = []
for name, p, seed, dtype in [("p0.5", 0.5, 0, torch.float32), ("p0.2", 0.2, 1, torch.float32),
                             ("p0.9", 0.9, 2, torch.float32), ("p0.3_float64", 0.3, 3, torch.float64),
                             ("p0", 0.0, 4, torch.float32), ("p1", 1.0, 5, torch.float32)]:
    torch.manual_seed(seed)
    xi = drop_x.to(dtype).clone().requires_grad_()
    y = F.dropout(xi, p, training=True)
    y.backward(drop_g.to(dtype))
    # The next draw tells whether dropout drew from the generator.
    dropout_cases.append({"name": name, "p": p, "seed": seed, "dtype": str(dtype).split(".")[1],
                          "output": tensor(y), "grad": tensor(xi.grad),
                          "next_rand": float(torch.rand(1))})
torch.manual_seed(6)
module_output = nn.Dropout(0.25)(drop_x)
out["dropout"] = {"input": tensor(drop_x), "grad_output": tensor(drop_g), "cases": dropout_cases,
                  "module_p0.25_seed6": tensor(module_output)}

# A model with Dropout, in evaluation mode (no dropout) and in training mode.
torch.manual_seed(13)
dropout_model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.ReLU(), nn.Linear(3, 1))
model_x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]])
dropout_model.eval()
with torch.no_grad():
    eval_output = dropout_model(model_x)
dropout_model.train()
torch.manual_seed(14)
with torch.no_grad():
    train_output = dropout_model(model_x)
out["dropout_model"] = {"init_seed": 13, "train_seed": 14, "input": tensor(model_x),
                        "eval_output": tensor(eval_output), "train_output": tensor(train_output)}


# ModuleList: printing (repeated modules compressed), keys, parameters and a forward pass.
class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
        self.blocks.append(nn.Tanh())
        self.blocks.append(nn.Linear(3, 2))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


torch.manual_seed(21)
stack = Stack()
stack_x = torch.randn(4, 3)
stack_g = torch.randn(4, 2)
stack_y = stack(stack_x)
stack_y.backward(stack_g)
out["module_list"] = {
    "seed": 21, "repr": repr(stack), "empty_repr": repr(nn.ModuleList()),
    "last_repr": repr(stack.blocks[-1]), "count": len(stack.blocks),
    "state_dict_keys": list(stack.state_dict().keys()),
    "parameter_names": [n for n, _ in stack.named_parameters()],
    "input": tensor(stack_x), "grad_output": tensor(stack_g), "output": tensor(stack_y),
    "grads": [tensor(p.grad) for p in stack.parameters()],
}


def batchnorm_run(layer, x, g, weight=None, bias=None):
    if weight is not None:
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
    x = x.clone().requires_grad_()
    y = layer(x)
    y.backward(g)
    result = {"input": tensor(x), "grad_output": tensor(g), "output_train": tensor(y),
              "grad_input": tensor(x.grad)}
    if weight is not None:
        result.update(weight=tensor(layer.weight), bias=tensor(layer.bias),
                      grad_weight=tensor(layer.weight.grad), grad_bias=tensor(layer.bias.grad))
    with torch.no_grad():
        result["output_second_batch"] = tensor(layer(x * 2 + 1))
        layer.eval()
        result["output_eval"] = tensor(layer(x))
    result.update(running_mean=tensor(layer.running_mean), running_var=tensor(layer.running_var),
                  num_batches_tracked=int(layer.num_batches_tracked))
    return result


# BatchNorm1d on [N, C, L] with momentum 0.3, and without affine parameters on [N, C].
torch.manual_seed(3)
bn3_x, bn3_g = torch.randn(4, 3, 5), torch.randn(4, 3, 5)
bn_affine_x, bn_affine_g = torch.randn(5, 3), torch.randn(5, 3)
bn3 = batchnorm_run(nn.BatchNorm1d(3, momentum=0.3), bn3_x, bn3_g,
                    weight=torch.tensor([1.5, -0.5, 2.0]), bias=torch.tensor([0.1, 0.2, -0.3]))
bn_plain = batchnorm_run(nn.BatchNorm1d(3, affine=False), bn_affine_x, bn_affine_g)
errors = {}
for shape in [(1, 3), (1, 3, 1)]:
    try:
        nn.BatchNorm1d(3)(torch.zeros(shape))
    except ValueError as error:
        errors["x".join(map(str, shape))] = str(error)
out["batchnorm_more"] = {"ncl_momentum_0.3": bn3, "affine_false": bn_plain,
                         "one_value_errors": errors}

# LayerNorm over the last two dimensions, with and without elementwise affine parameters.
torch.manual_seed(4)
ln_x, ln_g = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
layernorm_2d = {"input": tensor(ln_x), "grad_output": tensor(ln_g)}
for name, layer in [("affine", nn.LayerNorm([3, 4])),
                    ("plain", nn.LayerNorm([3, 4], elementwise_affine=False))]:
    if layer.weight is not None:
        with torch.no_grad():
            layer.weight.copy_(torch.randn(3, 4))
            layer.bias.copy_(torch.randn(3, 4))
    x = ln_x.clone().requires_grad_()
    y = layer(x)
    y.backward(ln_g)
    entry = {"output": tensor(y), "grad_input": tensor(x.grad)}
    if layer.weight is not None:
        entry.update(weight=tensor(layer.weight), bias=tensor(layer.bias),
                     grad_weight=tensor(layer.weight.grad), grad_bias=tensor(layer.bias.grad))
    layernorm_2d[name] = entry
out["layernorm_2d"] = layernorm_2d

# Activation layers, Softmax and Flatten as modules: forward values and input gradients.
torch.manual_seed(5)
layer_x = torch.randn(2, 3, 2, 2) * 2
layer_cases = {}
for name, layer in [
    ("leaky_relu_0.2", nn.LeakyReLU(0.2)), ("leaky_relu_default", nn.LeakyReLU()),
    ("elu_0.5", nn.ELU(alpha=0.5)), ("elu_default", nn.ELU()), ("gelu", nn.GELU()),
    ("gelu_tanh", nn.GELU(approximate="tanh")), ("softmax_dim1", nn.Softmax(dim=1)),
    ("softmax_dim_last", nn.Softmax(dim=-1)), ("flatten", nn.Flatten()),
    ("flatten_0_2", nn.Flatten(0, 2)), ("flatten_2", nn.Flatten(2)),
]:
    x = layer_x.clone().requires_grad_()
    y = layer(x)
    g = torch.randn(y.shape)
    y.backward(g)
    layer_cases[name] = {"output": tensor(y), "grad_output": tensor(g), "grad": tensor(x.grad)}
out["activation_layers"] = {"input": tensor(layer_x), "cases": layer_cases}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
