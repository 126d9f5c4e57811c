r"""Losses come from likelihoods: each loss here is a negative log-likelihood.

Choose a probability model :math:`p(y \mid \hat y)` for the target :math:`y` given the
model's output :math:`\hat y`; maximum likelihood over independent examples is the same as
minimising :math:`-\frac1N \sum_i \log p(y_i \mid \hat y_i)`. Dropping the terms that do
not depend on :math:`\hat y` leaves the familiar losses:

========================================  ==========================================
model of :math:`y \mid \hat y`            loss
========================================  ==========================================
Gaussian, fixed :math:`\sigma`            :func:`mse_loss`, :math:`(\hat y - y)^2`
Laplace, fixed scale                      :func:`l1_loss`, :math:`|\hat y - y|`
Bernoulli, probability :math:`\hat y`     :func:`binary_cross_entropy`
Bernoulli, logit :math:`\hat y`           :func:`binary_cross_entropy_with_logits`
categorical, logits :math:`\hat y`        :func:`cross_entropy` (= log-softmax + :func:`nll_loss`)
asymmetric Laplace, quantile :math:`\tau` :func:`check_loss` (quantile regression)
========================================  ==========================================

:func:`kl_divergence` is the expected log-likelihood ratio between two categorical
distributions; :func:`hinge_loss` (the SVM's loss) is the one loss here that is *not*
a likelihood: it is a convex upper bound on the 0--1 error.

Names, argument order and shapes follow ``torch.nn.functional``, so either can be used;
``reduction`` (``"mean"``, ``"sum"`` or ``"none"``) is keyword-only. Unlike PyTorch,
shapes are never broadcast silently and out-of-range targets raise :class:`ValueError`.

See: https://dlnotes.example.org/linear-models/
"""

from __future__ import annotations

import numbers

import torch
from torch import Tensor

__all__ = [
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
    "kl_divergence",
    "hinge_loss",
    "check_loss",
]

_REDUCTIONS = ("mean", "sum", "none")
_INTEGER_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
_LOG_FLOOR = -100.0  # PyTorch clamps each log term of the BCE at -100
_EPS = 1e-12  # PyTorch's floor for x (1 - x) in the BCE gradient


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _same_shape(name: str, a: Tensor, b: Tensor, names: tuple[str, str] = ("input", "target")) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name} expects {names[0]} and {names[1]} of the same shape, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")


def _require(name: str, what: str, ok: Tensor, values: Tensor) -> None:
    """Raise ``ValueError`` unless every entry of ``ok`` is true; report the range of ``values``."""
    if not bool(ok.all()):
        raise ValueError(f"{name} expects {what}, got values in [{values.min().item():g}, {values.max().item():g}]")


