r"""One figure style for the whole site, and one call to save a figure.

Figures are language-neutral (English axis labels, math symbols), drawn on an opaque
white background so they read on Material's light and dark themes, with the Okabe–Ito
colour-blind-safe palette and a different line style for each line, so they also read
in grey print.

Importing this module changes nothing in matplotlib (neither the backend nor `rcParams`).
A page applies the style with one explicit call in its first block, draws with ordinary
matplotlib calls, and names its figures with one call that a reader can copy:

```python
import matplotlib.pyplot as plt
from dlnotes.plotting import save_figure, use_style

use_style()                       # the notes' style, for this session
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 1])
save_figure(fig, "my-line")       # Jupyter shows fig; nothing is written
save_figure(fig, "my-line", path="out")   # writes out/my-line.svg
```

`save_figure` never closes the figure and writes a file only when asked (`path`), or
when a [`recording`][dlnotes.plotting.recording] context is active: that is how the
test harness of the notes collects the figures a page makes, explicitly, with no
environment variable or module-level list between the two.

See: the page contract in CONTRIBUTING.md, "Figures".
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "LINESTYLES", "STYLE", "use_style", "style", "save_figure", "recording", "Recording"]

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
"""Okabe & Ito (2008) colour-blind-safe palette (black left out; it is the text colour)."""
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
"""Line styles paired with the colours, so lines differ in grey print too."""
STYLE = {
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
"""The notes' matplotlib settings; `use_style()` adds the colour and line-style cycle."""
# The settings that make a saved file deterministic and self-contained (applied while saving).
_SAVE_KEYS = ("svg.hashsalt", "svg.fonttype", "savefig.facecolor", "savefig.transparent", "path.simplify")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FORMATS = ("svg", "png")


@dataclass
class Recording:
    """The figures saved while a [`recording`][dlnotes.plotting.recording] context is active.

    Attributes:
        folder: where the figures are written.
        paths: the files written, in the order the figures were saved.
    """

    folder: Path
    paths: list[Path] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """File names (`name.svg`) of the figures saved so far."""
        return [p.name for p in self.paths]


_active: contextvars.ContextVar[Recording | None] = contextvars.ContextVar("dlnotes_recording", default=None)


def _rc() -> dict:
    from cycler import cycler

    return {**STYLE, "axes.prop_cycle": cycler(color=OKABE_ITO) + cycler(linestyle=LINESTYLES)}


def use_style() -> None:
    """Apply the notes' figure style to matplotlib's settings for the rest of the session.

    Pages and labs call it once, in their first block. To style a few figures only, use
    [`style`][dlnotes.plotting.style] instead.
    """
    import matplotlib

    matplotlib.rcParams.update(_rc())


def style() -> contextlib.AbstractContextManager:
    """A context manager applying the notes' style inside a `with` block only.

    Returns:
        A `matplotlib.rc_context` with the notes' settings.
    """
    import matplotlib

    return matplotlib.rc_context(_rc())


@contextlib.contextmanager
def recording(folder: str | Path) -> Iterator[Recording]:
    """Within the `with` block, every `save_figure(fig, name)` writes `<folder>/<name>.svg`.

    The test harness of the notes runs a page inside this context to collect the figures
    the page makes; nothing else in the package or the environment changes.

    Args:
        folder: the folder to write figures into (created when needed).

    Yields:
        A [`Recording`][dlnotes.plotting.Recording] whose `paths` grow as figures are saved.
    """
    rec = Recording(Path(folder))
    token = _active.set(rec)
    try:
        yield rec
    finally:
        _active.reset(token)


def _destination(name: str, path: str | Path, fmt: str) -> Path:
    path = Path(path)
    if path.suffix:  # a file name: its suffix picks the format
        if path.suffix[1:] not in _FORMATS:
            raise ValueError(f"save_figure: path must end in one of {_FORMATS} or name a folder, got {str(path)!r}")
        return path
    return path / f"{name}.{fmt}"


def _write(fig: "Figure", path: Path) -> Path:
    fmt = path.suffix[1:]
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    import matplotlib

    with matplotlib.rc_context({k: STYLE[k] for k in _SAVE_KEYS}):  # whatever the session's settings
        fig.savefig(path, format=fmt, metadata=metadata, bbox_inches="tight", dpi=150 if fmt == "png" else None)
    return path


def save_figure(fig: "Figure", name: str, *, path: str | Path | None = None, fmt: str = "svg") -> Path | None:
    r"""Name a figure of the notes, and write it when asked; the figure stays open.

    The figure is never closed, so a block copied into Jupyter shows it inline (a script
    adds `plt.show()`). A file is written only

    - when `path` is given: a folder (the file is `<path>/<name>.<fmt>`) or a file name
      ending in `.svg` or `.png`; or
    - inside a [`recording`][dlnotes.plotting.recording] context (the test harness of
      the notes): `<folder>/<name>.<fmt>`, recorded in the context.

    SVG output carries no date and fixed element ids, so the same code gives the same
    file on the same library versions.

    Args:
        fig: a matplotlib `Figure`.
        name: file stem, lower-case letters, digits, `-` and `_` (e.g. `"kl-asymmetry"`).
        path: where to write the figure, if anywhere (see above).
        fmt: `"svg"` (default) or `"png"`.

    Returns:
        The path written by the call (the recording's when both apply), or `None` when
        nothing was written.

    Raises:
        TypeError: if `fig` is not a matplotlib figure.
        ValueError: on a name with other characters, or an unknown format.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure expects a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"figure name must match {_NAME.pattern} (no extension, no folder), got {name!r}")
    if fmt not in _FORMATS:
        raise ValueError(f"fmt must be one of {_FORMATS}, got {fmt!r}")
    written = _write(fig, _destination(name, path, fmt)) if path is not None else None
    rec = _active.get()
    if rec is not None:
        written = _write(fig, rec.folder / f"{name}.{fmt}")
        rec.paths.append(written)
    return written
