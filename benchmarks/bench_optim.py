"""Time one `step()` of each dlnotes.optim optimizer against its torch.optim counterpart.

Run from the repository root:

    python benchmarks/bench_optim.py [--repeats 100] [--warmup 10] [--threads N]

The model is an MLP 1000-1000-10 (about 1.01 million float32 parameters) on the CPU, with
fixed random gradients, so only the optimizer's arithmetic is timed. Each round times one
step of every optimizer in turn (so a busy machine slows them all alike), starting each
round with the next one (the first step of a round measures ~1 ms slower); the table gives
the median over the rounds, in ms per step, and the ratio dlnotes / torch (foreach=False).
torch's default (foreach=None) and foreach=True are shown for information; on the CPU the
default is the same single-tensor loop as foreach=False. `torch.set_num_threads` is left
as it is unless `--threads` is given (on a busy machine, one thread gives steadier numbers:
each elementwise op of a multi-threaded step waits for its slowest thread).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from dlnotes import optim

NAMES = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam"]
SETTINGS = {"SGD": {"momentum": 0.9}}  # with momentum, so SGD updates a buffer too
COLUMNS = {"dlnotes": None, "torch foreach=False": False, "torch default": None, "torch foreach=True": True}


def make_params(seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shapes = [(1000, 1000), (1000,), (10, 1000), (10,)]  # Linear(1000, 1000), Linear(1000, 10)
    params = [(0.01 * torch.randn(s, generator=g)).requires_grad_() for s in shapes]
    for p in params:
        p.grad = 0.01 * torch.randn(p.shape, generator=g)
    return params


def make_optimizer(name: str, column: str) -> torch.optim.Optimizer:
    kw = SETTINGS.get(name, {})
    if column == "dlnotes":
        return getattr(optim, name)(make_params(), **kw)
    foreach = {} if column == "torch default" else {"foreach": COLUMNS[column]}
    return getattr(torch.optim, name)(make_params(), **kw, **foreach)


def time_step(opt: torch.optim.Optimizer) -> float:
    start = time.perf_counter()
    opt.step()
    return 1e3 * (time.perf_counter() - start)


def bench(name: str, repeats: int, warmup: int) -> dict[str, float]:
    optimizers = [(column, make_optimizer(name, column)) for column in COLUMNS]
    times: dict[str, list[float]] = {column: [] for column in COLUMNS}
    for round_ in range(warmup + repeats):
        start = round_ % len(optimizers)  # rotate: the first step of a round pays for the allocator's page faults
        for column, opt in optimizers[start:] + optimizers[:start]:
            ms = time_step(opt)
            if round_ >= warmup:
                times[column].append(ms)
    return {column: statistics.median(ts) for column, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="timed rounds (median reported)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: left as is)")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    n = sum(p.numel() for p in make_params())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {n:,} float32 parameters, "
          f"median of {args.repeats} steps (ms/step)\n")
    print("| optimizer | dlnotes | torch foreach=False | ratio | torch default | torch foreach=True |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in NAMES:
        ms = bench(name, args.repeats, args.warmup)
        ratio = ms["dlnotes"] / ms["torch foreach=False"]
        print(f"| {name} | {ms['dlnotes']:.3f} | {ms['torch foreach=False']:.3f} | {ratio:.2f} | "
              f"{ms['torch default']:.3f} | {ms['torch foreach=True']:.3f} |")


if __name__ == "__main__":
    main()
