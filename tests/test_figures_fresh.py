"""f. Committed figures are fresh: made by their page's current code (checked before pages re-run)."""

from .conftest import FIGURES, PACKAGE, zh_pages
from .harness.figures import stale_figures


def test_committed_figures_are_fresh():
    problems = stale_figures(zh_pages(), FIGURES, PACKAGE)
    assert not problems, "stale figures; regenerate with `python -m pytest tests/test_pages.py` and commit docs/figures:\n" + "\n".join(problems)
