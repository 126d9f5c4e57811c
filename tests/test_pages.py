"""b, c. Every python fence of every page runs (Chinese pages; parity proves the English code equal),
printed output is checked, every figure a page shows is made by its code, no fence is silently skipped.

Figures go to a temporary folder: the tests never write under docs/ (see conftest.py).
"""

import pytest

from .conftest import DOCS, PAGE_MAX_S, all_pages, zh_pages
from .harness import figures
from .harness.markdown import page_code, parse_fences, read, unmarked_python
from .harness.runner import run_page


@pytest.mark.parametrize("page", all_pages(), ids=[str(p.relative_to(DOCS)) for p in all_pages()])
def test_no_python_fence_is_silently_skipped(page):
    problems = unmarked_python(parse_fences(read(page)))
    assert not problems, f"{page.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", zh_pages(), ids=[str(p.relative_to(DOCS)) for p in zh_pages()])
def test_pages_that_draw_apply_the_style_in_their_first_block(page):
    fences = [f for f in parse_fences(read(page)) if f.runnable]
    if "plt." in page_code(fences) or "save_figure(" in page_code(fences):
        assert "use_style()" in fences[0].code, f"{page.name} draws figures: call use_style() in its first python block"


@pytest.mark.parametrize("page", zh_pages(), ids=[str(p.relative_to(DOCS)) for p in zh_pages()])
def test_page_code_runs(page, tmp_path, record_property):
    fences = parse_fences(read(page))
    result = run_page(page, tmp_path)
    record_property("budget_seconds", (str(page.relative_to(DOCS)), result.seconds))
    # c. the fences that ran are exactly the runnable ones
    assert result.executed == [f.line for f in fences if f.runnable]
    missing = set(figures.figure_refs(page)) - set(result.figures)
    assert not missing, f"{page.name} shows figures its code does not make: {sorted(missing)}"
    assert result.seconds < 2 * PAGE_MAX_S, f"{page.name} took {result.seconds:.0f} s (budget {PAGE_MAX_S} s)"
