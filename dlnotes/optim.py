r"""Optimizers of lec8, written out: SGD, Adagrad, RMSprop, Adadelta and Adam.

Each class is a `torch.optim.Optimizer` whose `step()` is the lecture's formula, one line
per equation, with PyTorch's names and defaults: `dlnotes.optim.Adam(model.parameters())`
and `torch.optim.Adam(model.parameters(), foreach=False)` take the same steps (to rounding
in float64). Parameter groups, `zero_grad`, `step(closure)`, `state_dict` and LR schedulers
work as in PyTorch. Write $g$ for the gradient of one parameter $\theta$ at step $k$,
$\eta$ for `lr`; every operation is elementwise, so each parameter gets its own step size.

| optimizer | accumulates | update $\theta^{(k+1)} = \theta^{(k)} - \dots$ |
| --- | --- | --- |
| `SGD` | momentum $b$ (optional) | $\eta\, b^{(k)}$ |
| `Adagrad` | sum of squares $G$ | $\eta\, g / (\sqrt{G^{(k)}} + \epsilon)$ |
| `RMSprop` | moving average $G$ of $g^2$ | $\eta\, g / (\sqrt{G^{(k)}} + \epsilon)$ |
| `Adadelta` | averages $G$ of $g^2$, $D$ of $\Delta\theta^2$ | $\eta\, g \sqrt{D^{(k-1)} + \epsilon} / \sqrt{G^{(k)} + \epsilon}$ |
| `Adam` | averages $m$ of $g$, $v$ of $g^2$ | $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$ |

**Where $\epsilon$ goes.** The lecture writes $\sqrt{G + \epsilon}$; PyTorch computes
$\sqrt{G} + \epsilon$. Both keep the step finite while $G \approx 0$, but they are different
functions: with the default $\epsilon = 10^{-8}$, $\sqrt{G + \epsilon}$ bounds the
denominator below by $10^{-4}$, $\sqrt G + \epsilon$ only by $10^{-8}$. The default here is
PyTorch's; `eps_inside_sqrt=True` gives the lecture's formula (Adagrad, RMSprop, Adam).
Adadelta has $\epsilon$ inside both roots in the lecture and in PyTorch alike.

Unsupported PyTorch options (`weight_decay`, `nesterov`, `amsgrad`, `maximize`, `foreach`,
...) are refused, never ignored: a keyword raises `TypeError`, a parameter-group key
`ValueError`. Sparse and complex parameters are refused too.

See: [optimizers](../optimizers/)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor

from ._checks import expect, is_real

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam"]

Params = Iterable[Tensor] | Iterable[dict[str, Any]]

# hyperparameter: (low, high, high included); every range includes its low end
_RANGES = {"lr": (0.0, math.inf, True), "eps": (0.0, math.inf, True), "momentum": (0.0, math.inf, True),
           "alpha": (0.0, 1.0, True), "rho": (0.0, 1.0, True), "betas": (0.0, 1.0, False)}
# options of torch.optim's five counterparts: in a parameter group, one of ours lacks is an error
_TORCH_OPTIONS = frozenset({
    "lr", "momentum", "dampening", "nesterov", "weight_decay", "decoupled_weight_decay", "lr_decay",
    "initial_accumulator_value", "alpha", "centered", "rho", "betas", "eps", "amsgrad", "maximize",
    "foreach", "capturable", "differentiable", "fused", "eps_inside_sqrt"})


def _check_range(owner: str, name: str, value: Any) -> None:
    low, high, closed = _RANGES[name.split("[")[0]]
    ok = is_real(value) and low <= value and (value <= high if closed else value < high)  # NaN fails too
    bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}{']' if closed else ')'}"
    expect(ok, owner, f"{name} {bounds}", repr(value))


def _check(owner: str, group: dict[str, Any]) -> None:
    """Raise `ValueError` on a hyperparameter out of range or one of PyTorch's we do not support."""
    for name, value in group.items():
        if name == "betas":
            pair = isinstance(value, (tuple, list)) and len(value) == 2
            expect(pair, owner, "betas a pair (beta1, beta2)", repr(value))
            for i, beta in enumerate(value):
                _check_range(owner, f"betas[{i}]", beta)
        elif name in _RANGES:
            _check_range(owner, name, value)
        elif name == "eps_inside_sqrt":
            expect(isinstance(value, bool), owner, "eps_inside_sqrt True or False", repr(value))


