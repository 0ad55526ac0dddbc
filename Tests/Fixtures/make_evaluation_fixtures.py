#!/usr/bin/env python3
"""Generate reference values for held-out evaluation in ``descent train`` and
``descent evaluate``.

Writes ``evaluation.json`` next to this script:

* ``metrics``: predictions against the truth with scikit-learn's definitions written out in
  float64 NumPy (``mean_squared_error``, ``mean_absolute_error``, ``r2_score`` with
  ``force_finite=True``, ``accuracy_score``, ``confusion_matrix`` with rows = true class and
  columns = predicted class).
* ``runs``: small training runs in PyTorch, as ``descent train`` runs them with
  ``--val-data``: full batch, ``--init zeros``, SGD, ``--standardize`` fitted on the training
  rows (float64 mean and population std, then float32), the scheduler stepped after each epoch
  (ReduceLROnPlateau on the validation loss), the held-out rows scored after each epoch's
  update. Each run lists its CSV files, its options, and per epoch the training loss (and
  accuracy), the validation loss and metrics and the learning rate; with early stopping, the
  epochs run and the epoch whose weights were kept, with those weights.
* ``evaluate``: a model with fixed weights (a regression and a 3-class one), a CSV file, and
  what ``descent evaluate`` prints for it.

Usage (from the repository root):

    .venv-ref/bin/python Tests/Fixtures/make_evaluation_fixtures.py [--out PATH]

Deterministic (seeded draws, rounded to 3 decimals in the CSV text).
"""

import argparse
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "evaluation.json")


# scikit-learn's definitions, in float64.
def mse(t, p):
    t, p = np.asarray(t, np.float64), np.asarray(p, np.float64)
    return float(np.mean((t - p) ** 2))


def mae(t, p):
    t, p = np.asarray(t, np.float64), np.asarray(p, np.float64)
    return float(np.mean(np.abs(t - p)))


def r2(t, p):
    t, p = np.asarray(t, np.float64), np.asarray(p, np.float64)
    residual = float(np.sum((t - p) ** 2))
    total = float(np.sum((t - t.mean()) ** 2))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1 - residual / total


def accuracy(t, p):
    return float(np.mean(np.asarray(t) == np.asarray(p)))


def confusion(t, p, k):
    m = np.zeros((k, k), dtype=np.int64)
    for a, b in zip(t, p):
        m[a, b] += 1
    return m.tolist()


def metric_cases():
    g = torch.Generator().manual_seed(5)
    truth = (torch.randn(40, generator=g, dtype=torch.float64) * 3 + 1).tolist()
    predicted = [y + 0.7 * float(e) for y, e in zip(truth, torch.randn(40, generator=g, dtype=torch.float64))]
    labels = torch.randint(0, 4, (60,), generator=g).tolist()
    guesses = [l if float(u) < 0.7 else int(v) for l, u, v in
               zip(labels, torch.rand(60, generator=g), torch.randint(0, 4, (60,), generator=g))]
    return {
        "regression": [
            {"truth": truth, "predicted": predicted, "mse": mse(truth, predicted),
             "mae": mae(truth, predicted), "r2": r2(truth, predicted)},
            {"truth": [2.0, 2.0, 2.0], "predicted": [2.0, 2.0, 2.0], "mse": 0.0, "mae": 0.0,
             "r2": r2([2.0] * 3, [2.0] * 3)},
            {"truth": [2.0, 2.0, 2.0], "predicted": [1.0, 2.0, 3.0], "mse": mse([2.0] * 3, [1.0, 2.0, 3.0]),
             "mae": mae([2.0] * 3, [1.0, 2.0, 3.0]), "r2": r2([2.0] * 3, [1.0, 2.0, 3.0])},
        ],
        "classification": {
            "truth": labels, "predicted": guesses, "classes": 4,
            "accuracy": accuracy(labels, guesses), "confusion": confusion(labels, guesses, 4),
        },
    }


