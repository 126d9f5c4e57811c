r"""Convolution from scratch: polynomial products, CNN layers and image filters.

**1-D (full) convolution** is the product of polynomials. With coefficient vectors
$v = (v_0, \dots, v_{m-1})$ of $p(x) = \sum_k v_k x^k$ and $w = (w_0, \dots, w_{n-1})$ of $q(x)$,

$$r = v * w, \qquad r_i = \sum_k v_k\, w_{i-k}, \qquad i = 0, \dots, m + n - 2,$$

(entries outside a vector are 0) are the coefficients of $p(x)\,q(x)$: `conv1d_full`.

**The convolution layer of a CNN** computes a *cross-correlation*: the kernel is not flipped.
For input $X$ of shape $(C, H, W)$, one filter $K$ of shape $(C, k_H, k_W)$, stride $s$ and
dilation $d$ (after zero padding),

$$Y_{ij} = \sum_{c,u,v} X_{c,\, si + du,\, sj + dv}\, K_{c,u,v}$$

(`conv2d`, as `torch.nn.functional.conv2d`), and each of the $C_{out}$ filters gives one output
channel. **True 2-D convolution**, the image filter of signal processing, flips the kernel:
$(X * K)_{ij} = \sum_{u,v} X_{i-u,\, j-v} K_{u,v}$ (`filter2d`, as `scipy.signal.convolve2d`).
For a symmetric kernel (box blur, Gaussian, the Laplacian edge detector) the two agree.

| function | PyTorch / SciPy twin | implemented by |
| --- | --- | --- |
| `conv1d_full` | `np.convolve(v, w)` | a loop over the shorter vector |
| `conv2d` | `F.conv2d` (no `groups`) | zero padding, windows by `as_strided`, one matmul |
| `conv2d_output_shape` | the output shape of `F.conv2d` | $\lfloor (H + 2p - d(k-1) - 1)/s \rfloor + 1$ |
| `max_pool2d` | `F.max_pool2d(x, kernel_size, stride)` | windows, `argmax`, `gather` |
| `filter2d` | `scipy.signal.convolve2d` per channel | FFT (convolution theorem), or direct for $\le 3 \times 3$ |

No PyTorch convolution op (`F.conv2d`, `F.unfold`, `nn.Conv2d`) is used; autograd differentiates
`conv2d` and `max_pool2d`. The lab's pixel loop computes `filter2d`'s "valid" mode (erratum: it
fills `out` but returns `output`, and its 3-D branch returns `None`).

See: [convolution](../convolution/)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ._checks import check_ndim, check_shape, expect, is_int

__all__ = ["conv1d_full", "conv2d", "conv2d_output_shape", "max_pool2d", "filter2d"]

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int]
_MODES = ("valid", "same", "full")
_METHODS = ("auto", "direct", "fft")
_DIRECT_MAX_TAPS = 9  # filter2d: kernels of at most 9 entries (3 x 3) are faster direct than by FFT


def _pair(who: str, name: str, value: object, *, minimum: int = 1) -> Pair:
    """`value` as a pair `(along H, along W)`: an int is used for both; each must be `>= minimum`."""
    pair = (value, value) if is_int(value) else tuple(value) if isinstance(value, (tuple, list)) else ()
    ok = len(pair) == 2 and all(is_int(p) and p >= minimum for p in pair)
    expect(ok, who, f"{name} to be an integer >= {minimum} or a pair of them", repr(value))
    return int(pair[0]), int(pair[1])


def _padding(who: str, padding: object, kernel: Pair, stride: Pair, dilation: Pair) -> tuple[Pair, Pair]:
    """Zero padding `((top, bottom), (left, right))` from an int, a pair, `"valid"` or `"same"`.

    `"same"` pads $d(k-1)$ along each axis; an odd one's extra zero goes bottom / right, as PyTorch.
    """
    if isinstance(padding, str):
        expect(padding in ("valid", "same"), who, "padding 'valid', 'same', an integer or a pair", repr(padding))
        if padding == "valid":
            return (0, 0), (0, 0)
        if stride != (1, 1):
            raise ValueError(f"{who}: padding='same' needs stride 1 (as in PyTorch), got stride {stride}")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return (totals[0] // 2, totals[0] - totals[0] // 2), (totals[1] // 2, totals[1] - totals[1] // 2)
    p_h, p_w = _pair(who, "padding", padding, minimum=0)
    return (p_h, p_h), (p_w, p_w)


def _output_hw(who: str, size: Sequence[int], kernel: Pair, stride: Pair, pad: tuple[Pair, Pair],
               dilation: Pair) -> Pair:
    r"""$\lfloor (n + p_{before} + p_{after} - d(k-1) - 1) / s \rfloor + 1$ along H and along W."""
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(size, pad))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))  # extent of the dilated kernel
    if any(e > n for e, n in zip(span, padded)):
        raise ValueError(f"{who}: kernel of size {kernel} with dilation {dilation} (extent {span}) is larger "
                         f"than the padded input of size {padded}")
    return (padded[0] - span[0]) // stride[0] + 1, (padded[1] - span[1]) // stride[1] + 1


def _batched(who: str, input: Tensor) -> tuple[Tensor, bool]:
    """`(x, unbatched)`: a (C, H, W) input gets a batch axis of size 1."""
    check_ndim(who, input, (3, 4), "a 3-D or 4-D input (C, H, W) or (N, C, H, W)")
    return (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)


def _windows(x: Tensor, kernel: Pair, stride: Pair, dilation: Pair, out_hw: Pair) -> Tensor:
    """All windows of `x` (N, C, H, W) as a view (N, C, H_out, W_out, kH, kW): no copy."""
    x = x.contiguous()
    s_n, s_c, s_h, s_w = x.stride()
    return x.as_strided((*x.shape[:2], *out_hw, *kernel),
                        (s_n, s_c, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1]))


def conv1d_full(v: Sequence[float] | np.ndarray, w: Sequence[float] | np.ndarray) -> np.ndarray:
    r"""Full 1-D convolution $r = v * w$: the coefficients of the product of two polynomials.

    $$r_i = \sum_k v_k\, w_{i-k}, \qquad i = 0, \dots, m + n - 2,$$

    with entries outside $v$ and $w$ taken as 0. Multiplying $p(x) = \sum_k v_k x^k$ by each
    term $w_j x^j$ of $q(x)$ shifts $v$ by $j$ places, so $r = \sum_j w_j \cdot (v \text{ shifted by } j)$:
    one loop over the shorter vector. Equals `np.convolve(v, w)` (mode "full").

    Args:
        v: coefficients $v_0, \dots, v_{m-1}$ (constant term first), 1-D, non-empty.
        w: coefficients $w_0, \dots, w_{n-1}$, 1-D, non-empty.

    Returns:
        shape $(m + n - 1,)$, the common NumPy dtype of `v` and `w`.

    Raises:
        ValueError: if `v` or `w` is not 1-D or is empty.

    See: [convolution](../convolution/)
    """
    v, w = np.asarray(v), np.asarray(w)
    for name, a in (("v", v), ("w", w)):
        check_ndim("conv1d_full", a, (1,), "non-empty 1-D v and w", nonempty=True, got=f"{name} of shape")
    if len(w) > len(v):
        v, w = w, v  # convolution commutes: loop over the shorter one
    r = np.zeros(len(v) + len(w) - 1, dtype=np.result_type(v, w))  # (m + n - 1,)
    for j, w_j in enumerate(w):
        r[j:j + len(v)] += w_j * v  # w_j x^j p(x)
    return r


def conv2d_output_shape(input_hw: IntOrPair, kernel_size: IntOrPair, stride: IntOrPair = 1,
                        padding: IntOrPair | str = 0, dilation: IntOrPair = 1) -> Pair:
    r"""Output size $(H_{out}, W_{out})$ of `conv2d` (and of `torch.nn.functional.conv2d`).

    $$H_{out} = \left\lfloor \frac{H + 2p - d(k - 1) - 1}{s} \right\rfloor + 1,$$

    and the same along W: $d(k-1) + 1$ is the extent of the dilated kernel, and a window
    starts every $s$ pixels of the padded input. `padding="same"` gives $H_{out} = H$.

    Args:
        input_hw: $(H, W)$, or one int for both.
        kernel_size: $(k_H, k_W)$ or an int; stride $s$, padding $p$, dilation $d$ as in `conv2d`.

    Raises:
        ValueError: as `conv2d`, e.g. when the dilated kernel is larger than the padded input.

    See: [convolution](../convolution/)
    """
    who = "conv2d_output_shape"
    size, kernel = _pair(who, "input_hw", input_hw), _pair(who, "kernel_size", kernel_size)
    stride, dilation = _pair(who, "stride", stride), _pair(who, "dilation", dilation)
    return _output_hw(who, size, kernel, stride, _padding(who, padding, kernel, stride, dilation), dilation)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrPair = 1,
           padding: IntOrPair | str = 0, dilation: IntOrPair = 1) -> Tensor:
    r"""2-D convolution layer (a cross-correlation), as `torch.nn.functional.conv2d`.

    $$Y_{n,o,i,j} = b_o + \sum_{c,u,v} X_{n,\, c,\, si + du,\, sj + dv}\, K_{o,c,u,v}$$

    on the zero-padded input $X$. Implementation ("im2col"): a strided view gathers every
    window, one copy lays them out as columns of length $C_{in} k_H k_W$, and one matrix
    product with the flattened filters computes all outputs, i.e.
    `einsum("nchwuv,ocuv->nohw", windows, weight)`. Autograd gives the gradients.

    Args:
        input: $X$, shape (N, C_in, H, W), or (C_in, H, W) for one image.
        weight: filters $K$, shape (C_out, C_in, kH, kW).
        bias: $b$, shape (C_out,), or None.
        stride: $s$, an int or a pair (along H, along W), $\ge 1$.
        padding: $p$ zeros on each side (an int or a pair, $\ge 0$); `"valid"` (no padding) or
            `"same"` (output as large as the input; stride 1 only; when $d(k-1)$ is odd the
            extra zero goes to the bottom / right, as in PyTorch).
        dilation: $d$, spacing between kernel taps, an int or a pair, $\ge 1$.

    Returns:
        shape (N, C_out, H_out, W_out), or (C_out, H_out, W_out); see `conv2d_output_shape`.

    Raises:
        ValueError: on a wrong rank, a channel or bias mismatch, a stride or dilation < 1, a padding
            < 0 or unknown, "same" with a stride, or a dilated kernel larger than the padded input.

    See: [convolution](../convolution/)
    """
    who = "conv2d"
    x, unbatched = _batched(who, input)
    check_ndim(who, weight, (4,), "a 4-D weight (C_out, C_in, kH, kW)", nonempty=True)
    C_out, C_in, kH, kW = weight.shape
    if x.shape[1] != C_in:
        raise ValueError(f"{who}: input of shape {tuple(input.shape)} has {x.shape[1]} channels, "
                         f"but weight of shape {tuple(weight.shape)} expects C_in = {C_in}")
    if bias is not None:
        check_shape(who, "bias", bias, (C_out,), like=f" for weight of shape {tuple(weight.shape)}")
    stride, dilation = _pair(who, "stride", stride), _pair(who, "dilation", dilation)
    pad = _padding(who, padding, (kH, kW), stride, dilation)
    H_out, W_out = _output_hw(who, x.shape[-2:], (kH, kW), stride, pad, dilation)
    if pad != ((0, 0), (0, 0)):
        x = F.pad(x, (*pad[1], *pad[0]))  # (N, C_in, H + p_top + p_bottom, W + p_left + p_right)
    N = x.shape[0]
    X = _windows(x, (kH, kW), stride, dilation, (H_out, W_out))  # (N, C_in, H_out, W_out, kH, kW), a view
    cols = X.permute(0, 1, 4, 5, 2, 3).reshape(N, C_in * kH * kW, H_out * W_out)  # (N, C_in kH kW, H_out W_out)
    K = weight.reshape(C_out, C_in * kH * kW).expand(N, -1, -1)  # (N, C_out, C_in kH kW), a view
    Y = K @ cols if bias is None else torch.baddbmm(bias[:, None], K, cols)  # (N, C_out, H_out W_out)
    Y = Y.view(N, C_out, H_out, W_out)  # (N, C_out, H_out, W_out)
    return Y.squeeze(0) if unbatched else Y


def max_pool2d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None) -> Tensor:
    r"""Max pooling, as `torch.nn.functional.max_pool2d(input, kernel_size, stride)`.

    $$Y_{n,c,i,j} = \max_{u < k_H,\ v < k_W} X_{n,\, c,\, s_H i + u,\, s_W j + v}$$

    The gradient of each output goes to one input: the *first* maximum of its window in
    row-major order, as in PyTorch (this matters for ties, frequent after a ReLU). Here
    `argmax` over the flattened windows finds it, and `gather` picks it from the input, so
    autograd routes the gradient there; overlapping windows ($s < k$) add up. No padding,
    dilation or `ceil_mode`.

    Args:
        input: $X$, shape (N, C, H, W), or (C, H, W).
        kernel_size: window size $(k_H, k_W)$, an int or a pair.
        stride: $(s_H, s_W)$, an int or a pair; default: `kernel_size` (windows do not overlap).

    Returns:
        shape (N, C, H_out, W_out) or (C, H_out, W_out), $H_{out} = \lfloor (H - k_H) / s_H \rfloor + 1$.

    Raises:
        ValueError: on a wrong rank, a kernel size or stride < 1, or a window larger than the input.

    See: [convolution](../convolution/)
    """
    who = "max_pool2d"
    x, unbatched = _batched(who, input)
    kernel = _pair(who, "kernel_size", kernel_size)
    stride = kernel if stride is None else _pair(who, "stride", stride)
    H_out, W_out = _output_hw(who, x.shape[-2:], kernel, stride, ((0, 0), (0, 0)), (1, 1))
    N, C, H, W = x.shape
    X = _windows(x.detach(), kernel, stride, (1, 1), (H_out, W_out))  # (N, C, H_out, W_out, kH, kW)
    k = X.reshape(N, C, H_out, W_out, -1).argmax(dim=-1)  # (N, C, H_out, W_out): first maximum, row-major
    rows = torch.arange(H_out, device=x.device)[:, None] * stride[0] + k // kernel[1]  # (N, C, H_out, W_out)
    cols = torch.arange(W_out, device=x.device) * stride[1] + k % kernel[1]  # (N, C, H_out, W_out)
    Y = x.reshape(N, C, H * W).gather(2, (rows * W + cols).reshape(N, C, -1))  # (N, C, H_out W_out)
    Y = Y.view(N, C, H_out, W_out)  # (N, C, H_out, W_out)
    return Y.squeeze(0) if unbatched else Y


def _fast_len(n: int) -> int:
    r"""The smallest $2^a 3^b 5^c \ge n$: the FFT is fastest on sizes with small prime factors."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def _crop(size: Sequence[int], kernel: Sequence[int], mode: str) -> tuple[Pair, Pair]:
    """Where the output starts in the full convolution, and its size, along H and W."""
    if mode == "full":
        return (0, 0), (size[0] + kernel[0] - 1, size[1] + kernel[1] - 1)
    if mode == "same":  # centred as SciPy: start (k - 1) // 2, so an even kernel leans to the top / left
        return ((kernel[0] - 1) // 2, (kernel[1] - 1) // 2), (size[0], size[1])
    return (kernel[0] - 1, kernel[1] - 1), (size[0] - kernel[0] + 1, size[1] - kernel[1] + 1)


def _filter_direct(x: np.ndarray, K: np.ndarray, start: Pair, out_hw: Pair) -> np.ndarray:
    """Sum over the kernel taps of shifted images: kH kW passes over (C, H_out, W_out)."""
    (r0, c0), (H_out, W_out), (kH, kW) = start, out_hw, K.shape
    pad = ((0, 0), (kH - 1 - r0, r0 + H_out - x.shape[1]), (kW - 1 - c0, c0 + W_out - x.shape[2]))
    x = np.pad(x, pad)  # (C, H_out + kH - 1, W_out + kW - 1), zeros
    K_flip = K[::-1, ::-1]  # true convolution = cross-correlation with the flipped kernel
    Y = np.zeros((x.shape[0], H_out, W_out))  # (C, H_out, W_out)
    for u in range(kH):
        for v in range(kW):
            Y += K_flip[u, v] * x[:, u:u + H_out, v:v + W_out]  # (C, H_out, W_out)
    return Y


def _filter_fft(x: np.ndarray, K: np.ndarray, start: Pair, out_hw: Pair) -> np.ndarray:
    """Convolution theorem: FFT both, multiply, invert; then crop the full convolution."""
    (r0, c0), (H_out, W_out) = start, out_hw
    full = (x.shape[1] + K.shape[0] - 1, x.shape[2] + K.shape[1] - 1)
    shape = (_fast_len(full[0]), _fast_len(full[1]))  # >= full size: no wrap-around; zeros pad both
    Y_hat = np.fft.rfft2(x, shape) * np.fft.rfft2(K, shape)  # (C, F_H, F_W // 2 + 1)
    Y = np.fft.irfft2(Y_hat, shape)  # (C, F_H, F_W): the full convolution, then zeros
    return Y[:, r0:r0 + H_out, c0:c0 + W_out]  # (C, H_out, W_out)


def filter2d(image: np.ndarray, kernel: np.ndarray, mode: str = "valid", *, method: str = "auto") -> np.ndarray:
    r"""True 2-D convolution of an image with a filter, per channel, as `scipy.signal.convolve2d`.

    $$(X * K)_{ij} = \sum_{u,v} X_{i-u,\, j-v}\, K_{u,v}$$

    (pixels outside the image are 0): the kernel is flipped, unlike `conv2d`. `"full"` has size
    $(H + k_H - 1) \times (W + k_W - 1)$; `"valid"` keeps the $(H - k_H + 1) \times (W - k_W + 1)$
    outputs whose window lies inside the image (the lab's pixel loop); `"same"` the $H \times W$
    centre from $\lfloor (k_H - 1)/2 \rfloor$ on, as SciPy (an even kernel leans to the top / left).

    The pixel loop costs $H W k_H k_W$ multiplications, $2 \times 10^9$ for a $748 \times 1197 \times 3$
    photo and a $25 \times 25$ kernel. The **convolution theorem**, $\widehat{X * K} = \hat X \cdot \hat K$,
    makes it $O(HW \log HW)$: zero-pad both to at least the full size (so the FFT's circular
    convolution does not wrap around), multiply the FFTs, invert, crop. Round-off: about
    $10^{-15}$ of the largest values.

    Args:
        image: $X$, shape (H, W) or (H, W, C); any real dtype (uint8 from PIL is fine).
        kernel: $K$, shape (kH, kW).
        mode: `"valid"` (default, as the lab), `"same"` or `"full"`.
        method: `"fft"`, `"direct"` (a sum of $k_H k_W$ shifted images, exact on integer data),
            or `"auto"` (default): direct for kernels of at most 9 entries (faster there), else FFT.

    Returns:
        float64, shape (H_out, W_out) or (H_out, W_out, C).

    Raises:
        ValueError: on another rank, an empty image or kernel, an unknown mode or method, or
            mode `"valid"` with a kernel larger than the image (SciPy swaps the arguments when
            the kernel is larger along both axes).

    See: [convolution](../convolution/)
    """
    who = "filter2d"
    X, K = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    check_ndim(who, X, (2, 3), "a non-empty image of shape (H, W) or (H, W, C)", nonempty=True)
    check_ndim(who, K, (2,), "a non-empty 2-D kernel (kH, kW)", nonempty=True)
    ok = mode in _MODES and method in _METHODS
    expect(ok, who, f"mode in {_MODES} and method in {_METHODS}", f"{mode!r} and {method!r}")
    if mode == "valid" and (K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]):
        raise ValueError(f"{who}: kernel of shape {K.shape} is larger than the image of shape {X.shape} "
                         "(mode 'valid' needs kH <= H and kW <= W)")
    x = X[None] if X.ndim == 2 else np.moveaxis(X, -1, 0)  # (C, H, W)
    start, out_hw = _crop(x.shape[1:], K.shape, mode)
    direct = method == "direct" or (method == "auto" and K.size <= _DIRECT_MAX_TAPS)
    Y = (_filter_direct if direct else _filter_fft)(x, K, start, out_hw)  # (C, H_out, W_out)
    return np.ascontiguousarray(Y[0] if X.ndim == 2 else np.moveaxis(Y, 0, -1))
