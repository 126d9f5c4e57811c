r"""Backpropagation by hand: layers whose forward and backward passes are written out.

No autograd inside: each layer owns its backward (as in micrograd), written with the
lecture's batched ("practice") rules, and every computation runs under `torch.no_grad()`.
The tests check every gradient against autograd.

Write $dX$ for $\partial L / \partial X$. In the theory one example is a column vector:
$a \in \mathbb R^m$ in, $z \in \mathbb R^p$ out. In practice a batch of $N$ examples is stored
row-major: row $i$ of $A \in \mathbb R^{N \times m}$ and of $Z \in \mathbb R^{N \times p}$ is example $i$.

| rule | theory | practice |
| --- | --- | --- |
| 0: a gradient is shaped like its variable | $dW \in \mathbb R^{p \times m}$, $db \in \mathbb R^p$ | $dW \in \mathbb R^{m \times p}$, $db \in \mathbb R^p$ |
| 1: elementwise activation $\sigma$ | $a = \sigma(z)$, $dz = da \odot \sigma'(z)$ | $A = \sigma(Z)$, $dZ = dA \odot \sigma'(Z)$ |
| 1.5: linear layer | $z = W a + b$ | $Z = A W + \mathbf 1_N b^\top$ (code: `A @ W + b`) |
| 2: its backward | $dW = dz\, a^\top$, $db = dz$, $da = W^\top dz$ | $dW = A^\top dZ$, $db = dZ^\top \mathbf 1_N$, $dA = dZ\, W^\top$ |

$A^\top dZ$ sums the examples' outer products and $dZ^\top \mathbf 1_N$ is `dZ.sum(0)`; the batch
loss's $1/N$ is already in $dZ$ (`MSELoss.backward` divides by the number of elements).

**Rule 3: do not copy the maths literally; mind the storage layout.** The theory's
$dW = dz\,a^\top$ becomes $A^\top dZ$ for row-major batches. `Linear.W` has the practice layout
(in_features, out_features); `torch.nn.Linear` stores `weight` in the theory's, (out_features,
in_features), and computes `A @ weight.T + bias`.

```python
model = Sequential(Linear(3, 16), Tanh(), Linear(16, 1))
loss_fn = MSELoss()
loss = loss_fn(model(X), y)            # forward: each layer stores what its backward needs
model.backward(loss_fn.backward())     # backward: sets dW and db of every Linear
for param, grad in zip(model.parameters(), model.grads()):
    param -= lr * grad                 # plain gradient descent, in place
```

See: [backprop](../backprop/)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ._checks import check_all, check_ndim, check_shape, check_tensor, expect, is_int

__all__ = ["Layer", "Linear", "Sigmoid", "Tanh", "ReLU", "Softplus", "MSELoss", "CrossEntropyLoss", "Sequential"]


def _saved(who: str, x: Tensor | None) -> Tensor:
    if x is None:
        raise RuntimeError(f"{who}.backward called before forward")
    return x


class Layer:
    """Base class: `forward` stores what `backward` needs; `backward` maps the output's gradient to the input's.

    See: [backprop](../backprop/)
    """

    def __call__(self, A: Tensor) -> Tensor:
        return self.forward(A)

    def forward(self, A: Tensor) -> Tensor:
        raise NotImplementedError

    def backward(self, dOut: Tensor) -> Tensor:
        raise NotImplementedError

    def parameters(self) -> list[Tensor]:
        return []

    def grads(self) -> list[Tensor]:
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Layer):
    r"""Fully connected layer $Z = A W + \mathbf 1_N b^\top$ with its backward pass (rules 1.5 and 2).

    Unlike `torch.nn.Linear`, which stores `weight` as (out_features, in_features), `W` has the
    lecture's practice layout (in_features, out_features): `W = linear.weight.T`. To copy an
    `nn.Linear`, set `W = linear.weight.detach().T.clone()` and `b = linear.bias.detach().clone()`.
    Both are plain tensors (no `requires_grad`) that may be updated in place or reassigned;
    `forward` checks their shapes.

    Initialised like `nn.Linear`: $W_{ij}, b_j \sim U(-1/\sqrt{m}, 1/\sqrt{m})$ from torch's
    global RNG, so after the same `torch.manual_seed` `W` equals `nn.Linear(m, p).weight.T`.

    Args:
        in_features: $m$, the width of the input $A$.
        out_features: $p$, the width of the output $Z$.
        dtype: of `W` and `b` (default: torch's default dtype).
        device: of `W` and `b` (default: the CPU).

    Attributes:
        W: weight, shape (in_features, out_features).
        b: bias, shape (out_features,).
        dW: $dW = A^\top dZ$ after `backward`, shaped like `W` (rule 0).
        db: $db = dZ^\top \mathbf 1_N$ after `backward`, shaped like `b`.

    See: [backprop](../backprop/)
    """

    def __init__(self, in_features: int, out_features: int, *, dtype: torch.dtype | None = None,
                 device: torch.device | str | None = None) -> None:
        for arg, n in (("in_features", in_features), ("out_features", out_features)):
            expect(is_int(n) and n >= 1, "Linear", f"{arg} to be a positive integer", repr(n))
        in_features, out_features = int(in_features), int(out_features)  # a NumPy integer too
        self.in_features, self.out_features = in_features, out_features
        kw = dict(dtype=dtype, device=device)
        weight = torch.nn.init.kaiming_uniform_(torch.empty(out_features, in_features, **kw), a=math.sqrt(5))  # (out, in)
        self.W = weight.T.contiguous()  # (in, out): drawn as nn.Linear draws weight, so the same seed gives weight.T
        bound = 1 / math.sqrt(in_features)  # kaiming_uniform_(a=sqrt(5))'s bound too
        self.b = torch.empty(out_features, **kw).uniform_(-bound, bound)  # (out,)
        self.A: Tensor | None = None  # the input, stored by forward
        self.dW: Tensor | None = None  # set by backward
        self.db: Tensor | None = None

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"

    @torch.no_grad()
    def forward(self, A: Tensor) -> Tensor:
        r"""$Z = A W + \mathbf 1_N b^\top$: `A` of shape (N, in_features) to `Z` of shape (N, out_features)."""
        who = f"{self!r}.forward"
        check_shape(who, "A", A, ("N", self.in_features))
        check_shape(who, "W", self.W, (self.in_features, self.out_features))
        check_shape(who, "b", self.b, (self.out_features,))
        expect(A.dtype == self.W.dtype, who, f"A of dtype {self.W.dtype} (like W)", A.dtype)
        self.A = A  # (N, in)
        return A @ self.W + self.b  # (N, out)

    @torch.no_grad()
    def backward(self, dZ: Tensor) -> Tensor:
        r"""From `dZ` (shape of the last `Z`) set `dW` and `db`; return $dA = dZ\, W^\top$."""
        A = _saved(repr(self), self.A)  # (N, in)
        check_shape(f"{self!r}.backward", "dZ", dZ, (A.shape[0], self.out_features), like=", like the last Z")
        self.dW = A.T @ dZ  # (in, out)
        self.db = dZ.sum(0)  # (out,)
        return dZ @ self.W.T  # (N, in)

    def parameters(self) -> list[Tensor]:
        return [self.W, self.b]

    def grads(self) -> list[Tensor]:
        if self.dW is None or self.db is None:
            raise RuntimeError(f"{self!r}.grads called before backward")
        return [self.dW, self.db]


class _Activation(Layer):
    r"""Elementwise $A = f(Z)$ with $dZ = dA \odot f'(Z)$ (rule 1), any shape; subclasses define `_f` and `_df`."""

    def __init__(self) -> None:
        self.Z: Tensor | None = None  # the input, stored by forward
        self.A: Tensor | None = None  # the output: f'(Z) is often cheaper from A

    @torch.no_grad()
    def forward(self, Z: Tensor) -> Tensor:
        check_tensor(f"{self!r}.forward", "Z", Z)
        self.Z, self.A = Z, self._f(Z)  # (N, m), (N, m)
        return self.A

    @torch.no_grad()
    def backward(self, dA: Tensor) -> Tensor:
        Z = _saved(repr(self), self.Z)  # (N, m)
        check_shape(f"{self!r}.backward", "dA", dA, tuple(Z.shape), like=", like the last A")
        return dA * self._df(Z, self.A)  # (N, m): dZ


class Sigmoid(_Activation):
    r"""$\sigma(z) = 1 / (1 + e^{-z})$, $\sigma'(z) = \sigma(z)(1 - \sigma(z))$; finite for any $z$.

    See: [backprop](../backprop/)
    """

    def _f(self, Z: Tensor) -> Tensor:
        return torch.sigmoid(Z)  # never exponentiates a large positive number

    def _df(self, Z: Tensor, A: Tensor) -> Tensor:
        return A * (1 - A)


class Tanh(_Activation):
    r"""$\tanh z$, with $\tanh'(z) = 1 - \tanh^2 z$.

    See: [backprop](../backprop/)
    """

    def _f(self, Z: Tensor) -> Tensor:
        return torch.tanh(Z)

    def _df(self, Z: Tensor, A: Tensor) -> Tensor:
        return 1 - A**2


class ReLU(_Activation):
    r"""$\operatorname{relu}(z) = \max(z, 0)$, with derivative $[z > 0]$.

    The derivative at exactly $z = 0$ (where none exists) is taken as $0$, as PyTorch's
    autograd does for `torch.relu`.

    See: [backprop](../backprop/)
    """

    def _f(self, Z: Tensor) -> Tensor:
        return torch.relu(Z)

    def _df(self, Z: Tensor, A: Tensor) -> Tensor:
        return (Z > 0).to(Z.dtype)


class Softplus(_Activation):
    r"""$\operatorname{softplus}(z) = \log(1 + e^z) = \max(z, 0) + \log(1 + e^{-|z|})$, derivative $\sigma(z)$.

    The second form never exponentiates a positive number, so it is finite for any $z$.
    (`F.softplus` returns $z$ itself above $z = 20$, less than $e^{-20}$ away.)

    See: [backprop](../backprop/)
    """

    def _f(self, Z: Tensor) -> Tensor:
        return Z.clamp_min(0) + torch.log1p(torch.exp(-Z.abs()))

    def _df(self, Z: Tensor, A: Tensor) -> Tensor:
        return torch.sigmoid(Z)


class MSELoss:
    r"""Mean squared error $L = \frac1{|Y|} \sum (\hat Y - Y)^2$ over all elements, like `nn.MSELoss()`.

    `backward()` returns $d\hat Y = 2 (\hat Y - Y) / |Y|$, where $|Y|$ is the number of elements.

    See: [backprop](../backprop/)
    """

    def __init__(self) -> None:
        self.diff: Tensor | None = None

    def __call__(self, y_hat: Tensor, y: Tensor) -> Tensor:
        return self.forward(y_hat, y)

    @torch.no_grad()
    def forward(self, y_hat: Tensor, y: Tensor) -> Tensor:
        """The loss, a 0-d tensor; `y_hat` and `y` must have the same shape."""
        check_tensor("MSELoss.forward", "y_hat", y_hat)
        check_shape("MSELoss.forward", "y", y, tuple(y_hat.shape), like=", like y_hat")  # no silent broadcasting
        self.diff = y_hat - y  # (N, out)
        return (self.diff**2).mean()

    @torch.no_grad()
    def backward(self) -> Tensor:
        r"""$d\hat Y = 2 (\hat Y - Y) / |Y|$, shaped like `y_hat`."""
        diff = _saved("MSELoss", self.diff)  # (N, out)
        return 2 * diff / diff.numel()  # (N, out)


class CrossEntropyLoss:
    r"""Cross-entropy of logits $L = -\frac1N \sum_i \log \operatorname{softmax}(z_i)_{y_i}$, as `nn.CrossEntropyLoss()`.

    For one example, logits $z \in \mathbb R^K$ and class $y$: with $p = \operatorname{softmax}(z)$,
    $p_k = e^{z_k} / \sum_c e^{z_c}$, the loss is
    $\ell = -\log p_y = -z_y + \log \sum_c e^{z_c}$. The derivative of the log-sum-exp is the softmax,
    $\partial \log \sum_c e^{z_c} / \partial z_k = e^{z_k} / \sum_c e^{z_c} = p_k$, and
    $\partial z_y / \partial z_k = [k = y]$, so

    $$\frac{\partial \ell}{\partial z_k} = p_k - [k = y], \qquad
      \frac{\partial \ell}{\partial z} = \operatorname{softmax}(z) - \operatorname{onehot}(y).$$

    The batch mean divides by $N$: `backward()` returns $dZ = (P - Y) / N$, row $i$ of $P$ being
    $\operatorname{softmax}(z_i)$ and of $Y$ being $\operatorname{onehot}(y_i)$. Every row of $dZ$ sums to 0.

    Computed stably: with $m = \max_c z_c$, $\log \sum_c e^{z_c} = m + \log \sum_c e^{z_c - m}$
    exponentiates no positive number, so logits like $\pm 1000$ stay finite.

    See: [backprop](../backprop/)
    """

    def __init__(self) -> None:
        self.probs: Tensor | None = None  # softmax of the last logits, (N, K)
        self.targets: Tensor | None = None  # the last class indices, (N,)

    def __call__(self, logits: Tensor, targets: Tensor) -> Tensor:
        return self.forward(logits, targets)

    @torch.no_grad()
    def forward(self, logits: Tensor, targets: Tensor) -> Tensor:
        """The mean loss, a 0-d tensor: `logits` (N, K) floating point, `targets` (N,) int64 in [0, K)."""
        who = "CrossEntropyLoss.forward"
        check_tensor(who, "logits", logits)
        check_ndim(who, logits, (2,), "logits of shape (N, K) with N, K >= 1", nonempty=True)
        expect(logits.is_floating_point(), who, "floating-point logits", f"dtype {logits.dtype}")
        N, K = logits.shape
        check_shape(who, "targets", targets, (N,), like=", one class index per row of logits")
        expect(targets.dtype == torch.int64, who, "class indices of dtype torch.int64 as targets", targets.dtype)
        check_all(who, f"class indices in [0, {K})", (targets >= 0) & (targets < K), targets)
        shifted = logits - logits.amax(1, keepdim=True)  # (N, K), all <= 0
        log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()  # (N, K): log softmax
        self.probs, self.targets = log_probs.exp(), targets  # (N, K), (N,)
        return -log_probs[torch.arange(N, device=logits.device), targets].mean()

    @torch.no_grad()
    def backward(self) -> Tensor:
        r"""$dZ = (\operatorname{softmax}(Z) - \operatorname{onehot}(y)) / N$, shaped like the logits."""
        probs = _saved("CrossEntropyLoss", self.probs)  # (N, K)
        N = probs.shape[0]
        dZ = probs.clone()  # (N, K)
        dZ[torch.arange(N, device=dZ.device), self.targets] -= 1  # P - Y: subtract the one-hot rows
        return dZ / N  # (N, K)


class Sequential(Layer):
    r"""Layers applied in order; `backward` runs them in reverse (the chain rule).

    Args:
        *layers: `Layer` instances (`Linear`, activations, or other `Sequential`s).

    Raises:
        TypeError: if an argument is not a `Layer`.

    See: [backprop](../backprop/)
    """

    def __init__(self, *layers: Layer) -> None:
        for i, layer in enumerate(layers):
            kind = f"{type(layer).__module__}.{type(layer).__qualname__}"  # not just "Linear": nn.Linear is no Layer
            expect(isinstance(layer, Layer), "Sequential", "Layer instances", f"{kind} at position {i}", TypeError)
        self.layers = list(layers)

    def __getitem__(self, i: int | slice) -> Layer:
        return Sequential(*self.layers[i]) if isinstance(i, slice) else self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        lines = "".join(f"\n  ({i}): " + repr(layer).replace("\n", "\n  ") for i, layer in enumerate(self.layers))
        return f"Sequential({lines}\n)"

    def forward(self, A: Tensor) -> Tensor:
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def backward(self, dOut: Tensor) -> Tensor:
        r"""From $dL/d(\text{output})$ to $dL/dA$ of the input; sets every `Linear`'s `dW` and `db`."""
        for layer in reversed(self.layers):
            dOut = layer.backward(dOut)
        return dOut

    def parameters(self) -> list[Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]

    def grads(self) -> list[Tensor]:
        return [g for layer in self.layers for g in layer.grads()]
