"""The copy rule (CONTRIBUTING.md, "Copyable blocks"), for real on a small sample of pages.

A reader who copies all runnable Python blocks of a page, top to bottom, into one file and runs
it with plain ``python`` in an empty folder must succeed: no harness, no reseed, no recording
context, matplotlib's Agg backend as in a terminal without a display. Nothing may appear in the
folder (``save_figure`` writes only when asked). Pages chosen to run in a few seconds.
"""

import os
import subprocess
import sys

import pytest

from .conftest import DOCS, ROOT
from .harness.markdown import parse_fences, read

SAMPLE = ["training-recipe.zh.md", "intro.zh.md", "ml-as-statistics.zh.md"]


def copied_script(page) -> str:
    """What the reader pastes: the runnable fences of ``page``, top to bottom, in one file."""
    return "\n\n".join(f.code for f in parse_fences(read(page)) if f.runnable)


@pytest.mark.parametrize("name", SAMPLE)
def test_runnable_blocks_copied_into_one_file_run_in_an_empty_folder(name, tmp_path):
    script = tmp_path / "copied.py"
    script.write_text(copied_script(DOCS / name), encoding="utf-8")
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLNOTES_", "MPL", "PYTHON"))}
    env.update(MPLBACKEND="Agg", PYTHONPATH=str(ROOT))  # the reader has dlnotes installed
    if "DLNOTES_DATA" in os.environ:
        env["DLNOTES_DATA"] = os.environ["DLNOTES_DATA"]
    proc = subprocess.run([sys.executable, str(script)], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{name}: the copied blocks fail\n{proc.stderr[-3000:]}"
    assert not any(folder.iterdir()), f"{name}: running the copied blocks wrote {sorted(p.name for p in folder.iterdir())}"


MAX_BLOCK_LINES = 40


def long_blocks(page) -> list[str]:
    """Runnable fences of ``page`` longer than MAX_BLOCK_LINES lines (CONTRIBUTING: split them)."""
    return [f"line {f.line}: {len(f.code.splitlines())} lines" for f in parse_fences(read(page))
            if f.runnable and len(f.code.splitlines()) > MAX_BLOCK_LINES]


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_no_runnable_block_is_longer_than_40_lines(page):
    assert not long_blocks(page), f"{page.name}: split into a teaching block and a collapsed one: {long_blocks(page)}"


def test_long_block_check_can_fail(tmp_path):
    page = tmp_path / "x.md"
    page.write_text("# T\n\n```python\n" + "x = 1\n" * 41 + "```\n\n```python\n" + "y = 2\n" * 40 + "```\n", encoding="utf-8")
    assert long_blocks(page) == ["line 3: 41 lines"]