def _in_unit_interval(name: str, what: str, x: Tensor) -> None:
    _require(name, f"{what} in [0, 1]", (x >= 0) & (x <= 1), x)  # NaN fails too


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Squared error :math:`\ell = (\hat y - y)^2`: the NLL of Gaussian errors with fixed :math:`\sigma`.

    :math:`-\log \mathcal N(y \mid \hat y, \sigma^2) = \frac{(y - \hat y)^2}{2\sigma^2} + \text{const}`.

    Args:
        input: predictions :math:`\hat y`, any shape.
        target: targets :math:`y`, the same shape.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (elementwise, input's shape).

    See: https://dlnotes.example.org/linear-models/
    """
    _same_shape("mse_loss", input, target)
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Absolute error :math:`\ell = |\hat y - y|`: the NLL of Laplace errors with fixed scale :math:`b`.

    :math:`-\log \mathrm{Laplace}(y \mid \hat y, b) = \frac{|y - \hat y|}{b} + \text{const}`.

    Args:
        input: predictions :math:`\hat y`, any shape.
        target: targets :math:`y`, the same shape.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    See: https://dlnotes.example.org/linear-models/
    """
    _same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


class _BinaryCrossEntropy(torch.autograd.Function):
    r"""Elementwise BCE with PyTorch's clamped logs and PyTorch's backward.

    Backward: :math:`\partial\ell/\partial x = (x - y) / \max(x(1 - x), 10^{-12})` (finite at
    :math:`x \in \{0, 1\}`) and :math:`\partial\ell/\partial y = -\operatorname{logit}(x)`.
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
    r"""Binary cross-entropy of probabilities: the NLL of a Bernoulli model with :math:`P(y = 1) = \hat p`.

    .. math:: \ell = -\bigl[y \log \hat p + (1 - y) \log(1 - \hat p)\bigr]

    As in PyTorch, each log term is clamped at :math:`-100`, so :math:`\hat p \in \{0, 1\}`
    gives a finite loss, and the gradient is :math:`(\hat p - y) / \max(\hat p(1 - \hat p),
    10^{-12})`, finite too. Prefer :func:`binary_cross_entropy_with_logits` in training.

    Args:
        input: probabilities :math:`\hat p \in [0, 1]`, any shape.
        target: targets :math:`y \in [0, 1]` (labels or soft labels), the same shape.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: on different shapes, or entries of ``input`` or ``target`` outside [0, 1].

    See: https://dlnotes.example.org/linear-models/
    """
    name = "binary_cross_entropy"
    _same_shape(name, input, target)
    _in_unit_interval(name, "input probabilities", input)
    _in_unit_interval(name, "target", target)
    return _reduce(_BinaryCrossEntropy.apply(input, target), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Binary cross-entropy of logits: the NLL of a Bernoulli model with :math:`P(y = 1) = \sigma(x)`.

    .. math:: \ell = -\bigl[y \log \sigma(x) + (1 - y) \log(1 - \sigma(x))\bigr]
              = \operatorname{softplus}(x) - y x
              = \max(x, 0) - y x + \log\bigl(1 + e^{-|x|}\bigr)

    The last form never exponentiates a positive number, so it is finite and exact for
    logits as large as :math:`\pm 10^4`; its gradient is :math:`\sigma(x) - y`.

    Args:
        input: logits :math:`x \in \mathbb R`, any shape.
        target: targets :math:`y \in [0, 1]`, the same shape.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: on different shapes or entries of ``target`` outside [0, 1].

    See: https://dlnotes.example.org/linear-models/
    """
    name = "binary_cross_entropy_with_logits"
    _same_shape(name, input, target)
    _in_unit_interval(name, "target", target)
    x, y = input, target
    # torch.maximum splits the gradient at the tie x = 0, giving sigma(0) - y = 1/2 - y there
    loss = torch.maximum(x, torch.zeros_like(x)) - y * x + torch.log1p(torch.exp(-x.abs()))
    return _reduce(loss, reduction)


def _class_targets(name: str, input: Tensor, target: Tensor) -> Tensor:
    """Check (N, C) / (C,) input against (N,) / () integer class indices in [0, C); return them as int64."""
    if input.ndim not in (1, 2):
        raise ValueError(f"{name} expects input of shape (N, C) or (C,), got shape {tuple(input.shape)}")
    if target.dtype not in _INTEGER_DTYPES:
        raise ValueError(f"{name} expects integer class indices as target, got dtype {target.dtype}")
    if target.shape != input.shape[:-1]:
        raise ValueError(f"{name} expects target of shape {tuple(input.shape[:-1])} for input of shape "
                         f"{tuple(input.shape)}, got {tuple(target.shape)}")
    C = input.shape[-1]
    _require(name, f"class indices in [0, {C})", (target >= 0) & (target < C), target)
    return target.long()


def _pick(log_probs: Tensor, target: Tensor, reduction: str) -> Tensor:
    loss = -log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1)  # (N,) or ()
    return _reduce(loss, reduction)


def nll_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Negative log-likelihood of a categorical model given its log-probabilities.

    .. math:: \ell_i = -\log \hat p_{i, y_i}

    Args:
        input: log-probabilities :math:`\log \hat p`, shape (N, C), or (C,) for one example.
        target: class indices :math:`y \in \{0, \dots, C-1\}`, integer, shape (N,), or ().
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (shape (N,), or ()).

    Raises:
        ValueError: on another rank, a non-integer target, a target shape that is not
            the input's without C, or a class index outside [0, C).

    See: https://dlnotes.example.org/linear-models/
    """
    return _pick(input, _class_targets("nll_loss", input, target), reduction)


def _log_softmax(z: Tensor) -> Tensor:
    r""":math:`z - \log\sum_c e^{z_c}`, shifted by the maximum so that no exponential overflows."""
    m = z.amax(dim=-1, keepdim=True).detach()  # (N, 1): a constant shift, so the gradient stays softmax(z)
    z = z - m  # (N, C), every entry <= 0
    return z - z.exp().sum(dim=-1, keepdim=True).log()  # (N, C)


def cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Cross-entropy of logits: the NLL of a categorical model :math:`\hat p = \operatorname{softmax}(z)`.

    .. math:: \ell_i = -\log \operatorname{softmax}(z_i)_{y_i}
              = -z_{i, y_i} + m_i + \log \sum_c e^{z_{ic} - m_i}, \qquad m_i = \max_c z_{ic}

    Subtracting the maximum :math:`m_i` keeps logits like :math:`[1000, 0, -1000]` finite,
    where ``log(softmax(z))`` computed naively gives ``nan`` and ``-inf``. Class-index
    targets only (no ``weight``, ``ignore_index`` or ``label_smoothing``).

    Args:
        input: logits :math:`z`, shape (N, C), or (C,) for one example.
        target: class indices :math:`y \in \{0, \dots, C-1\}`, integer, shape (N,), or ().
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"`` (shape (N,), or ()).

    Raises:
        ValueError: as :func:`nll_loss`.

    See: https://dlnotes.example.org/linear-models/
    """
    target = _class_targets("cross_entropy", input, target)
    return _pick(_log_softmax(input), target, reduction)


