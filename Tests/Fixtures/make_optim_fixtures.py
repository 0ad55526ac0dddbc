#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for Descent's optimizer and scheduler tests.

Writes ``optim.json`` next to this script:

* ``optimizers``: 20 steps of SGD, Adam, AdamW, Adagrad and RMSprop (single-tensor
  path, ``foreach=False``) on two parameters, ``W`` [3, 2] and ``b`` [2], for several
  hyper-parameter sets, in float32 and float64, some with two parameter groups.
  Each step records the gradients PyTorch fed to the optimizer (``null`` for a
  parameter whose grad was None and which the step skipped) and the parameters
  after the step, so the Swift test replays the same gradients and checks the
  optimizer alone. ``final_state`` is ``optimizer.state_dict()["state"]`` after
  the last step (``step`` as a number), and ``state_keys`` its keys per
  parameter in PyTorch's order.
* ``end_to_end``: the same runs with the gradients left to the Swift side: it
  computes ``loss(W, b)`` below with Descent's ops and autograd.
* ``schedulers``: ``get_last_lr()`` after construction and after each of 30
  steps, for an SGD optimizer with two groups (lr 0.1 and 0.05);
  ReduceLROnPlateau steps with the recorded ``metrics``.
* ``clip``: ``clip_grad_norm_`` (total norm, clipped gradients) and
  ``clip_grad_value_`` cases.

The loss is ``((X @ W + b - Y) ** 2).mean() + 0.05 * (W ** 4).sum()`` with the
fixed ``X`` [5, 3] and ``Y`` [5, 2] stored under ``problem``.

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_optim_fixtures.py [--out PATH]

