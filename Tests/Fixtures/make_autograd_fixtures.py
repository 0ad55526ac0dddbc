#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Descent's autograd tests beyond backward().

Writes ``autograd.json`` next to this script:

- ``second``: second derivatives of elementwise ops, reductions, products and losses. For
  each case: the inputs (float64 leaves, or int64 labels), an upstream gradient ``w``, one
  direction ``v`` per float input, the first gradients ``g = grad(f(x), x, w,
  create_graph=True)`` and the second gradients ``grad(sum(g * v), x)`` (zeros where an
  input is unused).
- ``legendre``: the custom-function tutorial of "Learning PyTorch with Examples"
  (LegendrePolynomial3, 2000 steps, lr 5e-6, a, b, c, d = 0, -1, 0, 0.3, float32): the loss
  printed every 100 steps and the final coefficients.
- ``wgan_gp``: a WGAN-GP critic loss with gradient penalty through Linear/Tanh layers
  (float32): the weights, the batches, the interpolation factors, the loss and every
  parameter's gradient.
- ``functional``: torch.autograd.functional's jacobian, hessian, vjp, jvp and hvp (float64).
- ``copy_slices``: an in-place write through a view of a tensor in the graph.

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_autograd_fixtures.py

Tensors are {"shape", "dtype", "data"}; float32 values are written as the shortest decimal
that reads back as the same float32.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vjp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "autograd.json")


def encode(t):
    t = t.detach()
    if t.dtype == torch.float32:
        data = [float(str(np.float32(v))) for v in t.reshape(-1).tolist()]
        name = "float32"
    elif t.dtype == torch.float64:
        data = t.reshape(-1).tolist()
        name = "float64"
    else:
        data = t.reshape(-1).tolist()
        name = "int64"
    return {"shape": list(t.shape), "dtype": name, "data": data}


def seeded(name):
    return torch.Generator().manual_seed(sum(map(ord, name)) * 7919)


def normal(shape, gen):
    return torch.randn(shape, generator=gen, dtype=torch.float64)


def positive(shape, gen):
    return torch.rand(shape, generator=gen, dtype=torch.float64) + 0.5


LABELS = torch.tensor([1, 0, 3])

# name -> (input makers, function). Makers take a generator; "labels" is an int64 input.
SECOND = {
    "exp": ([normal], lambda x: x.exp()),
    "log": ([positive], lambda x: x.log()),
    "sqrt": ([positive], lambda x: x.sqrt()),
    "sin": ([normal], lambda x: x.sin()),
    "cos": ([normal], lambda x: x.cos()),
    "tanh": ([normal], lambda x: x.tanh()),
    "sigmoid": ([normal], lambda x: x.sigmoid()),
    "pow3": ([normal], lambda x: x.pow(3)),
    "powHalf": ([positive], lambda x: x.pow(0.5)),
    "gelu": ([normal], lambda x: F.gelu(x)),
    "geluTanh": ([normal], lambda x: F.gelu(x, approximate="tanh")),
    "elu": ([normal], lambda x: F.elu(x, alpha=1.5)),
    "reciprocalScalar": ([positive], lambda x: 2 / x),
    "mul": ([normal, normal], lambda a, b: a * b),
    "div": ([normal, positive], lambda a, b: a / b),
    "pow": ([positive, normal], lambda a, b: a**b),
    "sumSquares": ([normal], lambda x: (x * x).sum()),
    "meanExp": ([normal], lambda x: x.exp().mean()),
    "var": ([normal], lambda x: x.var(dim=1)),
    "std": ([normal], lambda x: x.std(dim=0)),
    "logsumexp": ([normal], lambda x: x.logsumexp(dim=1)),
    "softmax": ([normal], lambda x: x.softmax(dim=1)),
    "logSoftmax": ([normal], lambda x: x.log_softmax(dim=0)),
    "norm": ([normal], lambda x: x.norm(p=2, dim=1)),
    "prod": ([normal], lambda x: x.prod(dim=1)),
    "mm": ([normal, lambda g: normal([4, 2], g)], lambda a, b: (a @ b) ** 2),
    "linear": (
        [normal, lambda g: normal([5, 4], g), lambda g: normal([5], g)],
        lambda x, w, b: F.linear(x, w, b).tanh(),
    ),
    "mse": ([normal, normal], lambda x, y: F.mse_loss(x.tanh(), y)),
    "huber": ([normal, normal], lambda x, y: F.huber_loss(x * x, y, delta=0.7)),
    "smoothL1": ([normal, normal], lambda x, y: F.smooth_l1_loss(x * x, y, beta=0.6)),
    "bce": (
        [lambda g: torch.rand([3, 4], generator=g, dtype=torch.float64) * 0.8 + 0.1, normal],
        lambda p, y: F.binary_cross_entropy(p, y.sigmoid()),
    ),
    "bceWithLogits": (
        [normal, normal],
        lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()),
    ),
    "crossEntropy": ([normal, "labels"], lambda x, t: F.cross_entropy(x, t)),
    "crossEntropyProbabilities": (
        [normal, normal],
        lambda x, y: F.cross_entropy(x, y.softmax(dim=1)),
    ),
    "layerNorm": ([normal], lambda x: F.layer_norm(x, [4])),
}