def _ema_sq_(avg: Tensor, g: Tensor, decay: float) -> Tensor:
    r"""In place: $G \leftarrow \gamma G + (1 - \gamma) g^2$, with $\gamma$ = `decay`."""
    return avg.mul_(decay).addcmul_(g, g, value=1 - decay)


def _root(sq: Tensor, eps: float, eps_inside_sqrt: bool, bias_correction: float = 1.0) -> Tensor:
    r"""A new tensor: $\sqrt{G/c + \epsilon}$ (lecture) or $\sqrt{G}/\sqrt{c} + \epsilon$ (PyTorch), $c$ = `bias_correction`."""
    if eps_inside_sqrt:
        scaled = sq / bias_correction if bias_correction != 1.0 else sq
        return scaled.add(eps).sqrt_()
    root = sq.sqrt()
    if bias_correction != 1.0:
        root.div_(bias_correction ** 0.5)  # PyTorch's order: divide the root, then add eps
    return root.add_(eps)


class _Optimizer(torch.optim.Optimizer):
    """The shared loop of `step()`: checks, lazy state, step count; subclasses give `_update`."""

    _buffers: tuple[str, ...] = ()  # state tensors, zero at the first step

    def __init__(self, params: Params, **defaults: Any) -> None:
        _check(self._owner(), defaults)
        super().__init__(params, defaults)

    @classmethod
    def _owner(cls) -> str:
        return f"dlnotes.optim.{cls.__name__}"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """As `torch.optim.Optimizer.add_param_group`, but every hyperparameter is checked."""
        for name in param_group:
            if name in _TORCH_OPTIONS and name not in self.defaults:
                raise ValueError(f"{self._owner()} does not support {name}")
        _check(self._owner(), {**self.defaults, **param_group})
        super().add_param_group(param_group)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Take one step for every parameter that has a gradient; return `closure()`'s loss, if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse or p.is_complex():
                    raise ValueError(f"{self._owner()} does not support sparse gradients or complex parameters")
                state = self.state[p]
                if not state:
                    state["step"] = 0  # a Python int: state_dict() saves it as it is
                    state.update({name: torch.zeros_like(p, memory_format=torch.preserve_format)
                                  for name in self._buffers})
                state["step"] += 1
                self._update(p, p.grad, state, group)
        return loss

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError


class SGD(_Optimizer):
    r"""Stochastic gradient descent, with PyTorch's heavy-ball momentum.

    $$b^{(k)} = \mu\, b^{(k-1)} + g^{(k)} \quad (b^{(1)} = g^{(1)}), \qquad
      \theta^{(k+1)} = \theta^{(k)} - \eta\, b^{(k)}$$

    With $\mu = 0$ this is plain SGD, $\theta^{(k+1)} = \theta^{(k)} - \eta g^{(k)}$. PyTorch
    scales the buffer by $\eta$ *after* averaging, so a changed `lr` takes effect at once;
    the textbook $v \leftarrow \mu v - \eta g$ is the same for a constant `lr`.

    Args:
        params: parameters $\theta$ (tensors or parameter-group dicts).
        lr: learning rate $\eta \ge 0$.
        momentum: momentum $\mu \ge 0$ (no `dampening`, no `nesterov`).

    See: [optimizers](../optimizers/)
    """

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0) -> None:
        super().__init__(params, lr=lr, momentum=momentum)

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        if group["momentum"] != 0:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.clone()  # b^(1) = g^(1)
            else:
                b.mul_(group["momentum"]).add_(g)
            g = b
        p.add_(g, alpha=-group["lr"])


