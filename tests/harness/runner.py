"""Execute the python fences of a page, check printed output, record saved figures.

One execution of a page does everything: it checks outputs and (re)writes the page's
figures through ``dlnotes.plotting.save_figure`` into ``docs/figures``.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .markdown import Fence, parse_fences, read

SEED = 0


class PageError(AssertionError):
    """A page's code failed or printed something other than what the page shows."""


@dataclass
class PageRun:
    page: Path
    executed: list[int] = field(default_factory=list)  # lines of the fences run
    checked_outputs: int = 0
    figures: list[str] = field(default_factory=list)  # file names saved
    seconds: float = 0.0
    printed: dict[int, str] = field(default_factory=dict)  # fence line -> what it printed


def _normalise(out: str) -> str:
    return "\n".join(line.rstrip() for line in out.strip("\n").splitlines())


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
    """Fresh random state and no open figures: nothing leaks from one page to the next."""
    import matplotlib.pyplot as plt
    import torch

    import dlnotes
    from dlnotes import plotting

    plt.close("all")
    torch.set_default_dtype(torch.float32)
    plotting.use_style()
    plotting.saved.clear()
    dlnotes.seed_everything(SEED)


def run_page(page: Path, figure_dir: Path, check: bool = True) -> PageRun:
    """Run every runnable fence of ``page`` in one namespace; raise PageError on a mismatch.

    With ``check=False`` outputs are only recorded (``PageRun.printed``), for
    ``python -m tests.harness.fill`` that writes them into the page.
    """
    from dlnotes import plotting

    page, figure_dir = Path(page).resolve(), Path(figure_dir).resolve()
    fences = parse_fences(read(page))
    outputs = _expected_outputs(fences)
    result, namespace = PageRun(page), {"__name__": "__main__"}
    old_cwd, old_env = os.getcwd(), os.environ.get("DLNOTES_FIGURE_DIR")
    reset_state()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # stray files written by page code land here, not in the repo
        os.environ["DLNOTES_FIGURE_DIR"] = str(figure_dir)
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
                expected = outputs.get(fence.line)
                if check and expected is not None and expected.output_checked:
                    want, got = _normalise(expected.code), _normalise(buf.getvalue())
                    if want != got:
                        diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "page shows", "code prints", lineterm=""))
                        raise PageError(f"{page.name} line {fence.line}: printed output differs from the page\n{diff}")
                    result.checked_outputs += 1
        finally:
            os.chdir(old_cwd)
            if old_env is None:
                os.environ.pop("DLNOTES_FIGURE_DIR", None)
            else:
                os.environ["DLNOTES_FIGURE_DIR"] = old_env
            result.figures = [p.name for p in plotting.saved]
            reset_state()
    result.seconds = time.perf_counter() - start
    return result
