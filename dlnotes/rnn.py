r"""Recurrent networks of lec10–12, written out from their formulas: RNN, LSTM and GRU, cells and sequences.

With input $x_t$, state $h_{t-1}$ and the logistic sigmoid $\sigma$, one step of each cell is

- `RNNCell`: $h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$ (or ReLU);
- `LSTMCell`: gates $i, f, o = \sigma(\cdot)$ and $g = \tanh(\cdot)$ of $W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}$
  (rows in that order: i, f, g, o), $c_t = f \odot c_{t-1} + i \odot g$, $h_t = o \odot \tanh(c_t)$;
- `GRUCell`: gates $r, z = \sigma(\cdot)$ of the same sum (rows r, z, n),
  $n = \tanh(W_{in} x_t + b_{in} + r \odot (W_{hn} h_{t-1} + b_{hn}))$, $h_t = (1 - z) \odot n + z \odot h_{t-1}$.

**The GRU's reset gate** is applied *after* the matrix product, as in PyTorch (and cuDNN):
$r \odot (W_{hn} h + b_{hn})$, not the slides' $W_{hn} (r \odot h)$. The two are different
functions (the tests pin it), so a state dict moved between them would not give the same numbers.

`RNN`, `LSTM` and `GRU` run a cell over a sequence, layer after layer (and backwards too when
`bidirectional`): each layer projects all time steps at once, $X W_{ih}^\top + b_{ih}$ in one matrix
product, and only $h_{t-1} W_{hh}^\top$ loops over time. `clip_grad_norm_` bounds the total norm of
the gradients. Names, arguments, shapes, parameters and initialisation are PyTorch's (torch 2.13),
so state dicts load both ways; autograd differentiates everything (backpropagation through time),
and no PyTorch recurrent op is used. Refused, not ignored: `dropout`, `proj_size`, `PackedSequence`.

See: the LSTM and GRU page (docs/lstm-gru.zh.md)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from ._checks import check_ndim, check_shape, check_tensor, expect, is_int, is_real

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "clip_grad_norm_"]

State = tuple[Tensor, ...]  # (h,) or (h, c), each (B, H)


def _rnn_step(xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None, relu: bool = False) -> State:
    r"""$h' = \tanh(a)$ or $\max(a, 0)$ with $a$ = `xw` $+ h W_{hh}^\top + b_{hh}$ (`xw` $= x W_{ih}^\top + b_{ih}$)."""
    (h,) = state  # (B, H)
    a = torch.addmm(xw if b_hh is None else xw + b_hh, h, w_hh_t)  # (B, H): W_ih x + b_ih + W_hh h + b_hh
    return (torch.relu(a) if relu else torch.tanh(a),)


