"""Checks `descent train` and `descent predict` against PyTorch.

The Swift tests never need Python; CI (.ci/run) runs this script on every submission, and it
can be run by hand after building the command:

    swift build -c release --product descent
    .venv-ref/bin/python Tests/Fixtures/check_descent_train.py [--descent PATH]

(`.venv-ref` needs `pip install torch safetensors`.) The data are the copies the repository
ships in Tests/Fixtures/data and Tests/Fixtures/csv. Without --descent it takes $DESCENT or
the newest `descent` under `.build*/{release,debug}/`. For each scenario below it runs
`descent train ... --out DIR` and `descent predict`, then, in PyTorch:

1. builds `torch.nn.Sequential` from the model file's `layers` metadata and loads the
   weights with `load_state_dict(load_file(path))` (strict);
2. prepares the features as the metadata says, (x - mean) / scale in float64 then float32,
   and compares the model's predictions with `descent predict`'s output;
3. trains the same network with the same settings, as a PyTorch script would
   (`torch.manual_seed(seed)` before the model, `DataLoader(..., shuffle=True)` for
   mini-batches), and compares the loss of every epoch and the trained parameters with
   history.csv and summary.json.

Exits with status 1 if anything differs.
"""

import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(HERE, "data")
FAILURES = []

LAYERS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}
LOSSES = {
    "mse": nn.MSELoss, "l1": nn.L1Loss, "huber": nn.HuberLoss, "bce": nn.BCELoss,
    "bce-logits": nn.BCEWithLogitsLoss, "ce": nn.CrossEntropyLoss,
}


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print(f"  FAIL {message}")
    return condition


def find_descent(given):
    if given:
        return given
    if os.environ.get("DESCENT"):
        return os.environ["DESCENT"]
    found = [path for kind in ("release", "debug")
             for path in glob.glob(os.path.join(REPO, ".build*", kind, "descent"))]
    if not found:
        sys.exit("no descent executable: run `swift build -c release --product descent` or pass --descent")
    return max(found, key=os.path.getmtime)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def column_values(path, names):
    header, rows = read_csv(path)
    indices = [header.index(name) for name in names]
    return torch.tensor([[float(row[i]) for i in indices] for row in rows], dtype=torch.float64)


def load_model(path):
    """The Sequential the file describes, with its weights, and the metadata."""
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    layers = []
    for layer in json.loads(metadata["layers"]):
        if layer["type"] == "Linear":
            layers.append(nn.Linear(layer["in_features"], layer["out_features"]))
        else:
            layers.append(LAYERS[layer["type"]]())
    model = nn.Sequential(*layers)
    model.load_state_dict(load_file(path))
    return model, metadata


def inputs(metadata, raw):
    """Model inputs from raw float64 features, as the model file prescribes."""
    if "standardize" in metadata:
        values = json.loads(metadata["standardize"])
        mean = torch.tensor(values["mean"], dtype=torch.float64)
        scale = torch.tensor(values["scale"], dtype=torch.float64)
        raw = (raw - mean) / scale
    return raw.float()


def check_predictions(name, descent, folder, data):
    model_path = os.path.join(folder, "model.safetensors")
    model, metadata = load_model(model_path)
    features = json.loads(metadata["features"])
    out = subprocess.run([descent, "predict", "--model", model_path, "--data", data],
                         check=True, capture_output=True, text=True).stdout
    header = out.splitlines()[0].split(",")
    rows = torch.tensor([[float(v) for v in line.split(",")] for line in out.splitlines()[1:]],
                        dtype=torch.float64)
    with torch.no_grad():
        output = model(inputs(metadata, column_values(data, features))).double()
    loss = metadata["loss"]
    if loss == "ce":
        check(header[0] == "class", f"{name}: predict header {header}")
        probabilities = torch.softmax(output, dim=1)
        check(torch.allclose(rows[:, 1:], probabilities, rtol=1e-5, atol=1e-6),
              f"{name}: class probabilities differ by {(rows[:, 1:] - probabilities).abs().max():.3g}")
        agree = (rows[:, 0].long() == output.argmax(dim=1)).double().mean().item()
        check(agree == 1.0, f"{name}: predicted classes agree on {agree:.3%} of the rows")
    elif loss in ("bce", "bce-logits"):
        probability = output[:, 0] if loss == "bce" else torch.sigmoid(output[:, 0])
        check(torch.allclose(rows[:, 0], probability, rtol=1e-5, atol=1e-6),
              f"{name}: probabilities differ by {(rows[:, 0] - probability).abs().max():.3g}")
        check(torch.equal(rows[:, 1], (probability > 0.5).double()), f"{name}: classes differ")
    else:
        check(torch.allclose(rows[:, 0], output[:, 0], rtol=1e-5, atol=1e-5),
              f"{name}: predictions differ by {(rows[:, 0] - output[:, 0]).abs().max():.3g}")
    return model, metadata


