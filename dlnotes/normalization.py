r"""Batch normalization, layer normalization and dropout, written out from their formulas.

**Batch norm** normalizes each channel $c$ over the $n$ values it has in a mini-batch
($n = N$ for an input (N, C), $N L$ for (N, C, L), $N H W$ for (N, C, H, W)):

$$\mu_c = \frac1n \sum_i x_i, \qquad \sigma_c^2 = \frac1n \sum_i (x_i - \mu_c)^2, \qquad
  \hat x_i = \frac{x_i - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}}, \qquad y_i = \gamma_c \hat x_i + \beta_c .$$

While training it also updates running averages (momentum $m$) for evaluation, where they
replace the batch's statistics: the batch is normalized with the biased variance
$\sigma_c^2$, the running average takes the unbiased $\frac{n}{n-1}\sigma_c^2$. **Layer norm**
computes the same $\hat x$ over the last dimensions of each sample (no batch, no running
statistics; $\gamma$, $\beta$ have the shape of those dimensions). **Dropout** is *inverted*, as
in PyTorch: while training $y = x \cdot \xi / (1 - p)$ with $\xi \sim \mathrm{Bernoulli}(1 - p)$,
so $E[y] = x$ and evaluation is the identity.

| ours | PyTorch's | implemented by |
| --- | --- | --- |
| `batch_norm`, `BatchNorm1d`, `BatchNorm2d` | `F.batch_norm`, `nn.BatchNorm1d`, ... | an autograd `Function` (training) |
| `layer_norm`, `LayerNorm` | `F.layer_norm`, `nn.LayerNorm` | tensor code, autograd |
| `dropout`, `Dropout` | `F.dropout`, `nn.Dropout` | a mask from `torch.rand` |

Names, arguments, defaults, parameters and buffers are PyTorch's (torch 2.13), so state
dicts load both ways; no PyTorch normalization or dropout op is used.

See: the normalization page (docs/normalization.zh.md)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn
from torch.autograd.function import once_differentiable

from ._checks import check_ndim, check_shape, check_tensor, expect, is_int, is_real

__all__ = ["batch_norm", "layer_norm", "dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Dropout"]


def _check_eps(who: str, eps: Any, positive: bool = False) -> None:
    ok = is_real(eps) and (eps > 0 if positive else eps >= 0)
    expect(ok, who, f"eps {'> 0 when training' if positive else '>= 0'}", repr(eps))


def _check_flags(who: str, **flags: Any) -> None:
    for name, flag in flags.items():
        expect(isinstance(flag, bool), who, f"{name} True or False", repr(flag))


def _check_probability(who: str, name: str, value: Any) -> None:
    expect(is_real(value) and 0 <= value <= 1, who, f"{name} in [0, 1]", repr(value))  # NaN fails too


def _per_channel(v: Tensor | None, ndim: int) -> Tensor | None:
    """A (C,) tensor viewed as (1, C, 1, ...), to broadcast over an input of `ndim` dimensions."""
    return None if v is None else v.view(1, -1, *([1] * (ndim - 2)))


def _affine(x_hat: Tensor, gamma: Tensor | None, beta: Tensor | None) -> Tensor:
    r"""$\gamma \hat x + \beta$, leaving out an absent $\gamma$ or $\beta$."""
    if gamma is not None and beta is not None:
        return torch.addcmul(beta, x_hat, gamma)
    if gamma is not None:
        return x_hat * gamma
    return x_hat if beta is None else x_hat + beta


class _BatchNormTraining(torch.autograd.Function):
    r"""Training-mode batch norm with the derived backward (see `batch_norm`); also returns $\mu_B$, $\sigma_B^2$ (C,).

    With $d\hat x = \gamma\, dy$ and $\gamma$ constant over a channel, bars for channel means,
    $dx = \frac{\gamma}{\sigma}\bigl(dy - \overline{dy} - \hat x\, \overline{dy\, \hat x}\bigr)$.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, gamma: Tensor | None, beta: Tensor | None, eps: float) -> tuple[Tensor, ...]:
        dims = [0, *range(2, x.ndim)]  # every dim but the channels'
        mu = x.mean(dim=dims)  # (C,)
        x_hat = x - _per_channel(mu, x.ndim)  # (N, C, ...): x - μ (two passes: torch.var_mean is slower here)
        var = x_hat.square().mean(dim=dims)  # (C,): biased variance
        inv_sigma = torch.rsqrt(var + eps)  # (C,): 1/σ
        x_hat.mul_(_per_channel(inv_sigma, x.ndim))  # (N, C, ...): x̂
        y = _affine(x_hat, _per_channel(gamma, x.ndim), _per_channel(beta, x.ndim))  # (N, C, ...)
        ctx.save_for_backward(x_hat, gamma, inv_sigma)
        ctx.mark_non_differentiable(mu, var)
        return y, mu, var

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dy: Tensor, _dmu: Tensor, _dvar: Tensor) -> tuple[Tensor | None, ...]:
        x_hat, gamma, inv_sigma = ctx.saved_tensors
        dims, ndim = [0, *range(2, dy.ndim)], dy.ndim
        n = dy.numel() // dy.shape[1]
        sum_dy = dy.sum(dims)  # (C,): dβ
        sum_dy_x_hat = (dy * x_hat).sum(dims)  # (C,): dγ
        dx = None
        if ctx.needs_input_grad[0]:
            scale = inv_sigma if gamma is None else gamma * inv_sigma  # (C,): γ/σ
            # dx = (γ/σ) dy - (γ/σ) mean(dy) - (γ/σ) mean(dy x̂) x̂, in two passes over (N, C, ...)
            dx = torch.addcmul(_per_channel(-scale * sum_dy / n, ndim), dy, _per_channel(scale, ndim))
            dx.addcmul_(x_hat, _per_channel(-scale * sum_dy_x_hat / n, ndim))
        d_gamma = sum_dy_x_hat if ctx.needs_input_grad[1] else None
        d_beta = sum_dy if ctx.needs_input_grad[2] else None
        return dx, d_gamma, d_beta, None


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    r"""Batch normalization, as `torch.nn.functional.batch_norm`.

    Training: $y = \gamma \hat x + \beta$, $\hat x = (x - \mu_B)/\sigma$, $\sigma = \sqrt{\sigma_B^2 + \epsilon}$, with
    the batch's mean and biased variance per channel (over every dimension but dim 1); given
    running statistics, they are updated in place, outside autograd: $\hat\mu \leftarrow (1 - m)\hat\mu + m \mu_B$,
    $\hat\sigma^2 \leftarrow (1 - m)\hat\sigma^2 + m \frac{n}{n-1}\sigma_B^2$.
    The backward pass is not autograd's walk through $\mu_B$ and $\sigma$ but the derived
    formula (with $d\hat x = \gamma\, dy$; sums over the $n$ values of a channel):

    $$dx = \frac{1}{n\sigma}\Bigl(n\, d\hat x - \sum_i d\hat x_i - \hat x \sum_i d\hat x_i\, \hat x_i\Bigr), \qquad
      d\gamma = \sum_i dy_i\, \hat x_i, \qquad d\beta = \sum_i dy_i .$$

    Evaluation: $\hat\mu$, $\hat\sigma^2$ replace $\mu_B$, $\sigma_B^2$ (tensor code; autograd). Only the
    modules support the cumulative average (`momentum=None`): this function needs a number $m$.

    Args:
        input: $x$, shape (N, C), (N, C, L), (N, C, H, W) or (N, C, ...).
        running_mean: $\hat\mu$, shape (C,), or None (training only; then not tracked).
        running_var: $\hat\sigma^2$, shape (C,), or None together with `running_mean`.
        weight: $\gamma$, shape (C,), or None (1).
        bias: $\beta$, shape (C,), or None (0).
        training: use (and track) the batch's statistics, or use the running ones.
        momentum: $m \in [0, 1]$, the weight of the new batch in the running averages.
        eps: $\epsilon$, added to the variance; $> 0$ when training, $\ge 0$ otherwise.

    Raises:
        ValueError: on an input of fewer than 2 dimensions, a statistic or parameter not of
            shape (C,), only one running statistic, none when not training, one value per
            channel when training (no variance), `momentum=None` or out of $[0, 1]$, a bad `eps`.

    See: the normalization page (docs/normalization.zh.md)
    """
    who = "batch_norm"
    check_tensor(who, "input", input)
    expect(input.ndim >= 2, who, "an input of at least 2 dimensions (N, C, ...)", f"shape {tuple(input.shape)}")
    C, n = input.shape[1], input.numel() // max(input.shape[1], 1)
    for name, v in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if v is not None:
            check_shape(who, name, v, (C,), like=f" for input of shape {tuple(input.shape)}")
    _check_flags(who, training=training)
    given = ["None" if v is None else "a tensor" for v in (running_mean, running_var)]
    expect(given[0] == given[1], who, "running_mean and running_var both tensors or both None", " and ".join(given))
    expect(training or running_mean is not None, who, "running_mean and running_var when not training", "None")
    expect(momentum is not None, who, "a number momentum (the cumulative average, momentum=None, "
           "is for the modules BatchNorm1d and BatchNorm2d)", "None")
    _check_probability(who, "momentum", momentum)
    _check_eps(who, eps, positive=training)
    if not training:
        mu, inv_sigma, gamma, beta = (_per_channel(v, input.ndim) for v in
                                      (running_mean, torch.rsqrt(running_var + eps), weight, bias))  # (1, C, 1, ...)
        return _affine((input - mu) * inv_sigma, gamma, beta)
    expect(n != 1, who, "more than 1 value per channel when training", f"input of shape {tuple(input.shape)}")
    y, mu, var = _BatchNormTraining.apply(input, weight, bias, eps)
    if running_mean is not None and n > 1:
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(mu, alpha=momentum)
            running_var.mul_(1 - momentum).add_(var * (n / (n - 1)), alpha=momentum)  # unbiased variance
    return y


