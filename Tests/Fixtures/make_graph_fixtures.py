"""Reference DOT text from torchviz's make_dot for Descent's GraphExport tests.

Writes graphs.json next to this script: one case per graph, with the DOT source torchviz
produces (`make_dot(...).source`; only the Python packages are needed, not Graphviz's `dot`).
Node ids there are Python `id()`s, which change on every run: the Swift test renumbers them in
order of first mention before comparing, as Descent numbers its own.

    .venv-ref/bin/pip install torch torchviz graphviz
    .venv-ref/bin/python Tests/Fixtures/make_graph_fixtures.py
"""

import json
import os
import sys

import torch
import torchviz


def r4_tensors():
    # REFERENCE R4: heights and weights, centred; W = B = 1.
    x = torch.tensor([166.0, 176.0, 171.0, 173.0, 169.0])
    y = torch.tensor([58.7, 75.7, 62.1, 70.4, 60.1])
    X, Y = x - x.mean(), y - y.mean()
    W = torch.tensor(1.0, requires_grad=True)
    B = torch.tensor(1.0, requires_grad=True)
    return X, Y, W, B


def cases():
    X, Y, W, B = r4_tensors()
    Yp = W * X + B
    loss = ((Yp - Y) ** 2).mean()
    params = {"W": W, "B": B}
    yield "r4_prediction", torchviz.make_dot(Yp, params=params)
    yield "r4_loss", torchviz.make_dot(loss, params=params)
    yield "r4_loss_unnamed", torchviz.make_dot(loss)
    yield "r4_both_outputs", torchviz.make_dot((Yp, loss), params=params)
    # A node reached twice (W feeds both the product and the sum).
    yield "shared_input", torchviz.make_dot((W * W + W).sum(), params={"W": W})
    # An output that is a view: torchviz adds its base tensor with a dotted edge.
    yield "view_output", torchviz.make_dot((W * X).reshape(5, 1), params={"W": W})
    # A parameter that is itself the output (no grad_fn).
    yield "leaf_output", torchviz.make_dot(W, params={"W": W})
    # Long enough for torchviz to enlarge the drawing (size above 12 inches).
    t = W
    for _ in range(60):
        t = t * 1.01
    yield "long_chain", torchviz.make_dot(t, params={"W": W})


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graphs.json")
    data = {
        "torch_version": torch.__version__.split("+")[0],
        "cases": [{"name": name, "dot": dot.source} for name, dot in cases()],
    }
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"wrote {len(data['cases'])} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
