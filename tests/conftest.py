"""Shared fixtures, the CI budget report, and the guard that the suite writes nothing under docs/.

The tests only check: pages write their figures into temporary folders, labs run in
temporary folders, the site is built outside the repository. ``pytest_sessionfinish`` fails
the run when any file or folder under ``docs/`` was created, removed or rewritten (even with
the same bytes). Regenerating is ``python -m tests.harness regenerate``, never a test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FIGURES = DOCS / "figures"
PACKAGE = ROOT / "dlnotes"

# The CI budget (CONTRIBUTING.md): whole CI <= 20 min on 2 cores; a page <= 15 s on average and
# <= 40 s at most; a lab <= 60 s. Tests assert only twice these bounds; the summary reports them.
PAGE_AVERAGE_S, PAGE_MAX_S, LAB_MAX_S = 15, 40, 60
PAGE_TIMES: dict[str, float] = {}
_DOCS_BEFORE: dict[str, tuple] = {}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def docs_snapshot(folder: Path = DOCS) -> dict[str, tuple]:
    """Every file and folder under ``folder`` with its size and modification time (ns)."""
    out = {}
    for p in folder.rglob("*"):
        st = p.stat()
        out[p.relative_to(folder).as_posix()] = ("dir",) if p.is_dir() else (st.st_size, st.st_mtime_ns)
    return out


def docs_changes(before: dict, after: dict) -> list[str]:
    return ([f"created {k}" for k in sorted(after.keys() - before.keys())]
            + [f"removed {k}" for k in sorted(before.keys() - after.keys())]
            + [f"rewritten {k}" for k in sorted(before.keys() & after.keys()) if before[k] != after[k]])


def pytest_sessionstart(session):
    _DOCS_BEFORE.update(docs_snapshot())


def pytest_sessionfinish(session, exitstatus):
    changes = docs_changes(_DOCS_BEFORE, docs_snapshot())
    if changes:
        print("\nTHE TESTS WROTE UNDER docs/ (they must only check):\n  " + "\n  ".join(changes[:20]))
        session.exitstatus = 1


def zh_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.zh.md"))


def all_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"), key=lambda p: str(p))


def notebooks() -> list[Path]:
    return sorted(DOCS.rglob("*.ipynb"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """``mkdocs build --strict`` of the committed docs into a temporary folder (one build for all site and browser tests)."""
    from .harness.site import build

    out = tmp_path_factory.mktemp("site")
    problems = build(ROOT, out)
    assert not problems, "mkdocs build --strict failed:\n" + "\n".join(problems)
    return out


def budget_report(times: dict[str, float]) -> list[str]:
    """Lines of the budget report: totals, the slowest items, and every item over its budget."""
    pages = {k: v for k, v in times.items() if k.endswith(".md")}
    labs = {k: v for k, v in times.items() if k.endswith(".ipynb")}
    lines = []
    if pages:
        avg = sum(pages.values()) / len(pages)
        lines.append(f"pages: {len(pages)} in {sum(pages.values()):.0f} s, average {avg:.1f} s (budget {PAGE_AVERAGE_S} s)"
                     + ("  OVER BUDGET" if avg > PAGE_AVERAGE_S else ""))
    if labs:
        lines.append(f"labs: {len(labs)} in {sum(labs.values()):.0f} s (budget {LAB_MAX_S} s each)")
    for name, secs in sorted(times.items(), key=lambda kv: -kv[1])[:12]:
        limit = LAB_MAX_S if name.endswith(".ipynb") else PAGE_MAX_S
        lines.append(f"{secs:8.1f} s  {name}" + (f"  OVER BUDGET ({limit} s)" if secs > limit else ""))
    return lines


def pytest_runtest_logreport(report):
    """Collect the run time each page or lab test reports (``record_property("budget_seconds", ...)``).

    Reports reach this hook in the main process also when tests run in worker processes.
    """
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "budget_seconds":
                PAGE_TIMES[value[0]] = value[1]


def pytest_terminal_summary(terminalreporter):
    if PAGE_TIMES:
        terminalreporter.section(f"slowest pages and labs (budget: page <= {PAGE_MAX_S} s, average <= {PAGE_AVERAGE_S} s; lab <= {LAB_MAX_S} s)")
        for line in budget_report(PAGE_TIMES):
            terminalreporter.write_line(line)


@pytest.fixture(autouse=False, scope="module")
def one_torch_thread():
    """Tiny tensors: more threads only add OpenMP overhead, which is large on a busy machine.

    Test modules of small numerical checks use it as an autouse fixture by importing it
    under the name ``_one_thread``.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def generator(seed: int):
    """A torch random generator with its own seed (independent of the global one)."""
    import torch

    return torch.Generator().manual_seed(seed)