def _probability_vectors(name: str, arg: str, p: Tensor) -> None:
    tol = max(1e-6, p.shape[-1] * torch.finfo(p.dtype).eps)  # 1e-6, looser only for low precision
    total = p.sum(dim=-1)
    _require(name, f"{arg} to be non-negative", p >= 0, p)
    _require(name, f"{arg} to sum to 1 along the last dimension (within {tol:g})", (total - 1).abs() <= tol, total)


def kl_divergence(p: Tensor, q: Tensor) -> Tensor:
    r"""Kullback--Leibler divergence :math:`\mathrm{KL}(p \,\|\, q)` of categorical distributions.

    .. math:: \mathrm{KL}(p \,\|\, q) = \sum_c p_c \log \frac{p_c}{q_c} \;\ge\; 0

    with :math:`0 \log(0/q) = 0`; it is :math:`+\infty` where :math:`q_c = 0 < p_c`. It is the
    expected log-likelihood ratio of :math:`p` to :math:`q` under :math:`p`, and it is not
    symmetric. The result equals ``torch.distributions.kl_divergence(Categorical(probs=p),
    Categorical(probs=q))``. There is no ``reduction``: one value per distribution, like
    ``torch.distributions``; take ``.mean()`` yourself.

    .. warning:: ``torch.nn.functional.kl_div(input, target)`` takes *log*-probabilities as
       ``input`` and returns :math:`\mathrm{KL}(\text{target} \,\|\, \text{input})`: the
       arguments the other way round. ``kl_divergence(p, q)`` equals
       ``F.kl_div(q.log(), p, reduction="none").sum(-1)``.

    Args:
        p: probabilities :math:`p`, shape (..., C), non-negative, each vector summing to 1.
        q: probabilities :math:`q`, the same shape.

    Returns:
        shape (...): the batch shape.

    Raises:
        ValueError: on different shapes, 0-d tensors, negative entries, or sums further
            than :math:`10^{-6}` from 1 (further than :math:`C\epsilon` in low precision).

    See: https://dlnotes.example.org/linear-models/
    """
    _same_shape("kl_divergence", p, q, ("p", "q"))
    if p.ndim == 0:
        raise ValueError("kl_divergence expects probability vectors of shape (..., C), got 0-d tensors")
    _probability_vectors("kl_divergence", "p", p)
    _probability_vectors("kl_divergence", "q", q)
    support = p > 0  # (..., C): terms outside p's support are 0 (and get a zero gradient, not nan)
    one = torch.ones_like(p)
    log_ratio = torch.log(torch.where(support, p, one)) - torch.log(torch.where(support, q, one))  # +inf where q = 0 < p
    return (p * log_ratio).sum(dim=-1)  # (...)


def hinge_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""Hinge loss of the support vector machine: :math:`\ell = \max(0,\, 1 - y f)`.

    Not a likelihood: a convex upper bound on the 0--1 error :math:`[y f \le 0]` that is zero
    only beyond the margin, :math:`y f \ge 1`. (PyTorch has no function of this name;
    ``F.hinge_embedding_loss`` is a different loss.)

    Args:
        input: scores :math:`f \in \mathbb R`, any shape.
        target: labels :math:`y \in \{-1, +1\}`, the same shape.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: on different shapes or a label other than -1 and +1.

    See: https://dlnotes.example.org/linear-models/
    """
    _same_shape("hinge_loss", input, target)
    _require("hinge_loss", "target in {-1, +1}", (target == 1) | (target == -1), target)
    return _reduce(torch.clamp_min(1 - target * input, 0), reduction)


def check_loss(input: Tensor, target: Tensor, tau: float, *, reduction: str = "mean") -> Tensor:
    r"""Check (pinball) loss of quantile regression: :math:`\rho_\tau(u) = \max(\tau u, (\tau - 1) u)`, :math:`u = y - \hat q`.

    The NLL of an asymmetric Laplace model with location :math:`\hat q`, up to constants.
    The constant :math:`\hat q` minimising the mean check loss over a sample is the
    sample's :math:`\tau`-quantile; :math:`\tau = 1/2` gives half the :func:`l1_loss`
    (the median).

    Args:
        input: predicted quantiles :math:`\hat q`, any shape.
        target: targets :math:`y`, the same shape.
        tau: quantile level :math:`\tau \in (0, 1)`.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.

    Raises:
        ValueError: on different shapes, or ``tau`` not a number in the open interval (0, 1).

    See: https://dlnotes.example.org/linear-models/
    """
    if isinstance(tau, bool) or not isinstance(tau, numbers.Real) or not 0 < tau < 1:
        raise ValueError(f"check_loss expects tau in the open interval (0, 1), got {tau!r}")
    _same_shape("check_loss", input, target)
    u = target - input
    return _reduce(torch.maximum(tau * u, (tau - 1) * u), reduction)
