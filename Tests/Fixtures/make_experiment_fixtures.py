#!/usr/bin/env python3
"""The numbers PyTorch prints for the seeded parts of the reference experiments (REFERENCE.md
R2, R7, R8), for ReferenceExperimentTests+Optim.swift.

Run from the repository root:  .venv-ref/bin/python Tests/Fixtures/make_experiment_fixtures.py
Writes Tests/Fixtures/experiments.json next to this script:

* ``r2_random_start``: ``torch.manual_seed(0); nn.Linear(1, 1)``, its weight and bias, then
  10000 steps of SGD (lr 0.001) with MSELoss on the notes' 30 points: the parameters after
  the last step and the loss of the last forward pass (what R2 prints).
* ``r7``: ``torch.manual_seed(0)``, x = linspace(0, 10, 100) as [100, 1],
  y = 3x + 2 + 0.5 randn; then a fresh ``nn.Linear(1, 1)`` trained 100 epochs with Adam
  (lr 0.001), then another with SGD (lr 0.01), MSELoss: each epoch's loss.
* ``r8``: ``torch.manual_seed(0)``, the notes' module (fc1 1→4, ReLU, fc2 4→1) and its output
  on ``torch.randn(2, 1)``, printed; then for each optimizer ``torch.manual_seed(1)``, the module
  with 8 hidden units, 200 steps on y = 2x + 1 over linspace(-1, 1, 8): the first and last loss.

Deterministic: everything is drawn after the seeds above (float32, one thread).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
XS = [float(v) for v in range(1, 31)]
YS = [0.94, 1.98, 2.88, 3.92, 3.96, 4.55, 5.64, 6.3, 7.44, 9.1, 8.46, 9.5, 10.67, 11.16, 14,
      11.83, 14.4, 14.25, 16.2, 16.32, 17.46, 19.8, 18, 21.34, 22, 22.5, 24.57, 26.04, 21.6, 28.8]
out = {"torch_version": torch.__version__.split("+")[0]}

# R2: the default initialisation after manual_seed(0), trained.
x = torch.tensor(XS).reshape(30, 1)
y = torch.tensor(YS).reshape(30, 1)
torch.manual_seed(0)
model = nn.Linear(1, 1)
initial = (model.weight.item(), model.bias.item())
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
criterion = nn.MSELoss()
for _ in range(10000):
    cost = criterion(model(x), y)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
out["r2_random_start"] = {"initial_weight": initial[0], "initial_bias": initial[1],
                          "final_weight": model.weight.item(), "final_bias": model.bias.item(),
                          "last_cost": cost.item()}

# R7: Adam then SGD on a noisy line.
torch.manual_seed(0)
x = torch.linspace(0, 10, 100).unsqueeze(1)
y = 3 * x + 2 + torch.randn(100, 1) * 0.5
r7 = {}
for name, make in [("adam", lambda p: torch.optim.Adam(p, lr=0.001)),
                   ("sgd", lambda p: torch.optim.SGD(p, lr=0.01))]:
    model = nn.Linear(1, 1)
    optimizer = make(model.parameters())
    losses = []
    for _ in range(100):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    r7[name] = losses
out["r7"] = r7


# R8: the notes' custom module.
class simple(nn.Module):
    def __init__(self, input, output, hidden):
        super().__init__()
        self.fc1 = nn.Linear(input, hidden)
        self.fc2 = nn.Linear(hidden, output)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


torch.manual_seed(0)
model = simple(1, 1, 4)
output = model(torch.randn(2, 1))
r8 = {"module": repr(model), "output": repr(output), "optimizers": {}}
x = torch.linspace(-1, 1, 8).unsqueeze(1)
y = 2 * x + 1
for label, make in [("SGD", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
                    ("Adagrad", lambda p: torch.optim.Adagrad(p, lr=0.3)),
                    ("RMSprop", lambda p: torch.optim.RMSprop(p, lr=0.01)),
                    ("Adam", lambda p: torch.optim.Adam(p, lr=0.05)),
                    ("AdamW", lambda p: torch.optim.AdamW(p, lr=0.05))]:
    torch.manual_seed(1)
    net = simple(1, 1, 8)
    optimizer = make(net.parameters())
    first = criterion(net(x), y).item()
    last = first
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        last = loss.item()
    r8["optimizers"][label] = {"first": first, "last": last}
out["r8"] = r8

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "experiments.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
