r"""Weight initialization of the lecture, written out: Xavier (Glorot) and Kaiming (He).

Both choose the scale of random weights so that the variance of the signal stays the same
from layer to layer. A unit of a layer computes $z = \sum_{i=1}^{n_{in}} w_i x_i$ with
independent zero-mean weights and inputs, so $\mathrm{Var}[z] = n_{in} \mathrm{Var}[w] \mathrm{Var}[x]$:
the forward pass keeps the variance when $\mathrm{Var}[w] = 1/n_{in}$, the backward pass
when $\mathrm{Var}[w] = 1/n_{out}$. Xavier takes the compromise
$\mathrm{Var}[w] = 2/(n_{in} + n_{out})$; Kaiming keeps the forward pass and corrects for
the nonlinearity with a gain, $\mathrm{Var}[w] = \text{gain}^2 / n$ (a ReLU zeroes half of
its inputs, hence $\text{gain}^2 = 2$).

| function | distribution | scale |
| --- | --- | --- |
| `xavier_uniform_` | $U(-a, a)$ | $a = \text{gain} \sqrt{6 / (n_{in} + n_{out})}$ |
| `xavier_normal_` | $N(0, \sigma^2)$ | $\sigma = \text{gain} \sqrt{2 / (n_{in} + n_{out})}$ |
| `kaiming_uniform_` | $U(-b, b)$ | $b = \text{gain} \sqrt{3 / n}$ |
| `kaiming_normal_` | $N(0, \sigma^2)$ | $\sigma = \text{gain} / \sqrt{n}$ |

Here $n$ is $n_{in}$ (`mode="fan_in"`) or $n_{out}$ (`mode="fan_out"`), from
`fan_in_and_fan_out`; $U(-a, a)$ has variance $a^2/3$, hence the $\sqrt 3$. Names,
arguments, gains and defaults are PyTorch's (`torch.nn.init`), and given the same
`torch.Generator` state each function fills the tensor with exactly the same numbers.

**Errata.** The slides' "Kaiming" standard deviation $2/\sqrt{n_{in}}$ should be
$\sqrt{2/n_{in}}$ (variance $2/n_{in}$, not $4/n_{in}$). The slides' "Xavier"
$1/\sqrt{n_{in}}$ is LeCun's initialization (`kaiming_normal_(w, nonlinearity="linear")`);
Glorot and Bengio's is $\sqrt{2/(n_{in} + n_{out})}$.

See: the initialization page (docs/initialization.zh.md)
"""

from __future__ import annotations

import math
import warnings

import torch
from torch import Tensor

from ._checks import check_tensor, expect, is_real

