r"""One figure style for the whole site, and deterministic saving.

Figures are language-neutral (English axis labels, math symbols), drawn on an opaque
white background so they read on Material's light and dark themes, with the Okabe--Ito
colour-blind-safe palette and a different line style for each line, so they also read
in grey print.

A page makes a figure with ordinary matplotlib calls and saves it with one call that a
reader can copy::

    from dlnotes.plotting import save_figure
    save_figure(fig, "ml-as-statistics")   # -> figures/ml-as-statistics.svg

See: https://dlnotes.example.org/ (page contract in the README)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

if "MPLBACKEND" not in os.environ and not matplotlib.get_backend().lower().startswith(("module://matplotlib_inline", "module://ipykernel")):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from cycler import cycler  # noqa: E402

__all__ = ["OKABE_ITO", "LINESTYLES", "use_style", "save_figure", "figure_dir"]

#: Okabe & Ito (2008) colour-blind-safe palette (black left out; it is the text colour).
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
#: Line styles paired with the colours, so lines differ in grey print too.
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]

_STYLE = {
    "axes.prop_cycle": cycler(color=OKABE_ITO) + cycler(linestyle=LINESTYLES),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "svg.hashsalt": "dlnotes",  # fixed ids in SVG output
    "svg.fonttype": "path",  # text as paths: no font needed by the reader
    "path.simplify": True,
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FORMATS = ("svg", "png")
#: names of the figures saved in this process, in order (read by the test harness).
saved: list[Path] = []


def use_style() -> None:
    """Apply the notes' figure style to matplotlib's global settings (done on import)."""
    plt.rcParams.update(_STYLE)


def figure_dir() -> Path:
    """The folder figures are saved into: ``$DLNOTES_FIGURE_DIR``, else ``./figures``."""
    return Path(os.environ.get("DLNOTES_FIGURE_DIR", "figures"))


def save_figure(fig: "Figure", name: str, *, fmt: str = "svg") -> Path:
    r"""Save ``fig`` as ``<figure_dir()>/<name>.<fmt>``, deterministically, and close it.

    The folder is created if needed. SVG output carries no date and fixed element ids,
    so the same code gives the same file on the same library versions.

    Args:
        fig: a :class:`matplotlib.figure.Figure`.
        name: file stem, lower-case letters, digits, ``-`` and ``_`` (e.g. ``"kl-asymmetry"``).
        fmt: ``"svg"`` (default) or ``"png"``.

    Returns:
        The path written.

    Raises:
        ValueError: on a name with other characters, or an unknown format.
        TypeError: if ``fig`` is not a matplotlib figure.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure expects a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"figure name must match {_NAME.pattern} (no extension, no folder), got {name!r}")
    if fmt not in _FORMATS:
        raise ValueError(f"fmt must be one of {_FORMATS}, got {fmt!r}")
    path = figure_dir() / f"{name}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    fig.savefig(path, format=fmt, metadata=metadata, bbox_inches="tight", dpi=150 if fmt == "png" else None)
    plt.close(fig)
    saved.append(path)
    return path


use_style()
