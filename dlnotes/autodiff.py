r"""Reverse-mode automatic differentiation on scalars: the chain rule as code, before the matrix rules.

A `Value` holds a number (`data`) and, after `backward()`, the derivative of the output
with respect to it (`grad`). Every operation returns a new `Value` that records its inputs
and owns a small `_backward` closure: given the upstream gradient $\bar y = \partial L / \partial y$
of its result $y = f(x_1, \dots, x_k)$, it returns each input's share
$\bar y \, \partial y / \partial x_j$ (the chain rule, one local derivative at a time).
`backward()` visits the graph from the output back to the leaves in topological order and
adds up the shares, so a value used twice (a shared sub-expression) receives the sum.

```python
a, b = Value(2.0), Value(-3.0)
c = a * b + a**2          # c = ab + a^2 = -2
c.backward()
a.grad, b.grad            # (1.0, 2.0): dc/da = b + 2a, dc/db = a
```

As in PyTorch, gradients accumulate: a second `backward()` adds to every `grad` (set
`v.grad = 0.0` to start afresh). Every node keeps its gradient, like a tensor after
`retain_grad()`. The engine has no dependencies; `tests/test_autodiff.py` checks it against
PyTorch's autograd in float64.

See: the backpropagation page (docs/backprop.zh.md)
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ._checks import expect, is_real

__all__ = ["Value"]

_NUMBER = "a real number (int or float, not bool)"


def _exponent_error(got: object) -> TypeError:
    return TypeError(f"Value ** expects a plain int or float exponent, got {type(got).__name__} "
                     "(for a Value exponent write (e * b.log()).exp())")


class Value:
    r"""A scalar node of a computation graph: `data`, and `grad` $= \partial L / \partial(\text{this})$.

    Supports `+ - * /` with Values or plain numbers on either side, `**` with a plain number
    as the exponent, unary minus, and the methods `exp`, `log`, `tanh`, `relu` and `sigmoid`.

    Args:
        data: a real number (int, float or a NumPy scalar; not a bool), stored as a float.

    Attributes:
        data: the value, a float.
        grad: $\partial L / \partial(\text{this})$ summed over the `backward()` calls so far; 0.0 at first.

    Raises:
        TypeError: if `data` (or the other operand of an operator) is not a real number.

    See: the backpropagation page (docs/backprop.zh.md)
    """

    def __init__(self, data: float, *, _inputs: tuple[Value, ...] = (), _op: str = "") -> None:
        expect(is_real(data), "Value", f"data to be {_NUMBER}", type(data).__name__, TypeError)
        self.data = float(data)
        self.grad = 0.0
        self._inputs = _inputs  # the Values this one was computed from (with repeats: a * a)
        self._op = _op  # for reading a graph: "+", "exp", ...
        self._backward: Callable[[float], tuple[float, ...]] = lambda g: ()  # a leaf has no inputs

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    @staticmethod
    def _node(data: float, op: str, inputs: tuple[Value, ...], backward: Callable[[float], tuple[float, ...]]) -> Value:
        out = Value(data, _inputs=inputs, _op=op)
        out._backward = backward  # upstream gradient -> one share per input, in the order of `inputs`
        return out

    @staticmethod
    def _operand(x: object, op: str) -> Value:
        if isinstance(x, Value):
            return x
        expect(is_real(x), f"Value {op}", f"a Value or {_NUMBER} as operand", type(x).__name__, TypeError)
        return Value(x)

    # ---- binary operators: y = a op b ----

    def __add__(self, other: Value | float) -> Value:
        other = self._operand(other, "+")
        return self._node(self.data + other.data, "+", (self, other), lambda g: (g, g))

    def __sub__(self, other: Value | float) -> Value:
        other = self._operand(other, "-")
        return self._node(self.data - other.data, "-", (self, other), lambda g: (g, -g))

    def __mul__(self, other: Value | float) -> Value:
        other = self._operand(other, "*")
        a, b = self.data, other.data  # the local derivatives are the other factor
        return self._node(a * b, "*", (self, other), lambda g: (g * b, g * a))

    def __truediv__(self, other: Value | float) -> Value:
        other = self._operand(other, "/")
        a, b = self.data, other.data  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return self._node(a / b, "/", (self, other), lambda g: (g / b, -g * a / (b * b)))

    def __pow__(self, p: float) -> Value:
        if not is_real(p):
            raise _exponent_error(p)
        x = self.data
        expect(x >= 0 or float(p).is_integer(), "Value **", "a non-negative base for a non-integer exponent",
               f"({x!r}) ** {p!r}")
        return self._node(x**p, f"**{p}", (self,), lambda g: (g * p * x ** (p - 1),))

    def __rpow__(self, base: object) -> Value:
        raise _exponent_error(self)

    __radd__ = __add__  # 2 + v: v.__radd__(2)
    __rmul__ = __mul__

    def __rsub__(self, other: float) -> Value:  # 2 - v
        return self._operand(other, "-") - self

    def __rtruediv__(self, other: float) -> Value:  # 2 / v
        return self._operand(other, "/") / self

    # ---- unary functions: y = f(x), share g f'(x) ----

    def __neg__(self) -> Value:
        return self._node(-self.data, "neg", (self,), lambda g: (-g,))

    def exp(self) -> Value:
        r"""$e^x$, derivative $e^x$."""
        y = math.exp(self.data)
        return self._node(y, "exp", (self,), lambda g: (g * y,))

    def log(self) -> Value:
        r"""$\log x$ (natural) for $x > 0$, derivative $1/x$; `ValueError` otherwise."""
        x = self.data
        expect(x > 0, "Value.log", "data > 0", repr(x))
        return self._node(math.log(x), "log", (self,), lambda g: (g / x,))

    def tanh(self) -> Value:
        r"""$\tanh x$, derivative $1 - \tanh^2 x$."""
        y = math.tanh(self.data)
        return self._node(y, "tanh", (self,), lambda g: (g * (1 - y * y),))

    def relu(self) -> Value:
        r"""$\max(x, 0)$, derivative $[x > 0]$ (0 at $x = 0$, as in PyTorch)."""
        x = self.data
        return self._node(max(x, 0.0), "relu", (self,), lambda g: (g if x > 0 else 0.0,))

    def sigmoid(self) -> Value:
        r"""$\sigma(x) = 1 / (1 + e^{-x})$, derivative $\sigma(x)(1 - \sigma(x))$; finite for any $x$."""
        x = self.data
        y = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))  # never exp of a large number
        return self._node(y, "sigmoid", (self,), lambda g: (g * y * (1 - y),))

    # ---- the backward pass ----

    def _topological_order(self) -> list[Value]:
        """Every node this one depends on, each after all of its inputs; this one last (no recursion)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((x, False) for x in node._inputs if id(x) not in seen)
        return order

    def backward(self) -> None:
        r"""Add $\partial(\text{this}) / \partial v$ to `v.grad` for every `v` it depends on (itself: 1.0)."""
        upstream = {id(self): 1.0}  # this call's gradients; added to .grad at the end, so calls accumulate
        order = self._topological_order()
        for node in reversed(order):  # every consumer of a node comes before it
            for x, share in zip(node._inputs, node._backward(upstream[id(node)])):
                upstream[id(x)] = upstream.get(id(x), 0.0) + share  # a shared input sums its shares
        for node in order:
            node.grad += upstream[id(node)]
