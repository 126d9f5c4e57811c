"""Compare what code printed with what a page or a notebook shows.

On the CPU the comparison is exact (trailing spaces and blank lines at the ends aside).
On another device (``DLNOTES_DEVICE=cuda``) PyTorch does not promise the same bits, so the
text must still match exactly but each number may differ by

    |shown - printed| <= RTOL * max(|shown|, |printed|) + one unit of the last printed decimal

(integers get no last-digit slack). Outputs that depend on the device's arithmetic or random
stream (training curves, accuracies) are marked device-dependent and not compared off the CPU.
"""

from __future__ import annotations

import difflib
import math
import re

RTOL = 1e-3  # documented in CONTRIBUTING.md ("CPU or GPU")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w)(?!\.\d)")


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _unit(number: str) -> float:
    """One unit of the last printed decimal of ``number`` (0 for an integer)."""
    mantissa, _, exponent = number.lower().partition("e")
    if "." not in mantissa:
        return 0.0 if not exponent else 10.0 ** int(exponent)
    decimals = len(mantissa.split(".")[1])
    return 10.0 ** (int(exponent or 0) - decimals)


def _close(shown: str, printed: str) -> bool:
    a, b = float(shown), float(printed)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    slack = max(_unit(shown), _unit(printed)) * (1 + 1e-9)
    return abs(a - b) <= RTOL * max(abs(a), abs(b)) + slack


def same(shown: str, printed: str, *, exact: bool = True) -> bool:
    """Whether ``printed`` matches ``shown``: exactly, or (``exact=False``) within the tolerance."""
    shown, printed = normalise(shown), normalise(printed)
    if exact or shown == printed:
        return shown == printed
    if _NUMBER.split(shown) != _NUMBER.split(printed):  # the text between the numbers
        return False
    a, b = _NUMBER.findall(shown), _NUMBER.findall(printed)
    return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))


def diff(shown: str, printed: str) -> str:
    return "\n".join(difflib.unified_diff(normalise(shown).splitlines(), normalise(printed).splitlines(),
                                          "shown", "printed", lineterm=""))