Deterministic: every random value comes from generators seeded here. float32
values are written with the fewest digits that read back (decimal -> double ->
float32) as the same float32, float64 values with Python's shortest repr, except
the parameters after each step (float64 ones rounded to 12 significant digits:
they are only compared, within 1e-9 relative, never fed back).
"""

import argparse
import math
import os
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "optim.json")
STEPS = 20
SCHEDULER_STEPS = 30
DTYPES = {"float32": torch.float32, "float64": torch.float64}


# ---------------------------------------------------------------------------
# compact JSON with dtype-aware float formatting
# ---------------------------------------------------------------------------

class F32(float):
    """A float32 value: written with the fewest digits that read back exactly."""


class Approx(float):
    """A float64 value only compared with a tolerance: 12 significant digits."""


def f32_text(value):
    target = np.float32(value)
    for digits in range(1, 10):
        text = f"{float(target):.{digits}g}"
        if np.float32(float(text)) == target:
            return text
    raise AssertionError(value)


def dump(obj):
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, F32):
        return f32_text(obj)
    if isinstance(obj, Approx):
        return f"{float(obj):.12g}"
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"non-finite value {obj}")
        return repr(obj)
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, str):
        return '"' + obj.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(dump(v) for v in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join(dump(str(k)) + ":" + dump(v) for k, v in obj.items()) + "}"
    raise TypeError(type(obj))


def values(t, exact=True):
    """Flat row-major values of a tensor, tagged with its dtype; `exact=False` shortens
    float64 values that are only compared with a tolerance."""
    flat = t.detach().reshape(-1).tolist()
    if t.dtype == torch.float32:
        return [F32(v) for v in flat]
    return [float(v) if exact else Approx(v) for v in flat]


# ---------------------------------------------------------------------------
# the problem
# ---------------------------------------------------------------------------

gen = torch.Generator().manual_seed(20240611)
X64 = torch.randn(5, 3, generator=gen, dtype=torch.float64)
Y64 = torch.randn(5, 2, generator=gen, dtype=torch.float64)
W64 = torch.randn(3, 2, generator=gen, dtype=torch.float64) * 0.8
B64 = torch.randn(2, generator=gen, dtype=torch.float64) * 0.5


def loss_fn(W, b, X, Y):
    return ((X @ W + b - Y) ** 2).mean() + 0.05 * (W ** 4).sum()


def problem_json():
    # float64 values; the float32 runs use them rounded to float32.
    return {"X": values(X64), "Y": values(Y64), "W": values(W64), "b": values(B64)}


OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "Adagrad": torch.optim.Adagrad,
    "RMSprop": torch.optim.RMSprop,
}

# (name, optimizer, kwargs)
SINGLE_GROUP = [
    ("sgd_plain", "SGD", {"lr": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
    ("sgd_maximize", "SGD", {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.01, "maximize": True}),
    ("sgd_nesterov_wd_maximize", "SGD",
     {"lr": 0.01, "momentum": 0.7, "nesterov": True, "weight_decay": 0.05, "maximize": True}),
    ("adam_default", "Adam", {"lr": 0.01}),
    ("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("adam_amsgrad", "Adam", {"lr": 0.02, "betas": (0.8, 0.99), "amsgrad": True}),
    ("adam_maximize", "Adam", {"lr": 0.01, "weight_decay": 0.05, "maximize": True, "eps": 1e-6}),
    ("adamw_default", "AdamW", {"lr": 0.01}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "eps": 1e-6}),
    ("adamw_maximize", "AdamW", {"lr": 0.005, "betas": (0.5, 0.9), "maximize": True}),
    ("adagrad_default", "Adagrad", {"lr": 0.1}),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("adagrad_initial_accumulator", "Adagrad",
     {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("adagrad_wd_maximize", "Adagrad", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("rmsprop_default", "RMSprop", {"lr": 0.01}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9, "alpha": 0.9}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop_centered_momentum_wd", "RMSprop",
     {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-4}),
    ("rmsprop_maximize", "RMSprop", {"lr": 0.005, "maximize": True, "alpha": 0.95}),
]

# (name, optimizer, kwargs, [options of the group of W, options of the group of b]);
# b's gradient is None on every third step, so the step skips it.
TWO_GROUPS = [
    ("sgd_groups", "SGD", {"lr": 0.05, "momentum": 0.9}, [{}, {"lr": 0.2, "momentum": 0.5}]),
    ("adam_groups", "Adam", {"lr": 0.01}, [{}, {"lr": 0.05, "weight_decay": 0.1}]),
    ("adamw_groups", "AdamW", {"lr": 0.01}, [{"weight_decay": 0.2}, {"lr": 0.03, "amsgrad": True}]),
    ("adagrad_groups", "Adagrad", {"lr": 0.1}, [{}, {"lr": 0.3, "lr_decay": 0.1}]),
    ("rmsprop_groups", "RMSprop", {"lr": 0.01}, [{"centered": True}, {"lr": 0.02, "momentum": 0.7}]),
]

END_TO_END = [
    ("e2e_sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("e2e_adam", "Adam", {"lr": 0.02, "weight_decay": 0.01}),
    ("e2e_adamw", "AdamW", {"lr": 0.02, "amsgrad": True}),
]


def kwargs_json(kwargs):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}


def run(optimizer, kwargs, dtype, group_options=None, skip_b=False, record_grads=True):
    X, Y = X64.to(dtype), Y64.to(dtype)
    W = W64.to(dtype).clone().requires_grad_()
    b = B64.to(dtype).clone().requires_grad_()
    params = [W, b]
    if group_options is None:
        target = params
    else:
        target = [dict(params=[p], **opts) for p, opts in zip(params, group_options)]
    opt = OPTIMIZERS[optimizer](target, foreach=False, **kwargs)
    steps, losses = [], []
    for step in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(W, b, X, Y)
        loss.backward()
        if skip_b and step % 3 == 1:
            b.grad = None
        losses.append(float(loss))
        grads = [None if p.grad is None else values(p.grad) for p in params]
        opt.step()
        entry = {"params": [values(p, exact=False) for p in params]}
        if record_grads:
            entry = {"grads": grads, **entry}
        steps.append(entry)
    saved = opt.state_dict()["state"]
    state = {
        str(k): {key: (float(v) if key == "step" else values(v)) for key, v in s.items()}
        for k, s in saved.items()
    }
    keys = {str(k): list(s) for k, s in saved.items()}
    return steps, losses, state, keys


def optimizer_cases():
    cases = []
    for dtype_name, dtype in DTYPES.items():
        short = "f32" if dtype == torch.float32 else "f64"
        for name, optimizer, kwargs in SINGLE_GROUP:
            steps, _, state, keys = run(optimizer, kwargs, dtype)
            cases.append({"name": f"{name}_{short}", "optimizer": optimizer, "dtype": dtype_name,
                          "kwargs": kwargs_json(kwargs), "groups": None,
                          "steps": steps, "final_state": state, "state_keys": keys})
        for name, optimizer, kwargs, groups in TWO_GROUPS:
            steps, _, state, keys = run(optimizer, kwargs, dtype, group_options=groups,
                                        skip_b=True)
            cases.append({"name": f"{name}_{short}", "optimizer": optimizer, "dtype": dtype_name,
                          "kwargs": kwargs_json(kwargs),
                          "groups": [kwargs_json(g) for g in groups],
                          "steps": steps, "final_state": state, "state_keys": keys})
    return cases


def end_to_end_cases():
    cases = []
    for dtype_name, dtype in DTYPES.items():
        short = "f32" if dtype == torch.float32 else "f64"
        for name, optimizer, kwargs in END_TO_END:
            steps, losses, _, _ = run(optimizer, kwargs, dtype, record_grads=False)
            loss_values = [F32(v) for v in losses] if dtype == torch.float32 else losses
            cases.append({"name": f"{name}_{short}", "optimizer": optimizer, "dtype": dtype_name,
                          "kwargs": kwargs_json(kwargs), "losses": loss_values, "steps": steps})
    return cases


# ---------------------------------------------------------------------------
# schedulers
# ---------------------------------------------------------------------------

S = torch.optim.lr_scheduler
LAMBDAS = {"pow0.95": lambda e: 0.95 ** e, "inverse": lambda e: 1.0 / (e + 1)}

METRICS_DOWN = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.8, 0.85, 0.84, 0.83, 0.8, 0.79995, 0.8,
                0.81, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.45, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                0.5, 0.5]
METRICS_UP = [0.1, 0.2, 0.22, 0.3, 0.31, 0.32, 0.4, 0.4, 0.44, 0.5, 0.5, 0.5, 0.56, 0.6, 0.6,
              0.6, 0.7, 0.7, 0.7, 0.7, 0.8, 0.81, 0.82, 0.83, 0.84, 0.9, 0.9, 0.9, 0.9, 0.9]

# (name, scheduler, kwargs, metrics or None)
SCHEDULERS = [
    ("step_lr", "StepLR", {"step_size": 3, "gamma": 0.5}, None),
    ("step_lr_default_gamma", "StepLR", {"step_size": 7}, None),
    ("multi_step_lr", "MultiStepLR", {"milestones": [5, 10, 10, 22], "gamma": 0.3}, None),
    ("exponential_lr", "ExponentialLR", {"gamma": 0.9}, None),
    ("cosine_annealing_lr", "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}, None),
    ("cosine_annealing_lr_tmax7", "CosineAnnealingLR", {"T_max": 7}, None),
    ("linear_lr_default", "LinearLR", {}, None),
    ("linear_lr_decay", "LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 12}, None),
    ("lambda_lr_pow", "LambdaLR", {"lr_lambda": "pow0.95"}, None),
    ("lambda_lr_inverse", "LambdaLR", {"lr_lambda": "inverse"}, None),
    ("plateau_min_rel", "ReduceLROnPlateau",
     {"mode": "min", "factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": 0.01}, METRICS_DOWN),
    ("plateau_max_abs", "ReduceLROnPlateau",
     {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
     METRICS_UP),
    ("plateau_defaults", "ReduceLROnPlateau", {}, [1.0] * 30),
    ("plateau_eps", "ReduceLROnPlateau",
     {"factor": 0.9, "patience": 0, "min_lr": 0.04, "eps": 0.004}, METRICS_DOWN),
]


def scheduler_cases():
    cases = []
    for name, scheduler, kwargs, metrics in SCHEDULERS:
        p0 = torch.zeros(2, requires_grad=True)
        p1 = torch.zeros(3, requires_grad=True)
        opt = torch.optim.SGD([{"params": [p0]}, {"params": [p1], "lr": 0.05}], lr=0.1)
        args = dict(kwargs)
        if scheduler == "LambdaLR":
            args["lr_lambda"] = LAMBDAS[kwargs["lr_lambda"]]
        sched = getattr(S, scheduler)(opt, **args)
        lrs = [list(sched.get_last_lr())]
        for epoch in range(SCHEDULER_STEPS):
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[epoch])
            lrs.append([float(v) for v in sched.get_last_lr()])
        cases.append({"name": name, "scheduler": scheduler, "kwargs": kwargs,
                      "metrics": metrics, "lrs": lrs})
    return cases


# ---------------------------------------------------------------------------
# gradient clipping
# ---------------------------------------------------------------------------

CLIP_NORMS = [
    ("norm2", 1.0, 2.0), ("norm2_no_clip", 100.0, 2.0), ("norm1", 0.5, 1.0),
    ("norm_inf", 0.2, math.inf), ("norm3", 0.7, 3.0), ("norm_half", 2.0, 0.5),
]


def clip_cases():
    cases = []
    gen = torch.Generator().manual_seed(7)
    for dtype_name, dtype in DTYPES.items():
        short = "f32" if dtype == torch.float32 else "f64"
        for name, max_norm, norm_type in CLIP_NORMS:
            shapes = [[3, 2], [2], [4]]
            grads = [torch.randn(s, generator=gen, dtype=torch.float64).to(dtype) for s in shapes]
            params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in shapes]
            for p, g in zip(params, grads):
                p.grad = g.clone()
            unused = torch.zeros(5, dtype=dtype, requires_grad=True)  # grad None: ignored
            total = torch.nn.utils.clip_grad_norm_(params + [unused], max_norm, norm_type,
                                                   foreach=False)
            cases.append({"name": f"clip_{name}_{short}", "kind": "norm", "dtype": dtype_name,
                          "max_norm": max_norm,
                          "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                          "shapes": shapes, "grads": [values(g) for g in grads],
                          "total_norm": values(total)[0],
                          "clipped": [values(p.grad) for p in params]})
        shapes = [[3, 2], [2]]
        grads = [torch.randn(s, generator=gen, dtype=torch.float64).to(dtype) for s in shapes]
        params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_value_(params, 0.3, foreach=False)
        cases.append({"name": f"clip_value_{short}", "kind": "value", "dtype": dtype_name,
                      "clip_value": 0.3, "shapes": shapes, "grads": [values(g) for g in grads],
                      "clipped": [values(p.grad) for p in params]})
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    torch.use_deterministic_algorithms(True)
    sections = {
        "torch_version": torch.__version__.split("+")[0],
        "steps": STEPS,
        "problem": problem_json(),
        "optimizers": optimizer_cases(),
        "end_to_end": end_to_end_cases(),
        "schedulers": scheduler_cases(),
        "clip": clip_cases(),
    }
    lines = ["{"]
    keys = list(sections)
    for i, key in enumerate(keys):
        value = sections[key]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(value, list):
            lines.append(dump(key) + ":[")
            lines += [dump(case) + ("," if j < len(value) - 1 else "") for j, case in enumerate(value)]
            lines.append("]" + end)
        else:
            lines.append(dump(key) + ":" + dump(value) + end)
    lines.append("}")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
