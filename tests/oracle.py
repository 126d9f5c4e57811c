"""The PyTorch oracle: check a dlnotes function, values and gradients, against its PyTorch twin.

One home for the comparison every numerical test module makes:

```python
from .oracle import assert_same_as_torch

assert_same_as_torch(C.conv2d, F.conv2d, x, weight, bias, seed=3, stride=2)
assert_same_as_torch(L.cross_entropy, F.cross_entropy, logits, labels, reduction="sum")
```

Each side gets its own fresh leaf copies of the tensor arguments, so neither can touch
the other's graph or the caller's tensors. Every floating-point argument is
differentiated; integer ones (class labels) and `None` are passed through as they are.
The upstream gradient is random, drawn in float64 from a generator of its own (the
global RNG is neither used nor advanced), so a gradient that is right only for an
all-ones upstream, or only up to a transpose, does not pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn
from torch.testing import assert_close


def leaf_copies(*tensors: Tensor | None) -> list[Tensor | None]:
    """Fresh leaves: detached clones; floating-point ones require grad, the rest (and None) do not."""
    return [None if x is None else x.detach().clone().requires_grad_(x.is_floating_point()) for x in tensors]


def random_upstream(like: Tensor, seed: int = 0) -> Tensor:
    """A standard normal tensor shaped like `like`, drawn in float64 from its own generator, then cast."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(like.shape, dtype=torch.float64, generator=g).to(dtype=like.dtype, device=like.device)


def grads(out: Tensor, inputs: Sequence[Tensor | None], upstream: Tensor | None = None) -> tuple[Tensor, ...]:
    """Autograd's gradients of `out` (times `upstream`) w.r.t. the `inputs` that require grad, in order."""
    return torch.autograd.grad(out, [x for x in inputs if x is not None and x.requires_grad], upstream)


def assert_same(actual: Tensor | Sequence[Tensor], expected: Tensor | Sequence[Tensor], **tolerances) -> None:
    """Same shape, dtype and values (`torch.testing.assert_close`), for a tensor or matching sequences of them."""
    if isinstance(actual, Tensor):
        actual, expected = [actual], [expected]
    assert len(actual) == len(expected), f"{len(actual)} tensors, expected {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert a.shape == e.shape and a.dtype == e.dtype, f"item {i}: {a.shape} {a.dtype} != {e.shape} {e.dtype}"
        assert_close(a, e, msg=lambda m, i=i: f"item {i}: {m}", **tolerances)


def assert_same_as_torch(ours: Callable[..., Tensor], theirs: Callable[..., Tensor], *tensors: Tensor | None,
                         seed: int = 0, **kwargs) -> None:
    """`ours(*tensors, **kwargs)` equals `theirs(...)`: the value, and the gradients w.r.t. every float tensor.

    Args:
        ours: the dlnotes function.
        theirs: its PyTorch twin, called the same way.
        *tensors: the positional arguments; each side gets its own leaf copies (see `leaf_copies`).
        seed: of the random upstream gradient (see `random_upstream`).
        **kwargs: passed to both unchanged (`reduction=...`, `stride=...`).
    """
    a, b = leaf_copies(*tensors), leaf_copies(*tensors)
    out, expected = ours(*a, **kwargs), theirs(*b, **kwargs)
    assert_same(out, expected)
    upstream = random_upstream(expected, seed)
    assert_same(grads(out, a, upstream), grads(expected, b, upstream))


def parameter_names(module: nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    """`(name, shape)` of each parameter, in registration order (what a state dict must match)."""
    return [(n, tuple(p.shape)) for n, p in module.named_parameters()]


def same_initialisation(make: Callable[[object], nn.Module], ours: object, theirs: object,
                        seed: int = 0) -> tuple[nn.Module, nn.Module]:
    """Build `make(ours)` and `make(theirs)` from the same seed; assert the same parameters, drawn alike.

    `ours` and `theirs` are the modules that hold the classes (e.g. `dlnotes.rnn` and `torch.nn`).
    """
    torch.manual_seed(seed)
    a = make(ours)
    torch.manual_seed(seed)
    b = make(theirs)
    assert parameter_names(a) == parameter_names(b)  # names, shapes and order
    assert_same(list(a.parameters()), list(b.parameters()))  # the same draws in the same order
    return a, b