def _lstm_step(xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
    r"""$(h', c')$ from $(h, c)$: the gates i, f, g, o, then $c' = f \odot c + i \odot g$, $h' = o \odot \tanh(c')$."""
    h, c = state  # (B, H) each
    a = torch.addmm(xw if b_hh is None else xw + b_hh, h, w_hh_t)  # (B, 4H): the four gates before σ, tanh
    i, f, g, o = a.chunk(4, dim=1)  # (B, H) each; chunk's backward is one cat, four slices' would be four copies
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = torch.addcmul(f * c, i, g)  # c' = f ⊙ c + i ⊙ g
    h = o * torch.tanh(c)  # h' = o ⊙ tanh(c')
    return h, c


def _gru_step(xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
    r"""$h' = (1 - z) \odot n + z \odot h$ with the gates r, z and $n$; `b_hh` is not folded into `xw` here."""
    (h,) = state  # (B, H)
    hw = h @ w_hh_t if b_hh is None else torch.addmm(b_hh, h, w_hh_t)  # (B, 3H): W_h· h + b_h·
    (xw_r, xw_z, xw_n), (hw_r, hw_z, hw_n) = xw.chunk(3, dim=1), hw.chunk(3, dim=1)  # (B, H) each
    r, z = torch.sigmoid(xw_r + hw_r), torch.sigmoid(xw_z + hw_z)
    n = torch.tanh(torch.addcmul(xw_n, r, hw_n))  # r ⊙ (W_hn h + b_hn): the reset gate AFTER the product, as PyTorch
    return (n + z * (h - n),)  # h' = (1 - z) ⊙ n + z ⊙ h


def _project(x: Tensor, w_ih: Tensor, b_ih: Tensor | None, b_hh: Tensor | None, fold: bool) -> tuple[Tensor, Any]:
    r"""$x W_{ih}^\top + b_{ih}$ for all leading indices in one matmul, and the $b_{hh}$ left for the step.

    With `fold` (RNN, LSTM), $b_{hh}$ is added here too; the GRU keeps it, as $b_{hn}$ is multiplied by $r$.
    """
    b = b_ih + b_hh if fold and b_ih is not None else b_ih
    flat = x.reshape(-1, x.shape[-1])  # (T·B, I)
    xw = flat @ w_ih.t() if b is None else torch.addmm(b, flat, w_ih.t())  # (T·B, G·H)
    return xw.view(*x.shape[:-1], -1), None if fold else b_hh


def _check_size(who: str, name: str, value: Any) -> None:
    expect(is_int(value) and value >= 1, who, f"{name} an integer >= 1", repr(value))


def _check_flags(who: str, **flags: Any) -> None:
    for name, flag in flags.items():
        expect(isinstance(flag, bool), who, f"{name} True or False", repr(flag))


def _check_nonlinearity(who: str, nonlinearity: Any) -> None:
    expect(nonlinearity in ("tanh", "relu"), who, "nonlinearity 'tanh' or 'relu'", repr(nonlinearity))


def _check_input(who: str, input: Any, ndims: tuple[int, ...], shapes: str, size: int, weight: Tensor) -> None:
    """An input tensor of `ndims` dimensions, none of them empty, ending in `size`, of the weights' dtype."""
    expect(not isinstance(input, PackedSequence), who, "input to be a padded tensor (PackedSequence is not "
           "supported)", "a PackedSequence", TypeError)
    check_tensor(who, "input", input)
    check_ndim(who, input, ndims, f"input of shape {shapes}", nonempty=True)
    expect(input.shape[-1] == size, who, f"input with {size} features (last dim)", f"shape {tuple(input.shape)}")
    expect(input.dtype == weight.dtype, who, f"input of the parameters' dtype {weight.dtype}", input.dtype)


class _Recurrent(nn.Module):
    """What cells and sequences share: the kind (G gates, 1 or 2 states, its step), initialisation, `hx` checks."""

    _gates, _states, _fold = 1, 1, True  # RNN: G = 1, state h, b_hh folded into the input projection
    hidden_size: int

    def _step(self, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
        return _rnn_step(xw, state, w_hh_t, b_hh, relu=self.nonlinearity == "relu")

    def reset_parameters(self) -> None:
        r"""Every parameter from $U(-1/\sqrt H, 1/\sqrt H)$, in registration order, as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound)

    def _given_states(self, who: str, hx: Any, shape: tuple[int, ...], input: Tensor) -> State:
        """`hx` as a tuple of its 1 or 2 states, each checked to be of `shape`."""
        if self._states == 1:
            hxs, names = (hx,), ["hx"]
        else:
            hxs, names = tuple(hx) if isinstance(hx, (tuple, list)) else (), ["hx[0] (h)", "hx[1] (c)"]
            expect(len(hxs) == 2, who, "hx a pair (h, c)", type(hx).__name__, TypeError)
        for name, v in zip(names, hxs):
            check_shape(who, name, v, shape, like=f" for input of shape {tuple(input.shape)}")
        return hxs


class _LSTMKind(_Recurrent):
    _gates, _states = 4, 2
    _step = staticmethod(_lstm_step)


class _GRUKind(_Recurrent):
    _gates, _fold = 3, False  # b_hn is multiplied by r: kept out of the input projection
    _step = staticmethod(_gru_step)


class _Cell(_Recurrent):
    """`RNNCell`, `LSTMCell` and `GRUCell`: PyTorch's constructor, parameters and forward logic."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        who = type(self).__name__
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
            _check_size(who, name, size)
        _check_flags(who, bias=bias)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bias
        GH, factory = self._gates * self.hidden_size, {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(GH, self.input_size, **factory))  # (G·H, I)
        self.weight_hh = nn.Parameter(torch.empty(GH, self.hidden_size, **factory))  # (G·H, H)
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name, nn.Parameter(torch.empty(GH, **factory)) if bias else None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        return s + (f", nonlinearity={nonlinearity}" if nonlinearity != "tanh" else "")

    def forward(self, input: Tensor, hx: Tensor | tuple[Tensor, Tensor] | None = None) -> Any:
        """One step: $h'$ (B, H) from `input` $x$ (B, I) and `hx` $h$ (B, H), zeros by default.

        Unbatched: $x$ (I,), $h$ and $h'$ (H,). `LSTMCell` takes and returns pairs $(h, c)$.
        """
        who, H = type(self).__name__, self.hidden_size
        _check_input(who, input, (1, 2), "(B, I) or (I,)", self.input_size, self.weight_ih)
        x = input if input.ndim == 2 else input.unsqueeze(0)  # (B, I)
        given = () if hx is None else self._given_states(who, hx, (x.shape[0], H) if input.ndim == 2 else (H,), input)
        state = tuple(v.reshape(-1, H) for v in given) or (x.new_zeros(x.shape[0], H),) * self._states  # (B, H) each
        xw, b_hh = _project(x, self.weight_ih, self.bias_ih, self.bias_hh, self._fold)  # (B, G·H)
        state = self._step(xw, state, self.weight_hh.t(), b_hh)  # (h',) or (h', c'), each (B, H)
        if input.ndim == 1:
            state = tuple(v.squeeze(0) for v in state)
        return state if self._states == 2 else state[0]


class RNNCell(_Cell):
    r"""An Elman cell, as `torch.nn.RNNCell`: $h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})$.

    Args:
        input_size: $I$, the features of $x$.
        hidden_size: $H$, the features of $h$.
        bias: learn $b_{ih}$ and $b_{hh}$ (`bias_ih`, `bias_hh`, shape (H,)).
        nonlinearity: `"tanh"` or `"relu"`.
        device: where the parameters are made.
        dtype: their floating-point dtype.

    Parameters `weight_ih` (H, I) and `weight_hh` (H, H), then the biases, all from
    $U(-1/\sqrt H, 1/\sqrt H)$. `forward(input, hx=None)` maps $x$ (B, I) and $h$ (B, H), zeros by
    default, to $h'$ (B, H); unbatched, $x$ (I,) and $h$, $h'$ (H,).

    Raises:
        ValueError: on a bad size, `bias` or `nonlinearity`; in `forward`, on an input that is
            not (B, I) or (I,), or an `hx` not (B, H) or (H,) to match.

    See: the sequences page (docs/sequences.zh.md)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: torch.dtype | None = None) -> None:
        _check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(_LSTMKind, _Cell):
    r"""A long short-term memory cell, as `torch.nn.LSTMCell`.

    $$\begin{pmatrix} i \\ f \\ g \\ o \end{pmatrix} =
      \begin{pmatrix} \sigma \\ \sigma \\ \tanh \\ \sigma \end{pmatrix}
      \bigl(W_{ih} x + b_{ih} + W_{hh} h + b_{hh}\bigr), \qquad
      c' = f \odot c + i \odot g, \qquad h' = o \odot \tanh(c').$$

    The cell state $c$ is updated additively: its gradient flows back through $f$ alone. Arguments
    as `RNNCell` (no `nonlinearity`); parameters `weight_ih` (4H, I), `weight_hh` (4H, H), `bias_ih`,
    `bias_hh` (4H,), rows in gate order i, f, g, o. `forward(input, hx=None)` takes and returns pairs $(h, c)$.

    Raises:
        ValueError: on a bad argument; in `forward`, on bad shapes of `input` or `hx`.
        TypeError: if `hx` is not a pair `(h, c)`.

    See: the LSTM and GRU page (docs/lstm-gru.zh.md)
    """


class GRUCell(_GRUKind, _Cell):
    r"""A gated recurrent unit, as `torch.nn.GRUCell`.

    $$r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}), \qquad z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}),$$
    $$n = \tanh\bigl(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})\bigr), \qquad h' = (1 - z) \odot n + z \odot h.$$

    The reset gate multiplies $W_{hn} h + b_{hn}$ (PyTorch's variant), not $h$ before the product.
    Arguments as `RNNCell` (no `nonlinearity`); parameters `weight_ih` (3H, I), `weight_hh` (3H, H),
    `bias_ih`, `bias_hh` (3H,), rows in gate order r, z, n.

    Raises:
        ValueError: on a bad argument; in `forward`, on bad shapes of `input` or `hx`.

    See: the LSTM and GRU page (docs/lstm-gru.zh.md)
    """


def _scan(step: Any, xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None,
          reverse: bool) -> tuple[Tensor, State]:
    """`step` over the time steps of `xw` (T, B, G·H), backwards if `reverse`: outputs (T, B, H), last state."""
    xws = xw.unbind(0)  # T tensors (B, G·H); unbind's backward is one stack, xw[t]'s would be T full-size copies
    hs = list(xws)  # placeholders, each replaced by h_t
    for t in range(len(xws) - 1, -1, -1) if reverse else range(len(xws)):
        state = step(xws[t], state, w_hh_t, b_hh)
        hs[t] = state[0]  # (B, H)
    return torch.stack(hs), state


class _Sequence(_Recurrent):
    """`RNN`, `LSTM` and `GRU`: PyTorch's constructor, parameter names and order, and forward logic."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        who = type(self).__name__
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            _check_size(who, name, size)
        _check_flags(who, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
        expect(is_real(dropout) and dropout == 0, who, "dropout 0 (dropout between layers is not implemented)",
               repr(dropout))
        expect(is_int(proj_size) and proj_size == 0, who, "proj_size 0 (projections are not implemented)",
               repr(proj_size))
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.dropout, self.proj_size = 0.0, 0
        D, GH, factory = 2 if bidirectional else 1, self._gates * self.hidden_size, {"device": device, "dtype": dtype}
        self._weight_names: list[list[str]] = []  # per layer and direction: w_ih, w_hh[, b_ih, b_hh]
        for layer in range(self.num_layers):
            for direction in range(D):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (GH, self.input_size if layer == 0 else D * self.hidden_size),
                          "weight_hh": (GH, self.hidden_size), **({"bias_ih": (GH,), "bias_hh": (GH,)} if bias else {})}
                for name, shape in shapes.items():
                    self.register_parameter(name + suffix, nn.Parameter(torch.empty(shape, **factory)))
                self._weight_names.append([name + suffix for name in shapes])
        self.reset_parameters()

    def extra_repr(self) -> str:
        flags = [("num_layers", self.num_layers, 1), ("bias", self.bias, True),
                 ("batch_first", self.batch_first, False), ("bidirectional", self.bidirectional, False)]
        return f"{self.input_size}, {self.hidden_size}" + "".join(f", {k}={v}" for k, v, d in flags if v != d)

    def forward(self, input: Tensor, hx: Tensor | tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Any]:
        """`output` (T, B, D·H), the last layer's $h_t$ for every t, and `h_n` (D·L, B, H), every layer's last $h$.

        `LSTM` takes `hx = (h_0, c_0)` and returns `output, (h_n, c_n)`.
        """
        who, D, H = type(self).__name__, 2 if self.bidirectional else 1, self.hidden_size
        _check_input(who, input, (2, 3), "(T, B, I), (B, T, I) with batch_first, or (T, I)", self.input_size,
                     self.weight_ih_l0)
        x = input.unsqueeze(1) if input.ndim == 2 else input.transpose(0, 1) if self.batch_first else input  # (T, B, I)
        L, B = D * self.num_layers, x.shape[1]  # L: layers times directions
        given = () if hx is None else self._given_states(who, hx, (L, B, H) if input.ndim == 3 else (L, H), input)
        h0 = tuple(v.reshape(L, B, H) for v in given) or (x.new_zeros(L, B, H),) * self._states  # (D·L, B, H) each
        finals: list[State] = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(D):
                k = layer * D + direction
                w_ih, w_hh, *b = (getattr(self, name) for name in self._weight_names[k])
                b_ih, b_hh = b or (None, None)
                xw, b_hh = _project(x, w_ih, b_ih, b_hh, self._fold)  # (T, B, G·H): all time steps at once
                out, state = _scan(self._step, xw, tuple(s[k] for s in h0), w_hh.t(), b_hh, reverse=direction == 1)
                outputs.append(out)  # (T, B, H)
                finals.append(state)
            x = outputs[0] if D == 1 else torch.cat(outputs, dim=2)  # (T, B, D·H)
        h_n = tuple(torch.stack(s) for s in zip(*finals))  # (h_n,) or (h_n, c_n), each (D·L, B, H)
        if input.ndim == 2:
            x, h_n = x.squeeze(1), tuple(s.squeeze(1) for s in h_n)
        elif self.batch_first:
            x = x.transpose(0, 1)  # (B, T, D·H)
        return x, h_n if self._states == 2 else h_n[0]


class RNN(_Sequence):
    r"""A multi-layer Elman RNN, as `torch.nn.RNN`: $h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$.

    Layer $l > 0$ reads the outputs of layer $l - 1$. `forward(input, hx)` takes `input` (T, B, I),
    (B, T, I) with `batch_first`, or unbatched (T, I), and `hx` (D·L, B, H) (or (D·L, H)), zeros by default.

    Args:
        input_size: $I$, the features of $x_t$.
        hidden_size: $H$, the features of $h_t$.
        num_layers: $L$, stacked layers.
        nonlinearity: `"tanh"` or `"relu"` (the 4th positional argument, as PyTorch).
        bias: learn $b_{ih}$ and $b_{hh}$.
        batch_first: input and output (B, T, ·) instead of (T, B, ·) (not `h_n`).
        dropout: must be 0 (dropout between layers is refused, not ignored).
        bidirectional: also run each layer backwards in time ($D = 2$), outputs concatenated.
        device: where the parameters are made.
        dtype: their floating-point dtype.

    Parameters, as PyTorch (G = 1 here, 4 for `LSTM`, 3 for `GRU`): `weight_ih_l{l}` (G·H, I or D·H),
    `weight_hh_l{l}` (G·H, H), `bias_ih_l{l}`, `bias_hh_l{l}` (G·H,), then the same with
    `_reverse`, layer after layer; all from $U(-1/\sqrt H, 1/\sqrt H)$.

    Raises:
        ValueError: on a bad argument, `dropout` or `proj_size` not 0; in `forward`, on an input
            of another rank or feature size, or initial states of another shape.
        TypeError: on a `PackedSequence` input.

    See: the sequences page (docs/sequences.zh.md)
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: torch.dtype | None = None) -> None:
        _check_nonlinearity("RNN", nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(_LSTMKind, _Sequence):
    r"""A multi-layer LSTM, as `torch.nn.LSTM`: `LSTMCell`'s step over time, layer after layer.

    Arguments, shapes and parameters as `RNN` (no `nonlinearity`), with $G = 4$ (gates i, f, g, o);
    `proj_size` must be 0 (projections are refused). `hx` is a pair `(h_0, c_0)`.

    Raises:
        ValueError: on a bad argument, `dropout` or `proj_size` not 0; in `forward`, on bad shapes.
        TypeError: on a `PackedSequence` input, or an `hx` that is not a pair.

    See: the LSTM and GRU page (docs/lstm-gru.zh.md)
    """


class GRU(_GRUKind, _Sequence):
    r"""A multi-layer GRU, as `torch.nn.GRU`: `GRUCell`'s step over time (reset gate after the product).

    Arguments, shapes and parameters as `RNN` (no `nonlinearity`), with $G = 3$ (gates r, z, n).

    Raises:
        ValueError: on a bad argument, `dropout` or `proj_size` not 0; in `forward`, on bad shapes.
        TypeError: on a `PackedSequence` input.

    See: the LSTM and GRU page (docs/lstm-gru.zh.md)
    """


@torch.no_grad()
def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""Scale the gradients in place to a total norm of at most `max_norm`, as `torch.nn.utils.clip_grad_norm_`.

    The norm is taken over all gradients together, as if concatenated into one vector $g$:

    $$\|g\|_p = \Bigl(\sum_i |g_i|^p\Bigr)^{1/p}, \qquad \|g\|_\infty = \max_i |g_i|, \qquad
      g \leftarrow g \cdot \min\Bigl(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Bigr).$$

    The direction is kept, only the length bounded (the remedy for exploding gradients); every
    gradient is multiplied, by 1 when the norm is small enough.

    Args:
        parameters: a tensor or an iterable of tensors; those whose `.grad` is None are skipped.
        max_norm: the bound, $\ge 0$.
        norm_type: $p > 0$, or `math.inf` for the largest entry.
        error_if_nonfinite: raise if the total norm is NaN or infinite (else the gradients are
            scaled by it anyway, as PyTorch).
        foreach: None or False (one tensor at a time; the fused multi-tensor path is not implemented).

    Returns:
        The total norm $\|g\|_p$ before clipping, a 0-dimensional tensor (`torch.tensor(0.0)` if no gradient).

    Raises:
        ValueError: on a negative `max_norm`, `norm_type` not $> 0$, or `foreach=True`.
        RuntimeError: with `error_if_nonfinite`, if the total norm is not finite.

    See: the gradient-flow page (docs/rnn-gradients.zh.md)
    """
    who = "clip_grad_norm_"
    expect(is_real(max_norm) and max_norm >= 0, who, "max_norm >= 0", repr(max_norm))
    expect(is_real(norm_type) and norm_type > 0, who, "norm_type > 0 (math.inf for the max norm)", repr(norm_type))
    expect(foreach in (None, False), who, "foreach None or False (no multi-tensor path)", repr(foreach))
    _check_flags(who, error_if_nonfinite=error_if_nonfinite)
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    p, device = float(norm_type), grads[0].device
    if p == math.inf:
        total = torch.stack([g.abs().max().to(device) for g in grads]).max()  # max_i |g_i|
    else:
        total = torch.stack([g.abs().pow(p).sum().to(device) for g in grads]).sum().pow(1 / p)  # (Σ |g_i|^p)^(1/p)
    expect(not error_if_nonfinite or bool(total.isfinite()), who, f"a finite total norm of order {p} of the "
           "gradients (error_if_nonfinite=True)", total.item(), RuntimeError)
    coef = (max_norm / (total + 1e-6)).clamp(max=1.0)  # min(1, max_norm / (‖g‖ + 1e-6))
    for g in grads:
        g.mul_(coef.to(g.device))
    return total
