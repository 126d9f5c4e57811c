"""Time dlnotes.conv against PyTorch, SciPy and the lecture lab's pixel loop.

Run from the repository root (SciPy and Pillow are needed here, not by dlnotes):

    python benchmarks/bench_conv.py [--repeats 7] [--slow-repeats 3] [--threads N]

1. `conv2d`, float32, input (8, 3, 128, 128), 16 filters 3 x 3 with bias, vs `F.conv2d` and
   the lab's pixel loop generalised to channels and filters. The loop is timed on one image
   and one filter (126 x 126 windows) and scaled linearly by N * C_out = 128: it does the
   same work for every (image, filter) pair. Targets: dlnotes <= 3x F.conv2d, >= 100x the loop.
2. `filter2d`, mode "valid", of a 748 x 1197 x 3 float64 image (matplotlib's sample photo
   grace_hopper.jpg resized with Pillow, bicubic; a random image if Pillow is missing) with
   the lab's 25 x 25 Gaussian kernel, vs `scipy.signal.convolve2d` (direct, per channel) and
   `scipy.signal.fftconvolve`. Target: filter2d < 2 s.

Each round times every contender once, in turn (so a busy machine slows them all alike); the
table gives the median over the rounds. Slow contenders get fewer rounds (`--slow-repeats`).
PyTorch's thread count is left as it is unless `--threads` sets it (NumPy's FFT uses one thread).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib import cbook
from scipy import signal

from dlnotes.conv import conv2d, filter2d


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def medians(contenders: dict[str, Callable[[], object]], repeats: int, slow: set[str], slow_repeats: int,
            warmup: int = 1) -> dict[str, float]:
    """Median seconds of each contender over interleaved rounds; the first ``warmup`` rounds are untimed.

    A contender in ``slow`` runs only in the first ``slow_repeats`` rounds, all timed.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(warmup + repeats):
        for name, fn in contenders.items():
            if name in slow and round_ >= slow_repeats:
                continue
            t = seconds(fn)
            if round_ >= warmup or name in slow:
                times[name].append(t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def pixel_loop(image: np.ndarray, kernel: np.ndarray, bias: float) -> np.ndarray:
    """The lab's loop, one (C, H, W) image and one (C, kH, kW) filter, without the flip (conv2d does not flip)."""
    kh, kw = kernel.shape[-2:]
    out = np.empty((image.shape[1] - kh + 1, image.shape[2] - kw + 1), dtype=image.dtype)
    for j in range(out.shape[1]):
        for i in range(out.shape[0]):
            out[i, j] = (kernel * image[:, i:i + kh, j:j + kw]).sum() + bias
    return out


def bench_conv2d(repeats: int, slow_repeats: int) -> list[tuple[str, float, str]]:
    g = torch.Generator().manual_seed(0)
    x, weight = torch.randn(8, 3, 128, 128, generator=g), torch.randn(16, 3, 3, 3, generator=g)
    bias = torch.randn(16, generator=g)
    expected = F.conv2d(x, weight, bias)
    torch.testing.assert_close(conv2d(x, weight, bias), expected, rtol=1e-4, atol=1e-4)
    x0, w0, b0 = x[0].numpy(), weight[0].numpy(), float(bias[0])  # one image, one filter
    np.testing.assert_allclose(pixel_loop(x0, w0, b0), expected[0, 0].numpy(), rtol=1e-4, atol=1e-4)
    scale = x.shape[0] * weight.shape[0]  # (image, filter) pairs
    with torch.no_grad():
        t = medians({"ours": lambda: conv2d(x, weight, bias), "torch": lambda: F.conv2d(x, weight, bias),
                     "loop": lambda: pixel_loop(x0, w0, b0)}, repeats, {"loop"}, slow_repeats)
    t["loop"] *= scale
    return [("dlnotes.conv.conv2d", t["ours"],
             f"{t['ours'] / t['torch']:.2f}x F.conv2d (target <= 3x); {t['loop'] / t['ours']:,.0f}x faster "
             "than the loop (target >= 100x)"),
            ("torch F.conv2d", t["torch"], ""),
            (f"lab pixel loop: 1 image x 1 filter timed, x{scale}", t["loop"], "extrapolated linearly")]


def photo() -> tuple[np.ndarray, str]:
    try:
        from PIL import Image
    except ImportError:
        return 255 * np.random.default_rng(0).random((748, 1197, 3)), "random 748 x 1197 x 3"
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        im = Image.open(f).convert("RGB").resize((1197, 748), Image.Resampling.BICUBIC)
    return np.asarray(im, dtype=np.float64), "grace_hopper.jpg resized to 748 x 1197 x 3"


def lab_gaussian(size: int = 25) -> np.ndarray:
    """The lab's Gaussian blur kernel, (size, size), summing to 1."""
    gr = np.linspace(-5, 5, num=size)
    den = np.exp(-0.1 * gr * gr)
    den = den.reshape(-1, 1) / den.sum()
    return den.dot(den.T)


def scipy_per_channel(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return np.stack([signal.convolve2d(image[..., c], kernel, mode="valid") for c in range(image.shape[-1])], axis=-1)


def bench_filter2d(repeats: int, slow_repeats: int) -> tuple[list[tuple[str, float, str]], str]:
    image, source = photo()
    kernel = lab_gaussian()
    ours = "dlnotes.conv.filter2d (FFT)"
    contenders = {ours: lambda: filter2d(image, kernel),
                  "dlnotes.conv.filter2d method='direct'": lambda: filter2d(image, kernel, method="direct"),
                  "scipy.signal.convolve2d (direct, per channel)": lambda: scipy_per_channel(image, kernel),
                  "scipy.signal.fftconvolve":
                      lambda: signal.fftconvolve(image, kernel[:, :, None], "valid", axes=(0, 1))}
    expected = scipy_per_channel(image, kernel)
    for fn in contenders.values():
        np.testing.assert_allclose(fn(), expected, rtol=1e-9, atol=1e-9 * np.abs(image).max())
    t = medians(contenders, repeats, {name for name in contenders if "direct" in name}, slow_repeats)
    verdict = f"target < 2 s: {'met' if t[ours] < 2 else 'MISSED'}"
    rows = [(name, s, verdict if name == ours else f"{s / t[ours]:.1f}x filter2d") for name, s in t.items()]
    return rows, source


def table(title: str, rows: list[tuple[str, float, str]]) -> None:
    print(f"\n{title}\n\n| implementation | median time | note |\n| --- | ---: | --- |")
    for name, s, note in rows:
        print(f"| {name} | {s * 1e3:,.1f} ms | {note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds of the fast contenders (median reported)")
    parser.add_argument("--slow-repeats", type=int, default=3, help="timed rounds of the slow (direct) contenders")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: unchanged)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, numpy {np.__version__}, {torch.get_num_threads()} torch threads, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; medians of {args.repeats} rounds "
          f"({args.slow_repeats} for the loop and the direct methods)")
    table("conv2d, float32, input (8, 3, 128, 128), weight (16, 3, 3, 3), bias (16,)",
          bench_conv2d(args.repeats, args.slow_repeats))
    rows, source = bench_filter2d(args.repeats, args.slow_repeats)
    table(f"filter2d, float64, {source}, 25 x 25 Gaussian kernel, mode 'valid'", rows)


if __name__ == "__main__":
    main()