def table(columns, rows):
    return ",".join(columns) + "\n" + "".join(",".join(f"{v:.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v) for v in row) + "\n" for row in rows)


def parse(text):
    lines = text.strip().split("\n")
    return lines[0].split(","), [[float(v) for v in line.split(",")] for line in lines[1:]]


def regression_data(seed, n, slope):
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 2, generator=g, dtype=torch.float64) * 10).tolist()
    noise = torch.randn(n, generator=g, dtype=torch.float64).tolist()
    rows = [[round(a, 3), round(b, 3), round(slope * a - 0.5 * b + 3 + e, 3)] for (a, b), e in zip(x, noise)]
    return table(["a", "b", "y"], rows)


def class_data(seed, n):
    g = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(n):
        k = i % 3
        a, b = (torch.randn(2, generator=g, dtype=torch.float64) * 0.8).tolist()
        rows.append([round(a + 2 * k, 3), round(b - k, 3), k])
    return table(["a", "b", "y"], rows)


def run(train_csv, val_csv, loss_name, lr, epochs, scheduler=None, early=None):
    _, train_rows = parse(train_csv)
    _, val_rows = parse(val_csv)
    xt = np.array([r[:-1] for r in train_rows], np.float64)
    yt = [r[-1] for r in train_rows]
    xv = np.array([r[:-1] for r in val_rows], np.float64)
    yv = [r[-1] for r in val_rows]
    mean = xt.mean(axis=0)
    scale = xt.std(axis=0)
    x = torch.tensor((xt - mean) / scale).float()
    xval = torch.tensor((xv - mean) / scale).float()
    if loss_name == "ce":
        classes = int(max(yt)) + 1
        y = torch.tensor([int(v) for v in yt])
        yval = torch.tensor([int(v) for v in yv])
        criterion = torch.nn.CrossEntropyLoss()
        outputs = classes
    else:
        y = torch.tensor(yt, dtype=torch.float32).reshape(-1, 1)
        yval = torch.tensor(yv, dtype=torch.float32).reshape(-1, 1)
        criterion = torch.nn.MSELoss()
        outputs = 1
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], outputs))
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    sched = None
    if scheduler:
        kind, options = scheduler
        if kind == "step":
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=options["step_size"], gamma=options["gamma"])
        elif kind == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=options["t_max"], eta_min=options["eta_min"])
        else:
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=options["factor"], patience=options["patience"])
    history = []
    best = (math.inf, 0, None)
    waited = 0
    for epoch in range(1, epochs + 1):
        rate = opt.param_groups[0]["lr"]
        model.train()
        out = model(x)
        loss = criterion(out, y)
        record = {"loss": loss.item(), "lr": rate}
        if loss_name == "ce":
            record["accuracy"] = accuracy(y.tolist(), out.argmax(1).tolist())
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            vout = model(xval)
            vloss = criterion(vout, yval).item()
        record["val_loss"] = vloss
        if loss_name == "ce":
            record["val_accuracy"] = accuracy(yval.tolist(), vout.argmax(1).tolist())
        else:
            predicted = vout.reshape(-1).double().tolist()
            record["val_mse"] = mse(yv, predicted)
            record["val_mae"] = mae(yv, predicted)
            record["val_r2"] = r2(yv, predicted)
        history.append(record)
        stop = False
        if early:
            if vloss < best[0]:
                best = (vloss, epoch, {k: v.clone().reshape(-1).tolist() for k, v in model.state_dict().items()})
                waited = 0
            else:
                waited += 1
            stop = waited >= early
        if sched is not None:
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(vloss)
            else:
                sched.step()
        if stop:
            break
    result = {"history": history}
    if early:
        result["best_epoch"] = best[1]
        result["best_weights"] = best[2]
    return result


