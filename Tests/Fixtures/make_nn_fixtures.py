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

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
