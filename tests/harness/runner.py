"""Execute the python fences of a page, check printed output, record the figures it makes.

A page runs like a notebook: all runnable fences top to bottom in one namespace, in a fresh
temporary working directory, after ``reset_state()``. Its figures are collected through
``dlnotes.plotting.recording(figure_dir)``; the caller chooses ``figure_dir`` (a temporary
folder when checking, ``docs/figures`` only through ``python -m tests.harness regenerate``).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import outputs
from .markdown import Fence, parse_fences, read

SEED = 0


class PageError(AssertionError):
    """A page's code failed or printed something other than what the page shows."""


@dataclass
class PageRun:
    page: Path
    device: str = "cpu"
    executed: list[int] = field(default_factory=list)  # lines of the fences run
    checked_outputs: int = 0
    figures: list[str] = field(default_factory=list)  # file names saved
    seconds: float = 0.0
    printed: dict[int, str] = field(default_factory=dict)  # fence line -> what it printed


def _expected_outputs(fences: list[Fence]) -> dict[int, Fence]:
    """python fence line -> the output fence right after it."""
    pairs = {}
    for prev, cur in zip(fences, fences[1:]):
        if cur.is_output:
            if not prev.runnable:
                raise PageError(f"line {cur.line}: output block does not follow a run python fence")
            pairs[prev.line] = cur
    return pairs


def reset_state() -> None:
    """Matplotlib's defaults (Agg, no open figure), float32, a fresh seed: nothing leaks between pages."""
    import matplotlib
    import matplotlib.pyplot as plt
    import torch

    import dlnotes

    plt.close("all")
    plt.switch_backend("agg")
    matplotlib.rcdefaults()  # a page applies the notes' style itself (use_style() in its first block)
    torch.set_default_dtype(torch.float32)
    dlnotes.seed_everything(SEED)


def device_name() -> str:
    """The device pages run on (``dlnotes.get_device()``): outputs are exact only on the CPU."""
    import dlnotes

    return dlnotes.get_device().type


def _check(page: Path, fence: Fence, expected: Fence | None, printed: str, exact: bool) -> bool:
    if expected is None or not expected.output_checked or (expected.device_dependent and not exact):
        return False
    if not outputs.same(expected.code, printed, exact=exact):
        how = "" if exact else f" (beyond the off-CPU tolerance, rtol {outputs.RTOL} + last digit)"
        raise PageError(f"{page.name} line {fence.line}: printed output differs from the page{how}\n"
                        + outputs.diff(expected.code, printed))
    return True


def run_page(page: Path, figure_dir: Path, *, check: bool = True, exact: bool | None = None) -> PageRun:
    """Run every runnable fence of ``page`` in one namespace; raise PageError on a mismatch.

    Args:
        page: the Markdown page.
        figure_dir: where ``save_figure`` calls of the page write (through a recording context).
        check: compare printed output with the page's output blocks (``False`` only records
            ``PageRun.printed``, for ``python -m tests.harness fill``).
        exact: exact comparison; default: on the CPU exact, elsewhere within the tolerance of
            ``tests/harness/outputs.py``, skipping device-dependent outputs.
    """
    from dlnotes import plotting

    page, figure_dir = Path(page).resolve(), Path(figure_dir).resolve()
    fences = parse_fences(read(page))
    expected = _expected_outputs(fences)
    result = PageRun(page, device=device_name())
    exact = result.device == "cpu" if exact is None else exact
    namespace, old_cwd = {"__name__": "__main__"}, os.getcwd()
    reset_state()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, plotting.recording(figure_dir) as rec:
        os.chdir(tmp)  # stray files written by page code land here, not in the repo
        try:
            for fence in (f for f in fences if f.runnable):
                code = compile("\n" * fence.line + fence.code, str(page), "exec")
                buf = io.StringIO()
                try:
                    with contextlib.redirect_stdout(buf):
                        exec(code, namespace)
                except Exception as err:
                    raise PageError(f"{page.name} line {fence.line}: {type(err).__name__}: {err}") from err
                result.executed.append(fence.line)
                result.printed[fence.line] = buf.getvalue()
                if check:
                    result.checked_outputs += _check(page, fence, expected.get(fence.line), buf.getvalue(), exact)
        finally:
            os.chdir(old_cwd)
            result.figures = rec.names
            reset_state()
    result.seconds = time.perf_counter() - start
    return result
