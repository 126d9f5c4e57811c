r"""Losses come from likelihoods: each loss here is a negative log-likelihood (NLL).

Choose a probability model $p(y \mid \hat y)$ for the target $y$ given the model's output
$\hat y$. Maximum likelihood over independent examples is the same as minimising
$-\frac1N \sum_i \log p(y_i \mid \hat y_i)$; dropping the terms that do not depend on
$\hat y$ leaves the familiar losses:

| model of $y \mid \hat y$ | loss |
| --- | --- |
| Gaussian, fixed $\sigma$ | `mse_loss`: $(\hat y - y)^2$ |
| Laplace, fixed scale | `l1_loss`: $\lvert \hat y - y \rvert$ |
| Bernoulli, probability $\hat p$ / logit $x$ | `binary_cross_entropy` / `binary_cross_entropy_with_logits` |
| categorical, logits $z$ | `cross_entropy` (log-softmax, then `nll_loss`) |
| asymmetric Laplace, quantile $\tau$ | `check_loss` (quantile regression) |

`kl_divergence` is the expected log-likelihood ratio of two categorical distributions;
`hinge_loss` (the SVM's) is the one loss here that is *not* an NLL but a convex bound on the
0--1 error. Names, argument order and shapes follow `torch.nn.functional`; `reduction`
(`"mean"`, `"sum"` or `"none"`) is keyword-only. Unlike PyTorch, shapes are never broadcast
silently and out-of-range arguments raise `ValueError`.

See: [linear-models](../linear-models/)
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import check_all, check_ndim, check_same_shape, check_shape, expect, is_real

__all__ = ["mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "nll_loss", "kl_divergence", "hinge_loss", "check_loss"]

_REDUCTIONS = ("mean", "sum", "none")
_INTEGER_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
_LOG_FLOOR = -100.0  # PyTorch clamps each log term of the BCE at -100
_EPS = 1e-12  # PyTorch's floor for x (1 - x) in the BCE gradient


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()


def _in_unit_interval(name: str, what: str, x: Tensor) -> None:
    check_all(name, f"{what} in [0, 1]", (x >= 0) & (x <= 1), x)  # NaN fails too


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Squared error $\ell = (\hat y - y)^2$: the NLL of Gaussian errors with fixed $\sigma$.

    $-\log \mathcal N(y \mid \hat y, \sigma^2) = (y - \hat y)^2 / 2\sigma^2 + \text{const}$.

    Args:
        input: predictions $\hat y$, any shape.
        target: targets $y$, the same shape.
        reduction: `"mean"` (default), `"sum"` or `"none"` (elementwise, the input's shape).

    See: [linear-models](../linear-models/)
    """
    check_same_shape("mse_loss", input, target)
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Absolute error $\ell = |\hat y - y|$: the NLL of Laplace errors with fixed scale $b$.

    $-\log \operatorname{Laplace}(y \mid \hat y, b) = \frac{|y - \hat y|}{b} + \text{const}$.

    Args:
        input: predictions $\hat y$, any shape.
        target: targets $y$, the same shape.
        reduction: `"mean"` (default), `"sum"` or `"none"`.

    See: [linear-models](../linear-models/)
    """
    check_same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


class _BinaryCrossEntropy(torch.autograd.Function):
    r"""Elementwise BCE with PyTorch's clamped logs and PyTorch's backward.

    $\partial\ell/\partial x = (x - y) / \max(x(1 - x), 10^{-12})$, finite at $x \in \{0, 1\}$;
    $\partial\ell/\partial y = -\operatorname{logit}(x)$, unclamped (infinite there).
    """

    @staticmethod
    def forward(ctx, x: Tensor, y: Tensor) -> Tensor:
        ctx.save_for_backward(x, y)
        log_x = torch.clamp_min(torch.log(x), _LOG_FLOOR)
        log_1mx = torch.clamp_min(torch.log1p(-x), _LOG_FLOOR)
        return (y - 1) * log_1mx - y * log_x

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.saved_tensors
        dx = grad * (x - y) / torch.clamp_min((1 - x) * x, _EPS) if ctx.needs_input_grad[0] else None
        dy = -grad * torch.logit(x) if ctx.needs_input_grad[1] else None
        return dx, dy


def binary_cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Binary cross-entropy of probabilities: the NLL of a Bernoulli model with $P(y = 1) = \hat p$.

    $$\ell = -\bigl[y \log \hat p + (1 - y) \log(1 - \hat p)\bigr]$$

    As in PyTorch, each log term is clamped at $-100$, so $\hat p \in \{0, 1\}$ gives a finite
    loss, and the gradient $(\hat p - y) / \max(\hat p(1 - \hat p), 10^{-12})$ is finite too.
    Prefer `binary_cross_entropy_with_logits` in training.

    Args:
        input: probabilities $\hat p \in [0, 1]$, any shape.
        target: targets $y \in [0, 1]$ (labels or soft labels), the same shape.
        reduction: `"mean"` (default), `"sum"` or `"none"`.

    Raises:
        ValueError: on different shapes, or entries of `input` or `target` outside $[0, 1]$.

    See: [linear-models](../linear-models/)
    """
    name = "binary_cross_entropy"
    check_same_shape(name, input, target)
    _in_unit_interval(name, "input probabilities", input)
    _in_unit_interval(name, "target", target)
    return _reduce(_BinaryCrossEntropy.apply(input, target), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Binary cross-entropy of logits: the NLL of a Bernoulli model with $P(y = 1) = \sigma(x)$.

    $$\ell = -\bigl[y \log \sigma(x) + (1 - y) \log(1 - \sigma(x))\bigr]
           = \operatorname{softplus}(x) - y x = \max(x, 0) - y x + \log\bigl(1 + e^{-|x|}\bigr)$$

    The last form never exponentiates a positive number, so it is finite and exact for
    logits as large as $\pm 10^4$; its gradient is $\sigma(x) - y$.

    Args:
        input: logits $x \in \mathbb R$, any shape.
        target: targets $y \in [0, 1]$, the same shape.
        reduction: `"mean"` (default), `"sum"` or `"none"`.

    Raises:
        ValueError: on different shapes or entries of `target` outside $[0, 1]$.

    See: [linear-models](../linear-models/)
    """
    name = "binary_cross_entropy_with_logits"
    check_same_shape(name, input, target)
    _in_unit_interval(name, "target", target)
    x, y = input, target
    # torch.maximum splits the gradient at the tie x = 0, giving sigma(0) - y = 1/2 - y there
    loss = torch.maximum(x, torch.zeros_like(x)) - y * x + torch.log1p(torch.exp(-x.abs()))
    return _reduce(loss, reduction)


def _class_targets(name: str, input: Tensor, target: Tensor) -> Tensor:
    """Check (N, C) / (C,) input against (N,) / () integer class indices in [0, C); return them as int64."""
    check_ndim(name, input, (1, 2), "input of shape (N, C) or (C,)")
    expect(target.dtype in _INTEGER_DTYPES, name, "integer class indices as target", f"dtype {target.dtype}")
    check_shape(name, "target", target, tuple(input.shape[:-1]), like=f" for input of shape {tuple(input.shape)}")
    C = input.shape[-1]
    check_all(name, f"class indices in [0, {C})", (target >= 0) & (target < C), target)
    return target.long()


def _pick(log_probs: Tensor, target: Tensor, reduction: str) -> Tensor:
    loss = -log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1)  # (N,) or ()
    return _reduce(loss, reduction)


def nll_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""NLL of a categorical model given its log-probabilities: $\ell_i = -\log \hat p_{i, y_i}$.

    Args:
        input: log-probabilities $\log \hat p$, shape (N, C), or (C,) for one example.
        target: class indices $y \in \{0, \dots, C-1\}$, integer, shape (N,), or ().
        reduction: `"mean"` (default), `"sum"` or `"none"` (shape (N,), or ()).

    Raises:
        ValueError: on another rank, a non-integer target, a target shape other than the
            input's without C, or a class index outside $[0, C)$.

    See: [linear-models](../linear-models/)
    """
    return _pick(input, _class_targets("nll_loss", input, target), reduction)


def cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Cross-entropy of logits: the NLL of a categorical model $\hat p = \operatorname{softmax}(z)$.

    $$\ell_i = -\log \operatorname{softmax}(z_i)_{y_i}
             = -z_{i y_i} + m_i + \log \sum_c e^{z_{ic} - m_i}, \qquad m_i = \max_c z_{ic}$$

    Subtracting the maximum $m_i$ keeps logits like $[1000, 0, -1000]$ finite, where a naive
    `log(softmax(z))` gives `nan` and `-inf`. Class-index targets only (no `weight`,
    `ignore_index` or `label_smoothing`).

    Args:
        input: logits $z$, shape (N, C), or (C,) for one example.
        target: class indices $y \in \{0, \dots, C-1\}$, integer, shape (N,), or ().
        reduction: `"mean"` (default), `"sum"` or `"none"` (shape (N,), or ()).

    Raises:
        ValueError: as `nll_loss`.

    See: [linear-models](../linear-models/)
    """
    target = _class_targets("cross_entropy", input, target)
    z = input - input.amax(dim=-1, keepdim=True).detach()  # (N, C), all <= 0; a constant shift: gradient stays softmax
    log_probs = z - z.exp().sum(dim=-1, keepdim=True).log()  # (N, C)
    return _pick(log_probs, target, reduction)


def _probability_vectors(name: str, arg: str, p: Tensor) -> None:
    tol = max(1e-6, p.shape[-1] * torch.finfo(p.dtype).eps)  # 1e-6, looser only for low precision
    total = p.sum(dim=-1)
    check_all(name, f"{arg} to be non-negative", p >= 0, p)
    check_all(name, f"{arg} to sum to 1 along the last dimension (within {tol:g})", (total - 1).abs() <= tol, total)


def kl_divergence(p: Tensor, q: Tensor) -> Tensor:
    r"""Kullback--Leibler divergence $\mathrm{KL}(p \,\|\, q)$ of categorical distributions.

    $$\mathrm{KL}(p \,\|\, q) = \sum_c p_c \log \frac{p_c}{q_c} \;\ge\; 0,$$

    with $0 \log(0/q) = 0$, and $+\infty$ where $q_c = 0 < p_c$: the expected log-likelihood
    ratio of $p$ to $q$ under $p$. Not symmetric. Equals `torch.distributions.kl_divergence(
    Categorical(probs=p), Categorical(probs=q))`; like it, there is no `reduction`: one value
    per distribution (take `.mean()` yourself).

    Warning:
        `torch.nn.functional.kl_div(input, target)` takes *log*-probabilities as `input` and
        computes $\mathrm{KL}(\text{target} \,\|\, \text{input})$: the arguments the other way
        round. `kl_divergence(p, q)` is `F.kl_div(q.log(), p, reduction="none").sum(-1)`.

    Args:
        p: probabilities $p$, shape (..., C), non-negative, each vector summing to 1.
        q: probabilities $q$, the same shape.

    Returns:
        shape (...): the batch shape.

    Raises:
        ValueError: on different shapes, 0-d tensors, negative entries, or sums further than
            $10^{-6}$ from 1 (further than $C\epsilon$ in low precision).

    See: [linear-models](../linear-models/)
    """
    check_same_shape("kl_divergence", p, q, ("p", "q"))
    expect(p.ndim > 0, "kl_divergence", "probability vectors of shape (..., C)", "0-d tensors")
    _probability_vectors("kl_divergence", "p", p)
    _probability_vectors("kl_divergence", "q", q)
    support = p > 0  # (..., C): terms outside p's support are 0 (with a zero gradient, not nan)
    one = torch.ones_like(p)
    log_ratio = torch.log(torch.where(support, p, one)) - torch.log(torch.where(support, q, one))  # +inf: q = 0 < p
    return (p * log_ratio).sum(dim=-1)  # (...)


def hinge_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Hinge loss of the support vector machine: $\ell = \max(0,\, 1 - y f)$.

    Not a likelihood: a convex upper bound on the 0--1 error $[y f \le 0]$, zero only beyond
    the margin $y f \ge 1$. (PyTorch has no function of this name; `F.hinge_embedding_loss`
    is another loss.)

    Args:
        input: scores $f \in \mathbb R$, any shape.
        target: labels $y \in \{-1, +1\}$, the same shape.
        reduction: `"mean"` (default), `"sum"` or `"none"`.

    Raises:
        ValueError: on different shapes or a label other than $-1$ and $+1$.

    See: [linear-models](../linear-models/)
    """
    check_same_shape("hinge_loss", input, target)
    check_all("hinge_loss", "target in {-1, +1}", (target == 1) | (target == -1), target)
    return _reduce(torch.clamp_min(1 - target * input, 0), reduction)


def check_loss(input: Tensor, target: Tensor, tau: float, *, reduction: str = "mean") -> Tensor:
    r"""Check (pinball) loss of quantile regression, $\rho_\tau(u) = \max(\tau u, (\tau - 1) u)$.

    Here $u = y - \hat q$. It is the NLL of an asymmetric Laplace model with location
    $\hat q$, up to constants. The constant $\hat q$ minimising the mean check loss over a
    sample is the sample's $\tau$-quantile; $\tau = 1/2$ gives half the `l1_loss` (the median).

    Args:
        input: predicted quantiles $\hat q$, any shape.
        target: targets $y$, the same shape.
        tau: quantile level $\tau \in (0, 1)$.
        reduction: `"mean"` (default), `"sum"` or `"none"`.

    Raises:
        ValueError: on different shapes, or `tau` not a number in the open interval $(0, 1)$.

    See: [linear-models](../linear-models/)
    """
    expect(is_real(tau) and 0 < tau < 1, "check_loss", "tau in the open interval (0, 1)", repr(tau))
    check_same_shape("check_loss", input, target)
    u = target - input
    return _reduce(torch.maximum(tau * u, (tau - 1) * u), reduction)