def runs():
    cases = []
    reg_train = regression_data(1, 40, 2.0)
    reg_val = regression_data(2, 12, 2.0)
    cases.append({
        "name": "regression, StepLR", "train": reg_train, "val": reg_val,
        "options": ["--standardize", "--init", "zeros", "--lr", "0.05", "--epochs", "12",
                    "--scheduler", "step", "--step-size", "4", "--gamma", "0.5"],
        **run(reg_train, reg_val, "mse", 0.05, 12, ("step", {"step_size": 4, "gamma": 0.5})),
    })
    cls_train = class_data(3, 30)
    cls_val = class_data(4, 12)
    cases.append({
        "name": "ce, CosineAnnealingLR", "train": cls_train, "val": cls_val,
        "options": ["--loss", "ce", "--standardize", "--init", "zeros", "--lr", "0.5", "--epochs", "8",
                    "--scheduler", "cosine", "--t-max", "6", "--eta-min", "0.01"],
        **run(cls_train, cls_val, "ce", 0.5, 8, ("cosine", {"t_max": 6, "eta_min": 0.01})),
    })
    # Validation rows from another slope: the validation loss falls, then rises.
    drift_val = regression_data(5, 12, 1.0)
    cases.append({
        "name": "early stopping, ReduceLROnPlateau", "train": reg_train, "val": drift_val,
        "options": ["--standardize", "--init", "zeros", "--lr", "0.05", "--epochs", "200",
                    "--early-stopping", "3", "--scheduler", "plateau", "--factor", "0.5",
                    "--patience", "1"],
        **run(reg_train, drift_val, "mse", 0.05, 200, ("plateau", {"factor": 0.5, "patience": 1}), early=3),
    })
    return cases


def evaluate_cases():
    g = torch.Generator().manual_seed(11)
    cases = []
    # Regression: Linear(2, 1) with fixed weights, no standardisation.
    csv = regression_data(7, 15, 2.0)
    _, rows = parse(csv)
    w, b = [[1.9, -0.4]], [2.5]
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w))
        model.bias.copy_(torch.tensor(b))
        x = torch.tensor([r[:2] for r in rows], dtype=torch.float64).float()
        out = model(x)
        truth = [r[2] for r in rows]
        loss = torch.nn.functional.mse_loss(out, torch.tensor(truth).float().reshape(-1, 1)).item()
    p = out.reshape(-1).double().tolist()
    cases.append({
        "name": "regression", "csv": csv, "loss": "mse", "weight": w, "bias": b,
        "printed": [f"rows {len(rows)}", f"loss {loss:.6g} (mse)", f"mse {mse(truth, p):.6g}",
                    f"mae {mae(truth, p):.6g}", f"r2 {r2(truth, p):.4f}"],
    })
    # 3 classes: Linear(2, 3), standardised as stored in the model file.
    csv = class_data(8, 21)
    _, rows = parse(csv)
    w = (torch.randn(3, 2, generator=g) ).tolist()
    b = [0.1, -0.2, 0.05]
    mean, scale = [2.0, -1.0], [1.7, 0.9]
    model = torch.nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w))
        model.bias.copy_(torch.tensor(b))
        raw = np.array([r[:2] for r in rows], np.float64)
        x = torch.tensor((raw - np.array(mean)) / np.array(scale)).float()
        out = model(x)
        truth = [int(r[2]) for r in rows]
        loss = torch.nn.functional.cross_entropy(out, torch.tensor(truth)).item()
    predicted = out.argmax(1).tolist()
    m = confusion(truth, predicted, 3)
    right = sum(m[i][i] for i in range(3))
    width = max(1, max(len(str(v)) for row in m for v in row))
    cell = lambda s: " " * (width + 2 - len(s)) + s
    table_lines = ["  " + "".join(cell(str(j)) for j in range(3))]
    table_lines += [f"{i} " + "".join(cell(str(v)) for v in m[i]) for i in range(3)]
    cases.append({
        "name": "ce", "csv": csv, "loss": "ce", "weight": w, "bias": b, "mean": mean, "scale": scale,
        "confusion": m,
        "printed": [f"rows {len(rows)}", f"loss {loss:.6g} (ce)",
                    f"accuracy {accuracy(truth, predicted):.4f} ({right} of {len(rows)} rows)",
                    "confusion matrix (rows: true class, columns: predicted class)"] + table_lines
                   + ["wrote confusion-matrix.svg"],
    })
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    data = {"torch": torch.__version__, "metrics": metric_cases(), "runs": runs(),
            "evaluate": evaluate_cases()}
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