__all__ = ["calculate_gain", "fan_in_and_fan_out", "xavier_uniform_", "xavier_normal_",
           "kaiming_uniform_", "kaiming_normal_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "sigmoid")
_GAINS = {**dict.fromkeys(_LINEAR, 1.0), "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}
_MODES = ("fan_in", "fan_out")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The gain of a nonlinearity: the factor on the weights' standard deviation that keeps the variance.

    | nonlinearity | gain |
    | --- | --- |
    | `linear`, `conv1d` ... `conv_transpose3d`, `sigmoid` | $1$ |
    | `tanh` | $5/3$ |
    | `relu` | $\sqrt 2$ |
    | `leaky_relu` | $\sqrt{2 / (1 + \alpha^2)}$, $\alpha$ = `param` (default 0.01) |
    | `selu` | $3/4$ |

    A ReLU keeps $E[\mathrm{relu}(z)^2] = \mathrm{Var}[z]/2$ of a symmetric $z$, so the weights
    need twice the variance; a leaky ReLU of slope $\alpha$ keeps $(1 + \alpha^2)/2$. As
    `torch.nn.init.calculate_gain`.

    Args:
        nonlinearity: the name of the nonlinearity, as in `torch.nn.functional`.
        param: the negative slope $\alpha$ of `leaky_relu` (a number); ignored otherwise.

    Raises:
        ValueError: on an unknown nonlinearity, or a `param` of `leaky_relu` that is not a finite number.

    See: the initialization page (docs/initialization.zh.md)
    """
    who = "calculate_gain"
    if nonlinearity == "leaky_relu":
        ok = param is None or (is_real(param) and math.isfinite(param))
        expect(ok, who, "param (the negative slope of leaky_relu) None or a finite number", repr(param))
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    expect(nonlinearity in _GAINS, who, f"nonlinearity in {(*_GAINS, 'leaky_relu')}", repr(nonlinearity))
    return _GAINS[nonlinearity]


def _fans(who: str, tensor: Tensor) -> tuple[int, int]:
    check_tensor(who, "tensor", tensor)
    expect(tensor.ndim >= 2, who, "a tensor of at least 2 dimensions (out_features, in_features, ...)",
           f"shape {tuple(tensor.shape)}")
    receptive_field = math.prod(tensor.shape[2:])  # kH kW for a conv weight (C_out, C_in, kH, kW); 1 for 2-D
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    r"""`(fan_in, fan_out)` $= (n_{in}, n_{out})$: how many inputs feed each output, how many outputs each input feeds.

    A linear layer's weight has shape $(n_{out}, n_{in})$ (it computes $x W^T$); a convolution's
    $(C_{out}, C_{in}, k_1, \dots)$ has $n_{in} = C_{in} r$, $n_{out} = C_{out} r$ with the receptive
    field $r = k_1 k_2 \cdots$. As PyTorch's private `torch.nn.init._calculate_fan_in_and_fan_out`.

    Raises:
        TypeError: if `tensor` is not a tensor.
        ValueError: if it has fewer than 2 dimensions.

    See: the initialization page (docs/initialization.zh.md)
    """
    return _fans("fan_in_and_fan_out", tensor)


def _xavier_std(who: str, tensor: Tensor, gain: float) -> float:
    expect(is_real(gain) and 0 <= gain < math.inf, who, "gain a finite number >= 0", repr(gain))
    fan_in, fan_out = _fans(who, tensor)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))  # Var[W] = gain² 2 / (n_in + n_out)


def _kaiming_std(who: str, tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    ok = isinstance(mode, str) and mode.lower() in _MODES  # PyTorch lower-cases the mode
    expect(ok, who, f"mode in {_MODES}", repr(mode))
    fan_in, fan_out = _fans(who, tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode.lower() == "fan_in" else fan_out)


def _fill_(tensor: Tensor, scale: float, uniform: bool, generator: torch.Generator | None) -> Tensor:
    """In place, outside autograd: U(-scale, scale) or N(0, scale²), drawn as PyTorch draws them."""
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return tensor
    with torch.no_grad():
        if uniform:
            return tensor.uniform_(-scale, scale, generator=generator)
        return tensor.normal_(0, scale, generator=generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    r"""Xavier (Glorot) initialization, in place: $W \sim U(-a, a)$, $a = \text{gain} \sqrt{6/(n_{in} + n_{out})}$.

    The forward pass keeps the variance when $n_{in} \mathrm{Var}[W] = 1$, the backward pass
    when $n_{out} \mathrm{Var}[W] = 1$; Glorot and Bengio take the compromise
    $\mathrm{Var}[W] = 2/(n_{in} + n_{out})$ (times $\text{gain}^2$). $U(-a, a)$ has variance $a^2/3$,
    hence the 6. As `torch.nn.init.xavier_uniform_`: the same numbers from the same generator state.

    Args:
        tensor: the weight, at least 2-D (see `fan_in_and_fan_out`); filled in place and returned.
        gain: a factor $\ge 0$ on the scale, e.g. `calculate_gain("tanh")`.
        generator: the `torch.Generator` to draw from (default: PyTorch's global one).

    Raises:
        ValueError: on a tensor of fewer than 2 dimensions, or a gain that is not a finite number $\ge 0$.

    References: X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward
    neural networks", AISTATS 2010.

    See: the initialization page (docs/initialization.zh.md)
    """
    return _fill_(tensor, math.sqrt(3.0) * _xavier_std("xavier_uniform_", tensor, gain), True, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    r"""Xavier initialization, in place: $W \sim N(0, \sigma^2)$, $\sigma = \text{gain} \sqrt{2/(n_{in} + n_{out})}$.

    $\mathrm{Var}[W] = \text{gain}^2 \cdot 2/(n_{in} + n_{out})$, as `xavier_uniform_` (same arguments
    and errors). As `torch.nn.init.xavier_normal_`: the same numbers from the same generator state.

    See: the initialization page (docs/initialization.zh.md)
    """
    return _fill_(tensor, _xavier_std("xavier_normal_", tensor, gain), False, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: torch.Generator | None = None) -> Tensor:
    r"""Kaiming (He) initialization, in place: $W \sim U(-b, b)$, $b = \text{gain} \sqrt{3/n}$.

    $\mathrm{Var}[W] = b^2/3 = \text{gain}^2 / n$ keeps the second moment of the signal through
    the layer and its nonlinearity: $n = n_{in}$ in the forward pass, $n = n_{out}$ in the
    backward pass. The defaults (`leaky_relu`, `a=0`) give the ReLU's gain $\sqrt 2$;
    `nn.Linear` and `nn.Conv2d` use `a` $= \sqrt 5$, i.e. $b = 1/\sqrt{n_{in}}$. As
    `torch.nn.init.kaiming_uniform_`: the same numbers from the same generator state.

    Args:
        tensor: the weight, at least 2-D (see `fan_in_and_fan_out`); filled in place and returned.
        a: the negative slope of the leaky ReLU after the layer (used by `leaky_relu` only).
        mode: `"fan_in"` ($n = n_{in}$, default) or `"fan_out"` ($n = n_{out}$).
        nonlinearity: its name, for `calculate_gain` (meant for `"relu"` and `"leaky_relu"`).
        generator: the `torch.Generator` to draw from (default: PyTorch's global one).

    Raises:
        ValueError: on a tensor of fewer than 2 dimensions, an unknown mode or nonlinearity, or a bad `a`.

    References: K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers: surpassing
    human-level performance on ImageNet classification", ICCV 2015.

    See: the initialization page (docs/initialization.zh.md)
    """
    std = _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    return _fill_(tensor, math.sqrt(3.0) * std, True, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: torch.Generator | None = None) -> Tensor:
    r"""Kaiming (He) initialization, in place: $W \sim N(0, \sigma^2)$, $\sigma = \text{gain}/\sqrt{n}$.

    $\mathrm{Var}[W] = \text{gain}^2 / n$, as `kaiming_uniform_` (same arguments and errors). For
    a ReLU network with `mode="fan_in"`, $\sigma = \sqrt{2/n_{in}}$ (not the slides' $2/\sqrt{n_{in}}$).
    As `torch.nn.init.kaiming_normal_`: the same numbers from the same generator state.

    See: the initialization page (docs/initialization.zh.md)
    """
    return _fill_(tensor, _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity), False, generator)
