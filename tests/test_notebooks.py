"""e. Lab notebooks: stored outputs come from the current code, and equal what a clean run prints.

Only the zh notebook of a lab is executed; its text outputs are compared with the stored ones
of both language versions (parity proves their code identical).
"""

import nbformat
import pytest

from .conftest import DOCS, LAB_MAX_S, PACKAGE, notebooks
from .harness import notebooks as nbh
from .harness.runner import device_name

NOTEBOOKS = notebooks()
LABS = [p for p in NOTEBOOKS if ".zh." in p.name]


def test_there_are_labs():
    assert LABS and len(NOTEBOOKS) == 2 * len(LABS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_outputs_are_fresh(path):
    problems = nbh.stale(path, PACKAGE)
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("path", LABS, ids=[p.name.replace(".zh.ipynb", "") for p in LABS])
def test_lab_prints_what_both_notebooks_show(path, record_property):
    nb, seconds = nbh.execute(path)
    record_property("budget_seconds", (str(path.relative_to(DOCS)), seconds))
    assert not nbh.errors(nb), nbh.errors(nb)
    exact = device_name() == "cpu"
    problems = [p for stored in (path, nbh.twin(path))
                for p in nbh.compare(nb, nbformat.read(stored, as_version=4), stored.name, exact=exact)]
    assert not problems, "\n".join(problems)
    assert seconds < 2 * LAB_MAX_S, f"{path.name} took {seconds:.0f} s (budget {LAB_MAX_S} s)"
