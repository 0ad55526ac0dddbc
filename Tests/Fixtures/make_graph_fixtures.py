"""Reference DOT text from torchviz's make_dot for Descent's GraphExport tests.

Writes graphs.json next to this script: one case per graph, with the DOT source torchviz
produces (`make_dot(...).source`; only the Python packages are needed, not Graphviz's `dot`).
Node ids there are Python `id()`s, which change on every run: the Swift test renumbers them in
order of first mention before comparing, as Descent numbers its own.

    pip install torch torchviz graphviz   (torchviz and graphviz are pure Python: their
                                          wheels unpacked on PYTHONPATH serve as well)
    python Tests/Fixtures/make_graph_fixtures.py
"""

import json
import os
import sys

import torch
import torchviz


def r4_tensors():
    # REFERENCE R4: heights and weights, centred in float64 and then converted, as the notes
    # do; W = B = 1.
    x = torch.tensor([166.0, 176.0, 171.0, 173.0, 169.0], dtype=torch.float64)
    y = torch.tensor([58.7, 75.7, 62.1, 70.4, 60.1], dtype=torch.float64)
    X, Y = (x - x.mean()).float(), (y - y.mean()).float()
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
    yield from linear_cases()


def linear_cases():
    # nn.Linear records AddmmBackward0(bias, input, TBackward0(weight)) for a 2-D input, and
    # MmBackward0(input, TBackward0(weight)) without a bias; the values do not matter here.
    torch.manual_seed(0)
    # R2: Linear(1, 1) + MSELoss on the 30 points.
    model = torch.nn.Linear(1, 1)
    x = torch.arange(1.0, 31.0).reshape(30, 1)
    loss = torch.nn.MSELoss()(model(x), 2 * x)
    yield "linear_mse", torchviz.make_dot(loss, params=dict(model.named_parameters()))
    # R8: fc1, ReLU, fc2 on a [2, 1] input.
    fc1, fc2 = torch.nn.Linear(1, 4), torch.nn.Linear(4, 1)
    out = fc2(torch.relu(fc1(torch.randn(2, 1))))
    params = {f"fc1.{k}": v for k, v in fc1.named_parameters()}
    params.update({f"fc2.{k}": v for k, v in fc2.named_parameters()})
    yield "linear_relu_linear", torchviz.make_dot(out, params=params)
    # No bias, and an input that requires grad itself.
    layer = torch.nn.Linear(3, 2, bias=False)
    inp = torch.randn(4, 3, requires_grad=True)
    params = {"weight": layer.weight, "input": inp}
    yield "linear_no_bias", torchviz.make_dot(layer(inp).sum(), params=params)


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