class Adagrad(_Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011): a step size for each parameter from its past gradients.

    $$G^{(k)} = G^{(k-1)} + \bigl(g^{(k)}\bigr)^2 = \sum_{j \le k} \bigl(g^{(j)}\bigr)^2, \qquad
      \theta^{(k+1)} = \theta^{(k)} - \frac{\eta}{\sqrt{G^{(k)}} + \epsilon}\, g^{(k)}$$

    The lecture's form, $\eta / \sqrt{G^{(k)} + \epsilon}$, with `eps_inside_sqrt=True`.
    $G$ only grows, so the step size only shrinks: often too fast (the reason for RMSprop).
    Unlike PyTorch, `eps` is keyword-only: PyTorch's second argument is `lr_decay`.

    Args:
        params: parameters $\theta$ (tensors or parameter-group dicts).
        lr: learning rate $\eta \ge 0$.
        eps: $\epsilon \ge 0$ (PyTorch's default $10^{-10}$).
        eps_inside_sqrt: `False` (PyTorch's $\sqrt G + \epsilon$) or `True` (the lecture's $\sqrt{G + \epsilon}$).

    References: J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12 (2011).

    See: [optimizers](../optimizers/)
    """

    _buffers = ("sum",)

    def __init__(self, params: Params, lr: float = 1e-2, *, eps: float = 1e-10, eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, lr=lr, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        G = state["sum"].addcmul_(g, g)
        p.addcdiv_(g, _root(G, group["eps"], group["eps_inside_sqrt"]), value=-group["lr"])


class RMSprop(_Optimizer):
    r"""RMSprop (Hinton, 2012): Adagrad with a moving average of $g^2$ in place of the sum.

    $$G^{(k)} = \alpha\, G^{(k-1)} + (1 - \alpha) \bigl(g^{(k)}\bigr)^2, \qquad
      \theta^{(k+1)} = \theta^{(k)} - \frac{\eta}{\sqrt{G^{(k)}} + \epsilon}\, g^{(k)}$$

    The lecture calls the decay $\gamma$ and writes $\sqrt{G^{(k)} + \epsilon}$
    (`eps_inside_sqrt=True`). Old gradients are forgotten at the rate $1 - \alpha$, so the
    step size no longer decays to zero.

    Args:
        params: parameters $\theta$ (tensors or parameter-group dicts).
        lr: learning rate $\eta \ge 0$.
        alpha: decay $\alpha \in [0, 1]$ of the average (the lecture's $\gamma$).
        eps: $\epsilon \ge 0$.
        eps_inside_sqrt: `False` (PyTorch's $\sqrt G + \epsilon$) or `True` (the lecture's $\sqrt{G + \epsilon}$).

    References: G. Hinton, N. Srivastava, K. Swersky, "Neural networks for machine learning",
    lecture 6e (Coursera, 2012).

    See: [optimizers](../optimizers/)
    """

    _buffers = ("square_avg",)

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, *,
                 eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        G = _ema_sq_(state["square_avg"], g, group["alpha"])
        p.addcdiv_(g, _root(G, group["eps"], group["eps_inside_sqrt"]), value=-group["lr"])


class Adadelta(_Optimizer):
    r"""Adadelta (Zeiler, 2012): the numerator is an average of past steps, so the units match.

    $$\begin{aligned}
      G^{(k)} &= \rho\, G^{(k-1)} + (1 - \rho) \bigl(g^{(k)}\bigr)^2 \\
      \Delta\theta^{(k)} &= -\frac{\sqrt{D^{(k-1)} + \epsilon}}{\sqrt{G^{(k)} + \epsilon}}\, g^{(k)} \\
      D^{(k)} &= \rho\, D^{(k-1)} + (1 - \rho) \bigl(\Delta\theta^{(k)}\bigr)^2 \\
      \theta^{(k+1)} &= \theta^{(k)} + \eta\, \Delta\theta^{(k)}
    \end{aligned}$$

    Erratum: the lecture's numerator has $D^{(k)}$, which needs $\Delta\theta^{(k)}$ before it
    is computed; it is the previous average $D^{(k-1)}$. The lecture has no learning rate;
    PyTorch adds `lr` $= \eta$, default 1.0, which is the lecture's method. $\epsilon$ is
    inside both roots (lecture and PyTorch alike), so there is no `eps_inside_sqrt`: at the
    first step $D = 0$ and $\sqrt{\epsilon}$ alone sets the step size.

    Args:
        params: parameters $\theta$ (tensors or parameter-group dicts).
        lr: $\eta \ge 0$, a factor on the step (1.0: the lecture's method).
        rho: decay $\rho \in [0, 1]$ of both averages (the lecture's $\gamma$).
        eps: $\epsilon \ge 0$.

    References: M. D. Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701 (2012).

    See: [optimizers](../optimizers/)
    """

    _buffers = ("square_avg", "acc_delta")

    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6) -> None:
        super().__init__(params, lr=lr, rho=rho, eps=eps)

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        G = _ema_sq_(state["square_avg"], g, rho)
        step = _root(state["acc_delta"], eps, True).div_(_root(G, eps, True)).mul_(g)  # -Δθ, from D^(k-1)
        _ema_sq_(state["acc_delta"], step, rho)  # D^(k), after the step
        p.add_(step, alpha=-group["lr"])


class Adam(_Optimizer):
    r"""Adam (Kingma & Ba, 2015): moving averages of $g$ and of $g^2$, corrected for their zero start.

    $$\begin{aligned}
      m^{(k)} &= \beta_1 m^{(k-1)} + (1 - \beta_1)\, g^{(k)}, &
      v^{(k)} &= \beta_2 v^{(k-1)} + (1 - \beta_2) \bigl(g^{(k)}\bigr)^2, \\
      \hat m^{(k)} &= m^{(k)} / (1 - \beta_1^k), &
      \hat v^{(k)} &= v^{(k)} / (1 - \beta_2^k), \\
      \theta^{(k+1)} &= \theta^{(k)} - \eta\, \frac{\hat m^{(k)}}{\sqrt{\hat v^{(k)}} + \epsilon}
    \end{aligned}$$

    The lecture writes $\sqrt{\hat v^{(k)} + \epsilon}$ (`eps_inside_sqrt=True`). As PyTorch,
    the code folds the corrections into $\eta / (1 - \beta_1^k)$ and
    $\sqrt{v} / \sqrt{1 - \beta_2^k}$ and averages $m$ with `lerp_`, so the rounding matches too.

    Args:
        params: parameters $\theta$ (tensors or parameter-group dicts).
        lr: learning rate $\eta \ge 0$.
        betas: decays $(\beta_1, \beta_2)$, each in $[0, 1)$.
        eps: $\epsilon \ge 0$.
        eps_inside_sqrt: `False` (PyTorch's $\sqrt{\hat v} + \epsilon$) or `True` (the lecture's $\sqrt{\hat v + \epsilon}$).

    References: D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    See: [optimizers](../optimizers/)
    """

    _buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, *, eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        (beta1, beta2), k = group["betas"], state["step"]
        m = state["exp_avg"].lerp_(g, 1 - beta1)  # m + (1 - β1)(g - m)
        v = _ema_sq_(state["exp_avg_sq"], g, beta2)
        step_size = group["lr"] / (1 - beta1 ** k)  # η / (1 - β1^k): m_hat's correction
        p.addcdiv_(m, _root(v, group["eps"], group["eps_inside_sqrt"], 1 - beta2 ** k), value=-step_size)