def second_case(name, makers, function):
    gen = seeded(name)
    inputs = []
    for make in makers:
        if make == "labels":
            inputs.append(LABELS.clone())
        elif make in (normal, positive):
            inputs.append(make([3, 4], gen).requires_grad_())
        else:
            inputs.append(make(gen).requires_grad_())
    floats = [t for t in inputs if t.dtype == torch.float64]
    out = function(*inputs)
    w = normal(out.shape, gen)
    v = [normal(t.shape, gen) for t in floats]
    first = torch.autograd.grad(out, floats, w, create_graph=True)
    direction = sum((g * d).sum() for g, d in zip(first, v))
    second = torch.autograd.grad(direction, floats, allow_unused=True)
    second = [torch.zeros_like(t) if s is None else s for t, s in zip(floats, second)]
    return {
        "inputs": [encode(t) for t in inputs],
        "w": encode(w),
        "v": [encode(t) for t in v],
        "first": [encode(t) for t in first],
        "second": [encode(t) for t in second],
    }


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def legendre():
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a = torch.full((), 0.0, requires_grad=True)
    b = torch.full((), -1.0, requires_grad=True)
    c = torch.full((), 0.0, requires_grad=True)
    d = torch.full((), 0.3, requires_grad=True)
    lr = 5e-6
    losses = []
    for t in range(2000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            losses.append(float(str(np.float32(loss.item()))))
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= lr * p.grad
                p.grad = None
    return {"losses": losses, "coefficients": encode(torch.stack([a, b, c, d]))}


def wgan_gp():
    torch.manual_seed(0)
    critic = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 1))
    real = torch.randn(6, 4)
    fake = torch.randn(6, 4)
    alpha = torch.rand(6, 1)
    weights = {k: v.detach().clone() for k, v in critic.state_dict().items()}
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_()
    score = critic(mixed)
    (gradient,) = torch.autograd.grad(score, mixed, torch.ones_like(score), create_graph=True)
    penalty = ((gradient.norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
    loss.backward()
    return {
        "weights": {k: encode(v) for k, v in weights.items()},
        "real": encode(real), "fake": encode(fake), "alpha": encode(alpha),
        "penalty": encode(penalty), "loss": encode(loss),
        "grads": {k: encode(p.grad) for k, p in critic.named_parameters()},
    }


def functional():
    gen = seeded("functional")
    x = normal([3], gen)
    u = normal([3], gen)
    vec = lambda t: torch.stack([t[0] * t[1], t[1].sin() * t[2], t[0].exp() + t[2] ** 3, t.sum()])
    scalar = lambda t: (t.exp() * t.roll(1)).sum() + t.pow(3).sum()
    out = vec(x)
    w = normal(out.shape, gen)
    _, vjp_value = vjp(vec, x, w)
    _, jvp_value = jvp(vec, x, u)
    _, hvp_value = hvp(scalar, x, u)
    return {
        "x": encode(x), "u": encode(u), "w": encode(w),
        "jacobian": encode(jacobian(vec, x)), "hessian": encode(hessian(scalar, x)),
        "vjp": encode(vjp_value), "jvp": encode(jvp_value), "hvp": encode(hvp_value),
    }


def copy_slices():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
    z = torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True)
    y = x * x
    y[1:3] = z * 3
    y[0] += z[0]
    loss = (y * torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)).exp().sum()
    loss.backward()
    return {"y": encode(y), "x_grad": encode(x.grad), "z_grad": encode(z.grad)}


def main():
    fixtures = {
        "torch_version": torch.__version__,
        "second": {name: second_case(name, *spec) for name, spec in SECOND.items()},
        "legendre": legendre(),
        "wgan_gp": wgan_gp(),
        "functional": functional(),
        "copy_slices": copy_slices(),
    }
    with open(OUT, "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
