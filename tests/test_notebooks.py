"""e. Lab notebooks: stored outputs come from the current code, and a clean execution succeeds."""

import nbformat
import pytest

from .conftest import DOCS, PAGE_TIMES, notebooks
from .harness.notebooks import execute, stale

LAB_BUDGET_S = 120
NOTEBOOKS = notebooks()


def test_there_are_labs():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_outputs_match_code(path):
    problems = stale(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path):
    nb, seconds = execute(path)
    PAGE_TIMES[str(path.relative_to(DOCS))] = seconds
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert seconds < 2 * LAB_BUDGET_S, f"{path.name} took {seconds:.0f} s (budget {LAB_BUDGET_S} s)"
