"""Time dlnotes.attention.scaled_dot_product_attention, forward + backward, against PyTorch's.

Run from the repository root:

    python benchmarks/bench_attention.py [--repeats 9] [--threads N]

Float32 on the CPU, batch 8, 8 heads, length 256, head size 64: query, key and value
(8, 8, 256, 64), forward and backward with a random upstream gradient (gradients w.r.t. all
three), against `torch.nn.functional.scaled_dot_product_attention` (ATen's fused CPU kernel,
which never stores the (L, S) weights and, with `is_causal=True`, skips the blocks above the
diagonal), without a mask and with `is_causal=True`.
Target: dlnotes <= 3x PyTorch in both cases.

dlnotes computes the (L, S) scores, masks them, takes the softmax and multiplies by V, and
autograd keeps the weights for the backward pass; the causal mask is filled in place, outside
the graph (the softmax's gradient at a masked entry is 0 anyway), so it costs one pass forward
and none backward.

Each round times every contender once, in turn (so a busy machine slows them all alike); the
table gives the median over the rounds, after one untimed warm-up round. PyTorch's thread
count is left as it is unless `--threads` sets it; on a machine busy with other work,
`--threads 1` gives steadier ratios (each multi-threaded op otherwise waits at its barrier for
a core that is busy elsewhere, which penalises the unfused version's many small ops).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

import torch
import torch.nn.functional as F
from bench_normalization import medians  # interleaved rounds, median per contender (benchmarks/ is on sys.path)

from dlnotes.attention import scaled_dot_product_attention

SHAPE = (8, 8, 256, 64)  # (N, heads, T, d)


def forward_backward(fn: Callable[..., torch.Tensor], qkv: list[torch.Tensor], upstream: torch.Tensor,
                     **kwargs) -> Callable[[], tuple[torch.Tensor, ...]]:
    """A closure: one forward and one backward pass, returning the output and the gradients w.r.t. q, k, v."""
    def run() -> tuple[torch.Tensor, ...]:
        leaves = [t.detach().requires_grad_() for t in qkv]
        y = fn(*leaves, **kwargs)
        return (y.detach(), *torch.autograd.grad(y, leaves, upstream))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed rounds (median reported)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: unchanged)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    qkv = [torch.randn(SHAPE, generator=g) for _ in range(3)]
    upstream = torch.randn(SHAPE, generator=g)
    header = (f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, load "
              f"average {os.getloadavg()[0]:.1f}; scaled dot-product attention, float32, CPU, (N, heads, T, d) = "
              f"{SHAPE}, forward + backward; medians of {args.repeats} rounds")
    print(header + "\n\n| mask | dlnotes | torch F.sdpa | ratio (target <= 3x) |\n| --- | ---: | ---: | ---: |")
    for label, kwargs in (("none", {}), ("is_causal=True", {"is_causal": True})):
        contenders = {"dlnotes": forward_backward(scaled_dot_product_attention, qkv, upstream, **kwargs),
                      "torch": forward_backward(F.scaled_dot_product_attention, qkv, upstream, **kwargs)}
        expected = contenders["torch"]()
        torch.testing.assert_close(contenders["dlnotes"](), expected, rtol=1e-4, atol=1e-4)  # same numbers
        del expected
        t = medians(contenders, args.repeats)
        print(f"| {label} | {t['dlnotes'] * 1e3:,.1f} ms | {t['torch'] * 1e3:,.1f} ms | "
              f"{t['dlnotes'] / t['torch']:.2f}x |")


if __name__ == "__main__":
    main()