def train_in_pytorch(summary, metadata, data):
    """The same run as a PyTorch script: returns the trained model and the epoch losses."""
    layers = json.loads(metadata["layers"])
    torch.manual_seed(summary["seed"])
    model = nn.Sequential(*[
        nn.Linear(l["in_features"], l["out_features"]) if l["type"] == "Linear" else LAYERS[l["type"]]()
        for l in layers])
    if summary["init"] == "zeros":
        with torch.no_grad():
            for p in model.parameters():
                p.zero_()
    x = inputs(metadata, column_values(data, summary["features"]))
    y = column_values(data, [summary["target"]])
    y = y[:, 0].long() if summary["loss"] == "ce" else y.float()
    params, lr, decay = model.parameters(), summary["lr"], summary["weight_decay"]
    optimizer = {
        "sgd": lambda: torch.optim.SGD(params, lr=lr, momentum=summary.get("momentum", 0),
                                       nesterov=summary.get("nesterov", False), weight_decay=decay),
        "adagrad": lambda: torch.optim.Adagrad(params, lr=lr, weight_decay=decay),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr=lr, momentum=summary.get("momentum", 0),
                                               weight_decay=decay),
        "adam": lambda: torch.optim.Adam(params, lr=lr, weight_decay=decay),
        "adamw": lambda: torch.optim.AdamW(params, lr=lr, weight_decay=decay),
    }[summary["optimizer"]]()
    criterion = LOSSES[summary["loss"]]()
    rows = x.shape[0]
    full = summary["batch_size"] >= rows
    loader = None if full else DataLoader(TensorDataset(x, y), batch_size=summary["batch_size"], shuffle=True)
    losses = []
    for _ in range(summary["epochs"]):
        batches = [(x, y)] if full else loader
        total = 0.0
        for xb, yb in batches:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
        losses.append(total / rows)
    return model, losses


def run(name, descent, data, arguments, tolerance=1e-4):
    print(f"{name}: descent train --data {os.path.basename(data)} {' '.join(arguments)}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = os.path.join(scratch, "out")
        subprocess.run([descent, "train", "--data", data, *arguments, "--out", folder, "--quiet"],
                       check=True)
        _, metadata = check_predictions(name, descent, folder, data)
        with open(os.path.join(folder, "summary.json")) as f:
            summary = json.load(f)
        _, history = read_csv(os.path.join(folder, "history.csv"))
        descent_losses = torch.tensor([float(row[1]) for row in history], dtype=torch.float64)
        model, losses = train_in_pytorch(summary, metadata, data)
        losses = torch.tensor(losses, dtype=torch.float64)
        check(torch.allclose(descent_losses, losses, rtol=tolerance, atol=tolerance * 1e-2),
              f"{name}: epoch losses differ by up to {(descent_losses - losses).abs().max():.3g} "
              f"(final {descent_losses[-1].item():.6g} vs PyTorch's {losses[-1].item():.6g})")
        for key, tensor in model.state_dict().items():
            trained = torch.tensor(summary["parameters"][key], dtype=torch.float32)
            check(torch.allclose(trained, tensor, rtol=tolerance, atol=tolerance * 1e-1),
                  f"{name}: parameter {key} differs by up to {(trained - tensor).abs().max():.3g}")
        return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--descent", help="the descent executable")
    descent = find_descent(parser.parse_args().descent)
    print(f"descent: {descent}; torch {torch.__version__}")
    notes = os.path.join(HERE, "csv", "notes30.csv")
    iris = os.path.join(SHARED, "iris.csv")
    diabetes = os.path.join(SHARED, "diabetes.csv")

    with tempfile.TemporaryDirectory() as scratch:
        # iris as a binary problem: setosa or not.
        binary = os.path.join(scratch, "setosa.csv")
        header, rows = read_csv(iris)
        with open(binary, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header[:-1] + ["setosa"])
            writer.writerows(row[:-1] + ["1" if row[-1] == "0" else "0"] for row in rows)

        summary = run("R2", descent, notes, ["--target", "y", "--init", "zeros", "--optimizer", "sgd",
                                             "--lr", "0.001", "--epochs", "10000"])
        w, b = summary["parameters"]["0.weight"][0][0], summary["parameters"]["0.bias"][0]
        check(f"{w:.3f} {b:.3f} {summary['final_loss']:.3f}" == "0.879 -0.432 1.372",
              f"R2: weight {w}, bias {b}, loss {summary['final_loss']} (reference 0.879, -0.432, 1.372)")
        run("notes, PyTorch's init", descent, notes, ["--target", "y", "--lr", "0.001", "--epochs", "300", "--seed", "7"])
        run("iris ce, mini-batches", descent, iris,
            ["--target", "species", "--loss", "ce", "--hidden", "16", "--standardize", "--optimizer", "adam",
             "--lr", "0.01", "--epochs", "30", "--batch-size", "32", "--seed", "1"])
        run("diabetes mse, rmsprop", descent, diabetes,
            ["--target", "progression", "--hidden", "8,4", "--activation", "tanh", "--standardize",
             "--optimizer", "rmsprop", "--momentum", "0.5", "--lr", "0.01", "--epochs", "20",
             "--batch-size", "100", "--seed", "2"])
        # Raw features: standardized ones have column means of 0 up to rounding, and while
        # every residual has one sign (the first epochs here) that mean is L1's whole gradient
        # for each weight, which Adam scales up to a full step, so rounding noise (summation
        # order, different in every library) would steer the weights.
        run("diabetes l1, adamw", descent, diabetes,
            ["--target", "progression", "--loss", "l1", "--optimizer", "adamw",
             "--lr", "0.5", "--epochs", "40"])
        run("diabetes huber, sgd", descent, diabetes,
            ["--target", "progression", "--loss", "huber", "--hidden", "6", "--activation", "sigmoid",
             "--standardize", "--lr", "0.05", "--epochs", "40", "--seed", "4"])
        run("setosa bce-logits, nesterov", descent, binary,
            ["--target", "setosa", "--loss", "bce-logits", "--standardize", "--momentum", "0.9",
             "--nesterov", "--weight-decay", "0.001", "--lr", "0.1", "--epochs", "50"])
        run("setosa bce, adagrad", descent, binary,
            ["--target", "setosa", "--loss", "bce", "--hidden", "4", "--optimizer", "adagrad",
             "--lr", "0.1", "--epochs", "50", "--batch-size", "50", "--seed", "5"])

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("all checks passed: PyTorch loads every model, predicts the same, and trains the same")


if __name__ == "__main__":
    main()
