"""dlnotes.autodiff: the scalar engine against PyTorch's autograd on float64 scalars."""

from __future__ import annotations

import operator
import random
from typing import NamedTuple

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from dlnotes.autodiff import Value

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D = torch.float64
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
UNARY = {"neg": operator.neg, **{f: operator.methodcaller(f) for f in ("exp", "log", "tanh", "relu", "sigmoid")}}
OPS = [*BINARY, "**", *UNARY]
EXPONENTS = (2, 3, -1, -2, 0, 0.5, 1.5, 2.0, -0.5)  # ints and floats
CONSTANTS = (2, -3, 7, 0.5, -1.25)


class Num(NamedTuple):
    """A plain number as an operand (an int operand is a node index)."""

    value: float


Step = tuple[str, "int | Num", "int | Num | float | None"]  # (op, a, b); b: the exponent of "**"


def _apply(step: Step, nodes: list) -> Value | torch.Tensor:
    """One step on Values or on 0-d tensors alike: the same Python operators and methods."""
    op, a, b = step
    if op in UNARY:
        return UNARY[op](nodes[a])
    if op == "**":
        return nodes[a] ** b
    x, y = (o.value if isinstance(o, Num) else nodes[o] for o in (a, b))
    return BINARY[op](x, y)


def _in_domain(op: str, x: float, y: float | None) -> bool:
    """Keep clear of log(<= 0), exp overflow, division by ~0 and powers of ~0 or of negative bases."""
    if op == "log":
        return x > 0.05
    if op == "exp":
        return x < 4
    if op == "/":
        return abs(y) > 0.1
    if op == "**":
        return abs(x) > 0.1 and (x > 0 or float(y).is_integer())
    return True


def random_graph(seed: int) -> tuple[list[float], list[Step], list[int]]:
    """Leaf values, 10-30 steps over earlier nodes (reused: shared sub-expressions), and the nodes summed as output."""
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-2, 2)) for _ in range(rng.randint(2, 5))]
    leaves, steps = [v.data for v in nodes], []
    for _ in range(rng.randint(10, 30)):
        while True:
            op, n = rng.choice(OPS), len(nodes)
            a = max(rng.randrange(n), rng.randrange(n))  # recent nodes more often: deeper graphs
            b = None if op in UNARY else rng.choice(EXPONENTS) if op == "**" else rng.randrange(n)
            if op in BINARY and rng.random() < 0.4:  # a number on the left or on the right
                a, b = (Num(rng.choice(CONSTANTS)), b) if rng.random() < 0.5 else (a, Num(rng.choice(CONSTANTS)))
            x = a.value if isinstance(a, Num) else nodes[a].data
            y = b if op == "**" or b is None else b.value if isinstance(b, Num) else nodes[b].data
            if _in_domain(op, x, y) and abs((out := _apply((op, a, b), nodes)).data) < 50:
                break
        nodes.append(out)
        steps.append((op, a, b))
    outputs = sorted({len(nodes) - 1, *rng.sample(range(len(nodes)), 3)})
    return leaves, steps, outputs


def _run(leaves: list[float], steps: list[Step], outputs: list[int], leaf) -> tuple[list, Value | torch.Tensor]:
    nodes = [leaf(v) for v in leaves]
    for step in steps:
        nodes.append(_apply(step, nodes))
    return nodes, sum(nodes[i] for i in outputs)  # sum: 0 + node first (radd)


def _torch_leaf(v: float) -> torch.Tensor:
    return torch.tensor(v, dtype=D, requires_grad=True)


@pytest.mark.parametrize("seed", range(50))
def test_random_graphs_match_autograd_values_gradients_and_accumulation(seed):
    graph = random_graph(seed)
    ours, out = _run(*graph, Value)
    theirs, expected = _run(*graph, _torch_leaf)
    for t in [*theirs, expected]:
        t.retain_grad()  # every node's gradient, like Value's
    ours, theirs = [*ours, out], [*theirs, expected]
    assert_close(torch.tensor([v.data for v in ours], dtype=D), torch.stack(theirs).detach())
    for _ in range(2):  # the second call adds the same gradients again
        out.backward()
        expected.backward(retain_graph=True)
        expected_grads = [0.0 if t.grad is None else t.grad.item() for t in theirs]  # None: not on a path to the output
        assert_close(torch.tensor([v.grad for v in ours], dtype=D), torch.tensor(expected_grads, dtype=D))


def test_random_graphs_use_every_op_numbers_on_both_sides_and_shared_subexpressions():
    graphs = [random_graph(seed) for seed in range(50)]
    steps = [step for _, graph_steps, _ in graphs for step in graph_steps]
    assert {op for op, _, _ in steps} == set(OPS)
    assert any(isinstance(a, Num) for _, a, _ in steps) and any(isinstance(b, Num) for _, _, b in steps)
    for leaves, graph_steps, _ in graphs:
        used = [i for (op, a, b) in graph_steps for i in ((a,) if op == "**" else (a, b)) if type(i) is int]  # not Num
        assert len(used) > len(set(used))  # some node feeds two steps
        assert 10 <= len(graph_steps) <= 30


def test_the_docstring_example_and_accumulation_by_hand():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a**2
    c.backward()
    assert (c.data, a.grad, b.grad, c.grad) == (-2.0, 1.0, 2.0, 1.0)  # dc/da = b + 2a, dc/db = a
    x = Value(3)
    y = x * x + x  # x used three times
    y.backward()
    assert x.grad == 7.0  # 2x + 1
    y.backward()
    assert x.grad == 14.0 and y.grad == 2.0


