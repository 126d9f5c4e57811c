"""b, c. Every python fence of every page runs (Chinese pages; parity proves the English code equal),
printed output is checked, figures are regenerated and recorded, and no fence is silently skipped."""

import pytest

from .conftest import DOCS, FIGURES, PACKAGE, PAGE_TIMES, all_pages, zh_pages
from .harness import figures
from .harness.markdown import parse_fences, read, unmarked_python
from .harness.runner import run_page

PAGE_BUDGET_S = 60


@pytest.mark.parametrize("page", all_pages(), ids=[str(p.relative_to(DOCS)) for p in all_pages()])
def test_no_python_fence_is_silently_skipped(page):
    problems = unmarked_python(parse_fences(read(page)))
    assert not problems, f"{page.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", zh_pages(), ids=[str(p.relative_to(DOCS)) for p in zh_pages()])
def test_page_code_runs(page):
    fences = parse_fences(read(page))
    result = run_page(page, FIGURES)
    PAGE_TIMES[str(page.relative_to(DOCS))] = result.seconds
    # c. the fences that ran are exactly the runnable ones
    assert result.executed == [f.line for f in fences if f.runnable]
    # figures shown by the page are made by the page, and recorded with the code's hash
    missing = set(figures.figure_refs(page)) - set(result.figures)
    assert not missing, f"{page.name} shows figures its code does not make: {sorted(missing)}"
    figures.record(FIGURES, page, result.figures, figures.code_hash(page, PACKAGE))
    assert result.seconds < 2 * PAGE_BUDGET_S, f"{page.name} took {result.seconds:.0f} s (budget {PAGE_BUDGET_S} s)"
