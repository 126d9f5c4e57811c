"""f. Committed figures are fresh: made by their page's current code and dlnotes modules (manifest.json)."""

import pytest

from .conftest import DOCS, FIGURES, PACKAGE, zh_pages
from .harness.figures import check_diagrams, orphans, stale_figures

HOW = "regenerate with `python -m tests.harness regenerate {}` and commit docs/figures"


@pytest.mark.parametrize("page", zh_pages(), ids=[str(p.relative_to(DOCS)) for p in zh_pages()])
def test_committed_figures_are_fresh(page):
    problems = stale_figures(page, DOCS, FIGURES, PACKAGE)
    assert not problems, "\n".join(problems) + "\n" + HOW.format(page.relative_to(DOCS.parent))


def test_every_figure_file_is_made_by_a_page():
    problems = orphans(DOCS, FIGURES)
    assert not problems, "\n".join(problems)


def test_hand_made_diagrams_are_valid_and_used():
    problems = check_diagrams(DOCS, sorted(DOCS.rglob("*.md")))
    assert not problems, "\n".join(problems)