def _normalized_shape(who: str, normalized_shape: Any) -> tuple[int, ...]:
    shape = (normalized_shape,) if is_int(normalized_shape) else normalized_shape
    ok = isinstance(shape, (tuple, list)) and len(shape) > 0 and all(is_int(s) and s >= 1 for s in shape)
    expect(ok, who, "normalized_shape an integer >= 1 or a non-empty sequence of them", repr(normalized_shape))
    return tuple(int(s) for s in shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    r"""Layer normalization, as `torch.nn.functional.layer_norm`.

    $$y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta,$$

    with the mean $\mu$ and the biased variance $\sigma^2$ of each sample over its last
    `len(normalized_shape)` dimensions: training and evaluation are alike. Autograd differentiates it.

    Args:
        input: $x$, shape (..., *normalized_shape).
        normalized_shape: the shape of the normalized trailing dimensions (an int for one).
        weight: $\gamma$, shape `normalized_shape`, or None (1).
        bias: $\beta$, shape `normalized_shape`, or None (0).
        eps: $\epsilon \ge 0$, added to the variance.

    Raises:
        ValueError: if the input does not end in `normalized_shape`, on a weight or bias of
            another shape, or a bad `normalized_shape` or `eps`.

    See: the normalization page (docs/normalization.zh.md)
    """
    who = "layer_norm"
    check_tensor(who, "input", input)
    shape = _normalized_shape(who, normalized_shape)
    k = len(shape)
    expect(tuple(input.shape[-k:]) == shape and input.ndim >= k, who,
           f"input of shape (..., {', '.join(map(str, shape))})", f"shape {tuple(input.shape)}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None:
            check_shape(who, name, v, shape)
    _check_eps(who, eps)
    var, mu = torch.var_mean(input, dim=tuple(range(-k, 0)), correction=0, keepdim=True)  # (..., 1, ..., 1)
    return _affine((input - mu) * torch.rsqrt(var + eps), weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, *, inplace: bool = False,
            generator: torch.Generator | None = None) -> Tensor:
    r"""Inverted dropout, as `torch.nn.functional.dropout`: $y = x \cdot \xi / (1 - p)$ while training.

    Each entry is kept ($\xi = 1$) with probability $1 - p$ and zeroed otherwise; the survivors
    are scaled by $1/(1 - p)$ so that $E[y] = x$, and evaluation is the identity (`input`
    itself is returned). $p = 1$ gives zeros. The mask is `torch.rand(input.shape,
    generator=generator, dtype=torch.float32, device=input.device) >= p`: not PyTorch's mask for
    the same seed, but the same law. The gradient is $\xi / (1 - p)$ times the upstream gradient.

    Args:
        input: $x$, any shape.
        p: probability $p \in [0, 1]$ of zeroing an entry.
        training: apply dropout (True) or return `input` (False).
        inplace: multiply `input` in place (as PyTorch's `inplace=True`).
        generator: the `torch.Generator` the mask is drawn from (default: PyTorch's global one).

    Returns:
        $y$, the shape of `input`.

    Raises:
        ValueError: if `p` is not in $[0, 1]$, or `training` or `inplace` is not a bool.

    See: the normalization page (docs/normalization.zh.md)
    """
    who = "dropout"
    check_tensor(who, "input", input)
    _check_probability(who, "p", p)
    _check_flags(who, training=training, inplace=inplace)
    if not training or p == 0:
        return input
    if p == 1:
        noise = torch.zeros_like(input)
    else:
        uniform = torch.rand(input.shape, generator=generator, dtype=torch.float32, device=input.device)
        keep = uniform >= p  # ξ, P(keep) = 1 - p
        noise = keep.to(input.dtype).div_(1 - p)  # ξ / (1 - p)
    return input.mul_(noise) if inplace else input * noise


class _BatchNorm(nn.Module):
    """`BatchNorm1d` and `BatchNorm2d`: PyTorch's constructor, parameters, buffers and forward logic."""

    _version = 2  # PyTorch's: the version with num_batches_tracked
    _ranks: tuple[int, ...] = ()
    _shapes = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: torch.dtype | None = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        who = type(self).__name__
        expect(is_int(num_features) and num_features >= 1, who, "num_features an integer >= 1", repr(num_features))
        _check_eps(who, eps)
        if momentum is not None:
            _check_probability(who, "momentum", momentum)
        _check_flags(who, affine=affine, track_running_stats=track_running_stats, bias=bias)
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        factory = {"device": device, "dtype": dtype}
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features, **factory)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features, **factory)) if affine and bias else None)
        track = track_running_stats
        self.register_buffer("running_mean", torch.zeros(num_features, **factory) if track else None)
        self.register_buffer("running_var", torch.ones(num_features, **factory) if track else None)
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device) if track else None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch tracked."""
        for buffer, value in ((self.running_mean, 0), (self.running_var, 1), (self.num_batches_tracked, 0)):
            if buffer is not None:
                buffer.fill_(value)

    def reset_parameters(self) -> None:
        r"""Reset the running statistics, and $\gamma = 1$, $\beta = 0$."""
        self.reset_running_stats()
        with torch.no_grad():
            for param, value in ((self.weight, 1), (self.bias, 0)):
                if param is not None:
                    param.fill_(value)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def forward(self, input: Tensor) -> Tensor:
        r"""Batch norm of `input`; while training, count the batch and update the running statistics."""
        who = type(self).__name__
        check_tensor(who, "input", input)
        check_ndim(who, input, self._ranks, f"input of shape {self._shapes}")
        expect(input.shape[1] == self.num_features, who, f"input with {self.num_features} channels (dim 1)",
               f"shape {tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average: the k-th batch has weight 1/k
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                          self.weight, self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    r"""Batch norm of an input (N, C) or (N, C, L), as `torch.nn.BatchNorm1d`.

    Per channel, $y = \gamma\, (x - \mu)/\sqrt{\sigma^2 + \epsilon} + \beta$ with the batch's statistics
    while training (over N, or N and L) and the running ones in evaluation; see `batch_norm`.
    `momentum=None` keeps the cumulative average: after $k$ batches, $\hat\mu$ is the mean of
    the $k$ batch means (momentum $1/k$ at the $k$-th, from `num_batches_tracked`).
    `track_running_stats=False` keeps no running statistics and uses the batch's in evaluation too.

    Args:
        num_features: $C$.
        eps: $\epsilon \ge 0$.
        momentum: $m \in [0, 1]$, or None for the cumulative average.
        affine: learn $\gamma$ (`weight`, initially 1) and, if `bias` (keyword-only), $\beta$ (`bias`, 0).
        track_running_stats: keep `running_mean`, `running_var` and `num_batches_tracked`.
        device: where the parameters and buffers are made.
        dtype: their floating-point dtype.

    Raises:
        ValueError: on a bad argument, or an input that is not (N, C) or (N, C, L) with C = `num_features`.

    See: the normalization page (docs/normalization.zh.md)
    """

    _ranks, _shapes = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    r"""Batch norm of images (N, C, H, W), as `torch.nn.BatchNorm2d`: statistics per channel over N, H and W.

    Arguments, parameters, buffers and `momentum=None` as `BatchNorm1d`.

    Raises:
        ValueError: on a bad argument, or an input that is not (N, C, H, W) with C = `num_features`.

    See: the normalization page (docs/normalization.zh.md)
    """

    _ranks, _shapes = (4,), "(N, C, H, W)"


class LayerNorm(nn.Module):
    r"""Layer norm over the trailing dimensions `normalized_shape`, as `torch.nn.LayerNorm`; see `layer_norm`.

    Args:
        normalized_shape: the shape of the normalized trailing dimensions (an int for one).
        eps: $\epsilon \ge 0$.
        elementwise_affine: learn $\gamma$ (`weight`, ones of shape `normalized_shape`).
        bias: with `elementwise_affine`, learn $\beta$ (`bias`, zeros) too.
        device: where the parameters are made.
        dtype: their floating-point dtype.

    Raises:
        ValueError: on a bad argument, or an input that does not end in `normalized_shape`.

    See: the normalization page (docs/normalization.zh.md)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        who = "LayerNorm"
        self.normalized_shape = _normalized_shape(who, normalized_shape)
        _check_eps(who, eps)
        _check_flags(who, elementwise_affine=elementwise_affine, bias=bias)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        shape, factory = self.normalized_shape, {"device": device, "dtype": dtype}
        self.register_parameter("weight", nn.Parameter(torch.ones(shape, **factory)) if elementwise_affine else None)
        beta = nn.Parameter(torch.zeros(shape, **factory)) if elementwise_affine and bias else None
        self.register_parameter("bias", beta)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")

    def forward(self, input: Tensor) -> Tensor:
        """Layer norm of `input` (..., *normalized_shape)."""
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class Dropout(nn.Module):
    r"""Inverted dropout while training, the identity in evaluation, as `torch.nn.Dropout`; see `dropout`.

    Args:
        p: probability $p \in [0, 1]$ of zeroing an entry.
        inplace: multiply the input in place.

    Raises:
        ValueError: if `p` is not in $[0, 1]$ or `inplace` is not a bool.

    See: the normalization page (docs/normalization.zh.md)
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check_probability("Dropout", "p", p)
        _check_flags("Dropout", inplace=inplace)
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"

    def forward(self, input: Tensor) -> Tensor:
        """Dropout of `input` while `self.training`, else `input` itself."""
        return dropout(input, self.p, self.training, inplace=self.inplace)
