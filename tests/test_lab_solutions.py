"""Solutions of lab exercises are collapsed: in JupyterLab (cell metadata) and on the site (hooks/lab_solutions.py)."""

from __future__ import annotations

import re
import sys

import nbformat
import pytest

from .conftest import DOCS, ROOT, notebooks

sys.path.insert(0, str(ROOT / "hooks"))
from lab_solutions import fold_solutions  # noqa: E402

_LABEL = {"zh": "**参考答案**", "en": "**Solution**"}
_EXERCISE = {"zh": re.compile(r"^#{2,3} 练习"), "en": re.compile(r"^#{2,3} Exercise")}


def _lang(path) -> str:
    return path.name.rsplit(".", 2)[1]


def _solutions(nb) -> list[list[int]]:
    """Runs of consecutive cells tagged ``solution``."""
    runs, prev = [], None
    for i, c in enumerate(nb.cells):
        if "solution" in c.metadata.get("tags", []):
            runs[-1].append(i) if prev == i - 1 else runs.append([i])
            prev = i
    return runs


@pytest.mark.parametrize("path", notebooks(), ids=[p.name for p in notebooks()])
def test_every_exercise_has_a_collapsed_solution_never_shown_below_the_question(path):
    nb, lang = nbformat.read(path, as_version=4), _lang(path)
    runs = _solutions(nb)
    exercises = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and _EXERCISE[lang].match(c.source)]
    labels = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(_LABEL[lang])]
    assert [r[0] for r in runs] == labels, f"{path.name}: every solution label starts a tagged run, and only those"
    for ex, nxt in zip(exercises, exercises[1:] + [len(nb.cells)]):
        inside = [r for r in runs if ex < r[0] < nxt]
        assert inside, f"{path.name}: the exercise in cell {ex} has no collapsed solution before the next exercise"
    for run in runs:
        for i in run:
            hidden = nb.cells[i].metadata.get("jupyter", {})
            assert hidden.get("source_hidden") is True, f"{path.name}: cell {i} is not collapsed in JupyterLab"
            if nb.cells[i].cell_type == "code":
                assert hidden.get("outputs_hidden") is True, f"{path.name}: outputs of cell {i} are not collapsed"


def test_labs_with_exercises_exist():
    assert sum(bool(_solutions(nbformat.read(p, as_version=4))) for p in notebooks()) >= 8


def _cell(tag: str, body: str, markdown: bool) -> str:
    if markdown:
        return (f'<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-Cell-inputWrapper">'
                f'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput {tag}">{body}</div></div></div>')
    return f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell {tag}"><div class="x"><pre>{body}</pre></div></div>'


def test_fold_wraps_each_run_and_moves_the_label_into_the_summary():
    html = ("<main>" + _cell("", "<p>Question?</p>", True)
            + _cell("celltag_solution", "<p><strong>Solution</strong></p><p>Because.</p>", True) + "\n"
            + _cell("celltag_solution", "print(1)", False)
            + _cell("", "<h2>Next</h2>", True)
            + _cell("celltag_solution", "<p><strong>Solution</strong></p>", True) + "</main>")
    out = fold_solutions(html)
    assert out.count('<details class="success lab-solution"><summary>Solution</summary>') == 2
    assert out.count("</details>") == 2
    assert "<strong>Solution</strong>" not in out
    first = out[out.index("<details"):out.index("</details>")]
    assert "Because." in first and "print(1)" in first and "Next" not in first and "Question?" not in first
    assert fold_solutions("<p>no cells</p>") == "<p>no cells</p>"


def test_fold_refuses_a_solution_without_its_label():
    with pytest.raises(ValueError, match="label"):
        fold_solutions(_cell("celltag_solution", "<p>Because.</p>", True))


def test_site_folds_the_solutions(built_site):
    pages = {"labs/modules": 2, "labs/pytorch-basics": 3, "labs/optimizers": 1, "labs/autograd": 1}
    for lang, prefix, label in (("zh", "", "参考答案"), ("en", "en/", "Solution")):
        for page, n in pages.items():
            html = (built_site / prefix / page / "index.html").read_text(encoding="utf-8")
            opened = re.findall(r'<details class="success lab-solution"><summary>([^<]*)</summary>', html)
            assert opened == [label] * n, f"{prefix}{page}: {opened}"
            assert html.count("</details>") >= n
