"""Lab notebooks: execute from a clean kernel, store outputs with a hash of the code cells.

``python -m tests.harness.notebooks docs/labs/x.zh.ipynb docs/labs/x.en.ipynb`` re-executes
and stores; the tests check that the stored hash matches the current code cells and that
a fresh execution succeeds.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path


KEY = "dlnotes"


def code_hash(nb) -> str:
    """sha256 of the notebook's code cells, comments kept (they are what the reader sees)."""
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode() + b"\0")
    return h.hexdigest()


def stored_hash(nb) -> str | None:
    return nb.metadata.get(KEY, {}).get("code_sha256")


def stale(nb) -> list[str]:
    """Problems: outputs not produced by the current code, or cells never run."""
    problems = []
    if stored_hash(nb) != code_hash(nb):
        problems.append("outputs were not produced by the current code cells (hash mismatch); re-run it with python -m tests.harness.notebooks")
    if any(c.cell_type == "code" and c.source.strip() and c.execution_count is None for c in nb.cells):
        problems.append("a code cell has never been executed")
    return problems


def execute(path: Path, timeout: int = 300):
    """Execute a notebook from a clean kernel in its own folder; returns (notebook, seconds)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_backup = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    finally:
        if env_backup is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backup
    return nb, time.perf_counter() - start


def store(path: Path) -> float:
    """Execute ``path`` and write it back with outputs and the code hash."""
    import nbformat

    nb, seconds = execute(path)
    nb.metadata[KEY] = {"code_sha256": code_hash(nb)}
    nbformat.write(nb, path)
    return seconds


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"{arg}: executed in {store(Path(arg)):.1f} s")
