"""Time dlnotes.rnn.LSTM, forward + backward, against torch.nn.LSTM and a per-step input projection.

Run from the repository root:

    python benchmarks/bench_rnn.py [--repeats 7] [--threads N] [--input-size 32]

A one-layer LSTM, float32 on the CPU, batch 64, sequence length 20, input 32 (or
`--input-size`), hidden 128, forward and backward with a random upstream gradient on the
output and on $(h_n, c_n)$, against `torch.nn.LSTM` (ATen's fused loop) loaded with the same
state dict, and against the same cell run with the input projection inside the time loop
(T small matrix products instead of one), to show what the one big product buys.
Target: dlnotes <= 3x torch.nn.LSTM.

Each round times every contender once, in turn (so a busy machine slows them all alike); the
table gives the median over the rounds, after one untimed warm-up round. PyTorch's thread
count is left as it is unless `--threads` sets it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

import torch
from bench_normalization import medians  # interleaved rounds, median per contender (benchmarks/ is on sys.path)
from torch import nn

from dlnotes.rnn import LSTM, LSTMCell

BATCH, LENGTH, HIDDEN = 64, 20, 128


class PerStepLSTM(nn.Module):
    """`LSTMCell` applied step by step: the input projection is recomputed inside the loop."""

    def __init__(self, lstm: LSTM) -> None:
        super().__init__()
        self.cell = LSTMCell(lstm.input_size, lstm.hidden_size)
        self.cell.load_state_dict({name.removesuffix("_l0"): p for name, p in lstm.state_dict().items()})

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        hx, hs = None, []
        for x_t in x:  # (B, I)
            hx = self.cell(x_t, hx)
            hs.append(hx[0])
        h, c = hx
        return torch.stack(hs), (h.unsqueeze(0), c.unsqueeze(0))


def forward_backward(module: nn.Module, x: torch.Tensor,
                     upstream: list[torch.Tensor]) -> Callable[[], tuple[torch.Tensor, ...]]:
    """A closure: one forward and one backward pass, returning the outputs and the gradients (input, parameters)."""
    params = list(module.parameters())

    def run() -> tuple[torch.Tensor, ...]:
        leaf = x.detach().requires_grad_()
        output, (h_n, c_n) = module(leaf)
        outs = [output, h_n, c_n]
        return (*(o.detach() for o in outs), *torch.autograd.grad(outs, [leaf, *params], upstream))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds (median reported)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: unchanged)")
    parser.add_argument("--input-size", type=int, default=32, help="features of each time step (32 or 128)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ours = LSTM(args.input_size, HIDDEN)
    theirs = nn.LSTM(args.input_size, HIDDEN)
    theirs.load_state_dict(ours.state_dict())
    g = torch.Generator().manual_seed(0)
    x = torch.randn(LENGTH, BATCH, args.input_size, generator=g)
    upstream = [torch.randn(LENGTH, BATCH, HIDDEN, generator=g), *torch.randn(2, 1, BATCH, HIDDEN, generator=g)]
    contenders = {"dlnotes LSTM (one input matmul per layer)": forward_backward(ours, x, upstream),
                  "torch nn.LSTM": forward_backward(theirs, x, upstream),
                  "dlnotes LSTMCell, step by step": forward_backward(PerStepLSTM(ours), x, upstream)}
    expected = contenders["torch nn.LSTM"]()
    for name, fn in contenders.items():  # all compute the same (float32 rounding apart)
        torch.testing.assert_close(fn(), expected, rtol=1e-4, atol=1e-4, msg=lambda m, name=name: f"{name}: {m}")
    del expected
    header = (f"torch {torch.__version__}, {torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, load "
              f"average {os.getloadavg()[0]:.1f}; LSTM, float32, CPU, batch {BATCH}, length {LENGTH}, input "
              f"{args.input_size}, hidden {HIDDEN}, forward + backward; medians of {args.repeats} rounds")
    print(header + "\n\n| implementation | median time | ratio to nn.LSTM |\n| --- | ---: | ---: |")
    t = medians(contenders, args.repeats)
    for name, seconds in t.items():
        target = " (target <= 3x)" if name.startswith("dlnotes LSTM ") else ""
        print(f"| {name} | {seconds * 1e3:,.1f} ms | {seconds / t['torch nn.LSTM']:.2f}x{target} |")

if __name__ == "__main__":
    main()
