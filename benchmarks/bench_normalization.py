"""Time dlnotes.normalization.batch_norm, forward + backward, against PyTorch and plain autograd.

Run from the repository root:

    python benchmarks/bench_normalization.py [--repeats 7] [--threads N]

Training-mode batch norm of a float32 input (256, 64, 32, 32) with weight and bias, forward
and backward with a random upstream gradient, against `F.batch_norm`, and against the
formula written as plain tensor code that autograd differentiates step by step (mean,
centring, variance, division: each keeps its own intermediate for the backward pass).
Target: dlnotes <= 3x F.batch_norm.

Each round times every contender once, in turn (so a busy machine slows them all alike); the
table gives the median over the rounds, after one untimed warm-up round. PyTorch's thread
count is left as it is unless `--threads` sets it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from dlnotes.normalization import batch_norm

SHAPE = (256, 64, 32, 32)


def plain_autograd(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """The formula as tensor code: autograd walks back through the mean and the variance."""
    mu = x.mean(dim=(0, 2, 3), keepdim=True)  # (1, C, 1, 1)
    centred = x - mu  # (N, C, H, W)
    var = (centred * centred).mean(dim=(0, 2, 3), keepdim=True)  # (1, C, 1, 1)
    return centred / torch.sqrt(var + eps) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)


def forward_backward(fn: Callable[..., torch.Tensor], x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                     upstream: torch.Tensor) -> Callable[[], tuple[torch.Tensor, ...]]:
    """A closure: one forward and one backward pass, returning the output and the three gradients."""
    def run() -> tuple[torch.Tensor, ...]:
        leaves = [t.detach().requires_grad_() for t in (x, weight, bias)]
        y = fn(*leaves)
        return (y.detach(), *torch.autograd.grad(y, leaves, upstream))
    return run


def medians(contenders: dict[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median seconds of each contender over interleaved rounds; the first `warmup` rounds are untimed."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(warmup + repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            if round_ >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds (median reported)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: unchanged)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    x, upstream = 2 * torch.randn(SHAPE, generator=g) + 1, torch.randn(SHAPE, generator=g)
    weight, bias = torch.rand(SHAPE[1], generator=g) + 0.5, torch.randn(SHAPE[1], generator=g)
    functions = {"dlnotes batch_norm (hand-written backward)": batch_norm, "torch F.batch_norm": F.batch_norm}
    contenders = {name: forward_backward(lambda *a, fn=fn: fn(a[0], None, None, *a[1:], training=True),
                                         x, weight, bias, upstream) for name, fn in functions.items()}
    contenders["plain autograd through the formula"] = forward_backward(plain_autograd, x, weight, bias, upstream)
    results = {name: fn() for name, fn in contenders.items()}
    expected = results["torch F.batch_norm"]
    for name, got in results.items():
        for a, e in zip(got, expected):
            torch.testing.assert_close(a, e, rtol=1e-3, atol=1e-3 * e.abs().max().item(), msg=name)
    del results, expected
    print(f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeats} rounds")
    t = medians(contenders, args.repeats)
    reference = t["torch F.batch_norm"]
    print(f"\nbatch_norm, training, float32, input {SHAPE}, weight and bias, forward + backward\n")
    print("| implementation | median time | ratio to F.batch_norm |\n| --- | ---: | ---: |")
    for name, s in t.items():
        note = f"{s / reference:.2f}x" + (" (target <= 3x)" if name.startswith("dlnotes") else "")
        print(f"| {name} | {s * 1e3:,.1f} ms | {note} |")


if __name__ == "__main__":
    main()
