"""Lab notebooks: execute the Chinese one once, check the stored outputs of both languages.

Each lab is a pair ``x.zh.ipynb`` + ``x.en.ipynb`` with the same code cells (parity). Only the
zh notebook is executed (from a clean kernel, in a temporary folder); its text outputs
(streams and ``text/plain``, never image bytes) are compared with the stored outputs of both
notebooks, cell by cell. A cell tagged ``unchecked`` (timings) is never compared; one tagged
``device-dependent`` is compared on the CPU only. ``python -m tests.harness regenerate`` stores
the zh outputs in both notebooks with the freshness hash (``freshness.py``) in their metadata.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from . import outputs
from .freshness import hash_of

KEY = "dlnotes"
UNCHECKED, DEVICE_DEPENDENT = "unchecked", "device-dependent"


def twin(path: Path) -> Path:
    """The other language's version of a lab or a page (`x.zh.ipynb` <-> `x.en.ipynb`, same for `.md`)."""
    name = Path(path).name
    return Path(path).with_name(name.replace(".zh.", ".en.") if ".zh." in name else name.replace(".en.", ".zh."))


def stored_hash(nb) -> str | None:
    return nb.metadata.get(KEY, {}).get("code_sha256")


def stale(path: Path, package_dir: Path) -> list[str]:
    """Problems: stored outputs not produced by the current code (or its dlnotes modules), cells never run."""
    import nbformat

    nb, problems = nbformat.read(path, as_version=4), []
    if stored_hash(nb) != hash_of(path, package_dir):
        problems.append("stored outputs are stale: the code cells or a dlnotes module they import changed "
                        "(regenerate with python -m tests.harness regenerate " + Path(path).name + ")")
    if any(c.cell_type == "code" and c.source.strip() and c.execution_count is None for c in nb.cells):
        problems.append("a code cell has never been executed")
    return problems


def execute(path: Path, timeout: int = 300):
    """Execute a notebook from a clean kernel in an empty temporary folder; returns (notebook, seconds)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": tmp}})
        client.execute(env=env)  # the kernel's environment; ours is left alone
    return nb, time.perf_counter() - start


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", "") + "\n")
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}\n")
    return "".join(parts)


def _code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def compare(executed, stored, name: str, *, exact: bool = True) -> list[str]:
    """Problems: code cells whose stored text output differs from what the execution printed."""
    a, b = _code_cells(executed), _code_cells(stored)
    if len(a) != len(b):
        return [f"{name}: {len(b)} code cells stored, {len(a)} executed"]
    problems = []
    for i, (run, kept) in enumerate(zip(a, b), 1):
        tags = set(kept.metadata.get("tags", [])) | set(run.metadata.get("tags", []))
        if UNCHECKED in tags or (DEVICE_DEPENDENT in tags and not exact):
            continue
        if not outputs.same(_text(kept), _text(run), exact=exact):
            problems.append(f"{name} code cell {i}: stored output differs from what it prints\n" + outputs.diff(_text(kept), _text(run)))
    return problems


def errors(nb) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for c in _code_cells(nb) for o in c.outputs if o.output_type == "error"]


def store(path: Path, package_dir: Path) -> float:
    """Execute the zh notebook of ``path``'s lab; store its outputs and hash in both notebooks."""
    import nbformat

    zh = Path(path) if ".zh." in Path(path).name else twin(path)
    nb, seconds = execute(zh)
    if errors(nb):
        raise RuntimeError(f"{zh.name} raised: " + "; ".join(errors(nb)))
    digest = hash_of(zh, package_dir)
    for target in (zh, twin(zh)):
        kept = nbformat.read(target, as_version=4)
        cells = _code_cells(kept)
        if len(cells) != len(_code_cells(nb)):
            raise RuntimeError(f"{target.name}: code cells differ from {zh.name} (check parity)")
        for cell, run in zip(cells, _code_cells(nb)):
            cell.outputs, cell.execution_count = run.outputs, run.execution_count
        kept.metadata[KEY] = {"code_sha256": digest}
        nbformat.write(kept, target)
    return seconds
