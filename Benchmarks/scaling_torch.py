"""PyTorch's side of `descent-bench scaling`: MLP training steps per batch size and width.

Run:  python3 Benchmarks/scaling_torch.py [--threads N] [--out scaling_torch.json]
Model: Linear(784,h)-ReLU-Linear(h,h)-ReLU-Linear(h,10), CrossEntropyLoss, Adam lr 1e-3,
torch.manual_seed(0) for the weights, for h in 64, 256, 1024 and batch sizes 1, 8, 32, 128,
512. Data: 4096 synthetic samples (normal features, uniform labels) taken batch after batch.
Each pair: 5 warm-up steps, then 3 runs of at least 0.25 s and 10 steps; the median samples/s.
Without --threads, PyTorch's default thread count. Writes a JSON file that
`descent-bench scaling --torch FILE` reads and draws next to Descent's figures.
"""
import argparse
import json
import os
import platform
import statistics
import time

BATCHES = [1, 8, 32, 128, 512]
WIDTHS = [64, 256, 1024]


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", default="scaling_torch.json")
    return parser.parse_args()


def main():
    args = parse()
    if args.threads is not None:
        # Before torch loads: its OpenMP pool reads these.
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    import torch
    import torch.nn as nn

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(4096, 784, generator=generator)
    y = torch.randint(0, 10, (4096,), generator=generator)

    def rate(batch, hidden):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                              nn.ReLU(), nn.Linear(hidden, 10))
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        position = 0

        def step():
            nonlocal position
            if position + batch > x.shape[0]:
                position = 0
            xb, yb = x[position:position + batch], y[position:position + batch]
            position += batch
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        for _ in range(5):
            step()
        rates = []
        for _ in range(3):
            steps, start = 0, time.perf_counter()
            while steps < 10 or time.perf_counter() - start < 0.25:
                step()
                steps += 1
            rates.append(steps * batch / (time.perf_counter() - start))
        return statistics.median(rates)

    results = []
    for hidden in WIDTHS:
        for batch in BATCHES:
            value = rate(batch, hidden)
            results.append({"batch": batch, "hidden": hidden, "samples_per_s": value})
            print(f"RESULT name=scaling_samples_per_s_b{batch}_h{hidden} threads={threads} "
                  f"value={value:.0f} unit=samples/s", flush=True)
    with open(args.out, "w") as f:
        json.dump({"torch": torch.__version__, "threads": threads, "machine": platform.processor(),
                   "results": results}, f, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