def test_numbers_on_either_side_and_unary_minus():
    x = Value(4.0)
    for out, value, grad in [(x + 1, 5, 1), (1 + x, 5, 1), (x - 1, 3, 1), (1 - x, -3, -1), (2 * x, 8, 2),
                             (x * 2, 8, 2), (x / 2, 2, 0.5), (2 / x, 0.5, -0.125), (-x, -4, -1), (x**0.5, 2, 0.25)]:
        x.grad = 0.0
        out.backward()
        assert (out.data, x.grad) == (value, grad)


def test_leaves_start_at_zero_data_is_a_float_and_repr():
    v = Value(np.float32(1.5))
    assert type(v.data) is float and v.data == 1.5 and v.grad == 0.0
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"
    w = Value(-1) * 3
    w.backward()
    assert repr(w) == "Value(data=-3.0, grad=1.0)"


def test_sigmoid_is_finite_for_large_inputs():
    for x, y in [(1000.0, 1.0), (-1000.0, 0.0)]:
        s = Value(x).sigmoid()
        s.backward()
        assert s.data == y


def test_a_deep_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y + x
    y.backward()
    assert x.grad == 20_001.0


def _mlp_forward(params: list[list[list]], x: list[float]):
    """A 2-4-1 MLP, tanh hidden layer, from nested lists of Values: [W1 (4x2), b1 (4), W2 (1x4), b2 (1)]."""
    W1, (b1,), W2, (b2,) = params
    h = [(sum(w * xi for w, xi in zip(row, x)) + b).tanh() for row, b in zip(W1, b1)]
    return sum(w * hj for w, hj in zip(W2[0], h)) + b2[0]


def test_a_tiny_mlp_trains_like_torch():
    rng = random.Random(0)
    shapes = [(4, 2), (1, 4), (1, 4), (1, 1)]  # W1, b1, W2, b2 (biases as 1-row matrices)
    init = [[[rng.uniform(-1, 1) for _ in range(m)] for _ in range(n)] for n, m in shapes]
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(8)]
    y = [1.0 if a * b > 0 else -1.0 for a, b in X]  # XOR-like signs
    ours = [[[Value(w) for w in row] for row in p] for p in init]
    W1, b1, W2, b2 = (torch.tensor(p, dtype=D, requires_grad=True) for p in init)
    X_t, y_t = torch.tensor(X, dtype=D), torch.tensor(y, dtype=D)
    losses, expected_losses = [], []
    for _ in range(10):
        loss = sum((_mlp_forward(ours, x) - t) ** 2 for x, t in zip(X, y)) / len(X)
        loss.backward()
        expected = ((torch.tanh(X_t @ W1.T + b1) @ W2.T + b2).squeeze(1) - y_t).pow(2).mean()
        expected.backward()
        losses.append(loss.data)
        expected_losses.append(expected.item())
        for p in (v for matrix in ours for row in matrix for v in row):
            p.data -= 0.2 * p.grad
            p.grad = 0.0
        with torch.no_grad():
            for p in (W1, b1, W2, b2):
                p -= 0.2 * p.grad
                p.grad = None
    assert_close(torch.tensor(losses, dtype=D), torch.tensor(expected_losses, dtype=D))
    assert losses[-1] < losses[0]
    for p, matrix in zip((W1, b1, W2, b2), ours):
        assert_close(torch.tensor([[v.data for v in row] for row in matrix], dtype=D), p.detach())


# ---- bad input ----

NUMBER = r"a real number \(int or float, not bool\)"
EXPONENT = r"Value \*\* expects a plain int or float exponent, got "
BAD = {  # id: (call, exception, message pattern)
    "data-str": (lambda: Value("1"), TypeError, rf"^Value expects data to be {NUMBER}, got str$"),
    "data-bool": (lambda: Value(True), TypeError, "Value expects data to be .*, got bool"),
    "data-value": (lambda: Value(Value(1.0)), TypeError, "Value expects data to be .*, got Value"),
    "add-str": (lambda: Value(1.0) + "2", TypeError, rf"^Value \+ expects a Value or {NUMBER} as operand, got str$"),
    "rsub-none": (lambda: None - Value(1.0), TypeError, r"^Value - expects a Value or .*, got NoneType$"),
    "mul-bool": (lambda: Value(1.0) * True, TypeError, r"^Value \* expects a Value or .*, got bool$"),
    "rtruediv-str": (lambda: "1" / Value(2.0), TypeError, r"^Value / expects a Value or .*, got str$"),
    "pow-value": (lambda: Value(2.0) ** Value(3.0), TypeError, EXPONENT + r"Value \(for a Value exponent write"),
    "rpow": (lambda: 2 ** Value(3.0), TypeError, EXPONENT + "Value"),
    "pow-bool": (lambda: Value(2.0) ** True, TypeError, EXPONENT + "bool"),
    "pow-negative-base": (lambda: Value(-8) ** 0.5, ValueError,
                          r"^Value \*\* expects a non-negative base for a non-integer exponent, got \(-8\.0\) \*\* 0\.5"),
    "log-zero": (lambda: Value(0).log(), ValueError, r"^Value\.log expects data > 0, got 0\.0$"),
    "log-negative": (lambda: (Value(1.0) - 3).log(), ValueError, r"^Value\.log expects data > 0, got -2\.0$"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_raises_a_clear_error(case):
    call, exception, match = BAD[case]
    with pytest.raises(exception, match=match):
        call()
