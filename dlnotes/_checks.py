"""Argument checks shared by every module of `dlnotes`: one home, one wording.

Every message reads `"<who> expects <what>, got <got>"`; the lecture pages print some of
them and the tests pin them, so a call site passes its own pieces and the text stays put.
Private: not part of the API. Torch is imported only inside the checks that need it, so
`import dlnotes` stays light.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import Tensor


def is_int(x: object) -> bool:
    """An integer (Python's or NumPy's), but not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def is_real(x: object) -> bool:
    """A real number (int, float or a NumPy scalar), but not a bool. NaN is real: range checks reject it."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def expect(ok: bool, who: str, what: str, got: object, error: type[Exception] = ValueError) -> None:
    """Raise `error(f"{who} expects {what}, got {got}")` unless `ok`; pass `repr(value)` as `got` to quote it."""
    if not ok:
        raise error(f"{who} expects {what}, got {got}")


def check_tensor(who: str, name: str, x: Any) -> Tensor:
    """Return `x` if it is a `torch.Tensor`, else raise `TypeError` naming its type."""
    from torch import Tensor

    expect(isinstance(x, Tensor), who, f"{name} to be a torch.Tensor", type(x).__name__, TypeError)
    return x


def check_shape(who: str, name: str, x: Any, shape: Sequence[int | str], *, like: str = "") -> None:
    """Raise unless `x` is a tensor of `shape`; a str entry such as `"N"` matches any size.

    The message reads `"<who> expects <name> of shape (N, 3)<like>, got (5, 2)"`.
    """
    check_tensor(who, name, x)
    if x.ndim != len(shape) or not all(isinstance(s, str) or s == n for s, n in zip(shape, x.shape)):
        want = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{who} expects {name} of shape {want}{like}, got {tuple(x.shape)}")


def check_ndim(who: str, x: Any, ndims: Collection[int], what: str, *, nonempty: bool = False,
               got: str = "shape") -> None:
    """Raise unless `x.ndim` is in `ndims` (and, if `nonempty`, no axis has size 0).

    Works for tensors and NumPy arrays; the message reads `"<who> expects <what>, got <got> (2, 3)"`.
    """
    if x.ndim not in ndims or (nonempty and 0 in x.shape):
        raise ValueError(f"{who} expects {what}, got {got} {tuple(x.shape)}")


def check_same_shape(who: str, a: Any, b: Any, names: tuple[str, str] = ("input", "target")) -> None:
    """Raise unless `a` and `b` have the same shape (no silent broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(f"{who} expects {names[0]} and {names[1]} of the same shape, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")


def check_all(who: str, what: str, ok: Tensor, values: Tensor) -> None:
    """Raise `ValueError` unless every entry of `ok` is true; report the range of `values`."""
    if not bool(ok.all()):
        raise ValueError(f"{who} expects {what}, got values in [{values.min().item():g}, {values.max().item():g}]")
