r"""dlnotes: the companion package of the bilingual deep-learning lecture notes.

Every code block of the notes imports from here. The top level keeps only what every
page needs: `seed_everything` and `get_device`. Topic modules
(`dlnotes.data`, `dlnotes.plotting`, ...) are imported explicitly.

See: [home](../) (home page of the notes)
"""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

from ._checks import expect, is_int

if TYPE_CHECKING:
    import torch

__version__ = "0.1.0"
__all__ = ["__version__", "seed_everything", "get_device"]


def seed_everything(seed: int) -> None:
    r"""Seed Python's `random`, NumPy and PyTorch (CPU and all GPUs) with `seed`.

    Pages call this once at the top so that every printed number and every figure is
    reproducible.

    Args:
        seed: a non-negative integer below $2^{32}$.

    Raises:
        ValueError: if `seed` is not an integer in $[0, 2^{32})$.
    """
    expect(is_int(seed) and 0 <= seed < 2**32, "seed_everything", "an integer in [0, 2**32)", repr(seed))
    seed = int(seed)  # a NumPy integer too
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device() -> "torch.device":
    r"""Return the device the examples run on.

    CUDA when available, else the CPU. The environment variable `DLNOTES_DEVICE`
    (e.g. `cpu`, `cuda:1`, `mps`) overrides the choice. On Apple's `mps`
    float64 is unavailable, so the float64 checks of the notes always use the CPU.

    Returns:
        torch.device: the chosen device.

    Raises:
        ValueError: if `DLNOTES_DEVICE` names a device that PyTorch does not know.
    """
    import torch

    name = os.environ.get("DLNOTES_DEVICE", "").strip()
    if name:
        try:
            return torch.device(name)
        except RuntimeError as err:
            raise ValueError(f"DLNOTES_DEVICE={name!r} is not a valid torch device: {err}") from None
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
