#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the pieces of a training loop around the optimizer.

Writes ``training.json`` next to this script:

* ``clip_nonfinite``: ``clip_grad_norm_`` with a NaN or infinite gradient: the error
  ``error_if_nonfinite=True`` raises, and the norm and gradients without it (NaN and
  infinities written as the strings ``"nan"``, ``"inf"``, ``"-inf"``).
* ``chained_schedulers``: two schedulers stepping one optimizer (two groups, lr 0.1 and
  0.05): the groups' rates and each scheduler's ``get_last_lr()`` after each of 30 steps.
* ``checkpoints``: every optimizer with two parameter groups and ReduceLROnPlateau, 12
  steps in float64 on the loss and problem of make_optim_fixtures.py (the ``problem`` of
  optim.json): parameters and rates after each step. The Swift side checkpoints the run
  halfway and resumes it in fresh objects.

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_training_fixtures.py [--out PATH]

Deterministic: no random values beyond make_optim_fixtures.py's seeded problem; the JSON is
written in the same compact form as optim.json (float64 parameters to 12 digits, compared
within 1e-9 relative).
"""

import argparse
import math
import os
import warnings

import torch

from make_optim_fixtures import (B64, OPTIMIZERS, S, SCHEDULER_STEPS, W64, X64, Y64, dump,
                                 kwargs_json, loss_fn, values)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "training.json")


def nonfinite(values_list):
    """Float values with NaN and infinities written as the strings "nan", "inf", "-inf"."""
    return [v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
            for v in values_list]


# (name, max_norm, norm_type, gradients): a NaN or an infinity among the gradients.
CLIP_NONFINITE = [
    ("nan_norm2", 1.0, 2.0, [[0.5, math.nan, -1.0], [2.0, 0.25]]),
    ("inf_norm2", 1.0, 2.0, [[0.5, math.inf, -1.0], [2.0, 0.25]]),
    ("nan_norm_inf", 0.5, math.inf, [[0.5, 1.5, -1.0], [math.nan, 0.25]]),
    ("neg_inf_norm1", 2.0, 1.0, [[-math.inf, 1.5, -1.0], [2.0, 0.25]]),
]


def clip_nonfinite_cases():
    cases = []
    for name, max_norm, norm_type, grads in CLIP_NONFINITE:
        tensors = [torch.tensor(g, dtype=torch.float32) for g in grads]

        def params():
            ps = [torch.zeros(t.shape, requires_grad=True) for t in tensors]
            for p, t in zip(ps, tensors):
                p.grad = t.clone()
            return ps

        try:
            torch.nn.utils.clip_grad_norm_(params(), max_norm, norm_type, error_if_nonfinite=True,
                                           foreach=False)
            raise AssertionError(f"{name}: no error")
        except RuntimeError as error:
            message = str(error)
        clipped = params()
        total = torch.nn.utils.clip_grad_norm_(clipped, max_norm, norm_type,
                                               error_if_nonfinite=False, foreach=False)
        cases.append({"name": name, "max_norm": max_norm,
                      "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                      "grads": [nonfinite(g) for g in grads], "error": message,
                      "total_norm": nonfinite([float(total)])[0],
                      "clipped": [nonfinite(p.grad.tolist()) for p in clipped]})
    return cases


# Two schedulers stepping one optimizer: each computes the next rate from the group's current
# one (PyTorch's chaining), in the order they step.
CHAINS = [
    ("exponential_then_step", [("ExponentialLR", {"gamma": 0.9}),
                               ("StepLR", {"step_size": 3, "gamma": 0.5})]),
    ("step_then_exponential", [("StepLR", {"step_size": 3, "gamma": 0.5}),
                               ("ExponentialLR", {"gamma": 0.9})]),
    ("linear_then_multi_step", [("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
                                ("MultiStepLR", {"milestones": [3, 6], "gamma": 0.1})]),
    ("cosine_then_exponential", [("CosineAnnealingLR", {"T_max": 8, "eta_min": 0.001}),
                                 ("ExponentialLR", {"gamma": 0.95})]),
]


def chained_scheduler_cases():
    cases = []
    for name, chain in CHAINS:
        p0 = torch.zeros(2, requires_grad=True)
        p1 = torch.zeros(3, requires_grad=True)
        opt = torch.optim.SGD([{"params": [p0]}, {"params": [p1], "lr": 0.05}], lr=0.1)
        scheds = [getattr(S, kind)(opt, **kwargs) for kind, kwargs in chain]
        group_lrs = [[g["lr"] for g in opt.param_groups]]
        last_lrs = [[list(s.get_last_lr()) for s in scheds]]
        for _ in range(SCHEDULER_STEPS):
            opt.step()
            for s in scheds:
                s.step()
            group_lrs.append([float(g["lr"]) for g in opt.param_groups])
            last_lrs.append([[float(v) for v in s.get_last_lr()] for s in scheds])
        cases.append({"name": name,
                      "schedulers": [{"scheduler": k, "kwargs": kw} for k, kw in chain],
                      "group_lrs": group_lrs, "last_lrs": last_lrs})
    return cases


# Checkpointed runs: every optimizer with two parameter groups and ReduceLROnPlateau (stepped
# with the fixed METRICS_CHECKPOINT after each step), float64, 12 steps on the problem's loss.
# The Swift side saves a checkpoint after 6 steps and resumes from it in fresh objects.
CHECKPOINT_STEPS = 12
METRICS_CHECKPOINT = [1.0, 0.8, 0.81, 0.82, 0.7, 0.71, 0.72, 0.73, 0.6, 0.61, 0.62, 0.63]
CHECKPOINTED = [
    ("sgd", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True},
     [{}, {"lr": 0.1, "momentum": 0.5, "nesterov": False}]),
    ("adam", "Adam", {"lr": 0.02, "amsgrad": True}, [{}, {"lr": 0.05, "weight_decay": 0.1}]),
    ("adamw", "AdamW", {"lr": 0.02}, [{"weight_decay": 0.2}, {"lr": 0.03, "amsgrad": True}]),
    ("adagrad", "Adagrad", {"lr": 0.1, "lr_decay": 0.01},
     [{}, {"lr": 0.3, "initial_accumulator_value": 0.1}]),
    ("rmsprop", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5},
     [{}, {"lr": 0.02, "alpha": 0.9}]),
]
PLATEAU = {"factor": 0.5, "patience": 1, "threshold": 0.01}


def checkpoint_cases():
    cases = []
    for name, optimizer, kwargs, groups in CHECKPOINTED:
        X, Y = X64, Y64
        W = W64.clone().requires_grad_()
        b = B64.clone().requires_grad_()
        target = [dict(params=[p], **opts) for p, opts in zip([W, b], groups)]
        opt = OPTIMIZERS[optimizer](target, foreach=False, **kwargs)
        plateau = S.ReduceLROnPlateau(opt, **PLATEAU)
        steps = []
        for step in range(CHECKPOINT_STEPS):
            opt.zero_grad()
            loss_fn(W, b, X, Y).backward()
            opt.step()
            plateau.step(METRICS_CHECKPOINT[step])
            steps.append({"params": [values(p, exact=False) for p in (W, b)],
                          "lrs": [float(g["lr"]) for g in opt.param_groups]})
        cases.append({"name": name, "optimizer": optimizer, "dtype": "float64",
                      "kwargs": kwargs_json(kwargs), "groups": [kwargs_json(g) for g in groups],
                      "plateau": PLATEAU, "metrics": METRICS_CHECKPOINT, "steps": steps})
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    torch.use_deterministic_algorithms(True)
    sections = {
        "torch_version": torch.__version__.split("+")[0],
        "clip_nonfinite": clip_nonfinite_cases(),
        "chained_schedulers": chained_scheduler_cases(),
        "checkpoints": checkpoint_cases(),
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
