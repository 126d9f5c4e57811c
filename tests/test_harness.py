"""Each checker of the harness catches a bad example (c: fences, d: parity, f: figures, g: site)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from .harness import figures, markdown, notebooks, parity, runner, site


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD_PAGE = """\
    # T

    ```python
    x = 1 + 1  # comment
    print(x)
    ```

    <!-- output -->
    ```text
    2
    ```

    ??? success "答案"

        ```python
        print(x * 3)
        ```

        <!-- output -->
        ```text
        6
        ```

    <!-- skip: raises on purpose -->
    ```python
    1 / 0
    ```

    ```console
    $ mkdocs serve
    ```
    """


# ---------------------------------------------------------------- c. every python fence run or marked


def test_fence_check_accepts_run_and_marked_fences():
    fences = markdown.parse_fences(textwrap.dedent(GOOD_PAGE))
    assert [f.runnable for f in fences if f.pythonish] == [True, True, False]
    assert markdown.unmarked_python(fences) == []


@pytest.mark.parametrize("bad", ['```python title="a.py"', "```py", "~~~python", "```python hl_lines=\"1\"", "```{.python}", "```pycon"])
def test_fence_check_flags_silently_skipped_fences(bad):
    fence = "~~~" if bad.startswith("~") else "```"
    problems = markdown.unmarked_python(markdown.parse_fences(f"{bad}\nprint(1)\n{fence}\n"))
    assert len(problems) == 1 and "is not run" in problems[0]


def test_fence_check_requires_a_reason():
    problems = markdown.unmarked_python(markdown.parse_fences("<!-- skip: -->\n```python\nprint(1)\n```\n"))
    assert len(problems) == 1 and "without a reason" in problems[0]


def test_runner_runs_indented_fences_and_checks_output(tmp_path):
    page = _write(tmp_path / "p.zh.md", GOOD_PAGE)
    result = runner.run_page(page, tmp_path / "figs")
    assert result.executed == [3, 15] and result.checked_outputs == 2


def test_runner_catches_wrong_output_and_errors(tmp_path):
    page = _write(tmp_path / "p.zh.md", GOOD_PAGE.replace("    6\n", "    7\n"))
    with pytest.raises(runner.PageError, match="printed output differs"):
        runner.run_page(page, tmp_path / "figs")
    page = _write(tmp_path / "q.zh.md", "```python\nundefined_name\n```\n")
    with pytest.raises(runner.PageError, match="line 1: NameError"):
        runner.run_page(page, tmp_path / "figs")


def test_runner_reseeds_every_page(tmp_path):
    page = _write(tmp_path / "r.zh.md", "```python\nimport torch\nprint(round(torch.rand(1).item(), 6))\n```\n")
    assert runner.run_page(page, tmp_path) and runner.run_page(page, tmp_path)  # no state leaks
    import torch

    import dlnotes
    dlnotes.seed_everything(0)
    expected = round(torch.rand(1).item(), 6)
    _write(tmp_path / "s.zh.md", f"```python\nimport torch\nprint(round(torch.rand(1).item(), 6))\n```\n\n<!-- output -->\n```text\n{expected}\n```\n")
    assert runner.run_page(tmp_path / "s.zh.md", tmp_path).checked_outputs == 1


# ---------------------------------------------------------------- d. parity


def test_parity_accepts_translated_comments(tmp_path):
    zh = _write(tmp_path / "a.zh.md", GOOD_PAGE)
    en = _write(tmp_path / "a.en.md", GOOD_PAGE.replace("# comment", "# 注释").replace("答案", "Answer"))
    assert parity.compare_pages(zh, en) == []


@pytest.mark.parametrize("change,what", [
    (("x = 1 + 1", "x = 1 + 2"), "python code"),
    (("# T\n", "# T\n\n## extra\n"), "headings differ"),
    (("```console", "![a](figures/f.svg)\n\n```console"), "figures differ"),
    (("??? success", "!!! note \"n\"\n\n    text\n\n??? success"), "admonitions differ"),
    (("    6\n", "    7\n"), "printed output"),
])
def test_parity_flags_differences(tmp_path, change, what):
    zh = _write(tmp_path / "a.zh.md", GOOD_PAGE)
    en = _write(tmp_path / "a.en.md", GOOD_PAGE.replace(*change))
    problems = parity.compare_pages(zh, en)
    assert problems and any(what in p for p in problems), problems


def test_parity_flags_missing_twin(tmp_path):
    _write(tmp_path / "a.zh.md", "# a\n")
    _write(tmp_path / "a.en.md", "# a\n")
    _write(tmp_path / "sub" / "b.zh.md", "# b\n")
    pairs, problems = parity.page_pairs(tmp_path)
    assert len(pairs) == 1 and problems == ["sub/b.zh.md has no English twin"]


def _notebook(path: Path, code: list[str]) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t")] + [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, path)
    return path


def test_notebook_parity(tmp_path):
    zh = _notebook(tmp_path / "n.zh.ipynb", ["x = 1  # 一", "print(x)"])
    assert parity.compare_notebooks(zh, _notebook(tmp_path / "n.en.ipynb", ["x = 1  # one", "print(x)"])) == []
    assert parity.compare_notebooks(zh, _notebook(tmp_path / "m.en.ipynb", ["x = 2", "print(x)"])) == ["code cell 1: differs between zh and en"]


def test_notebook_staleness(tmp_path):
    import nbformat

    path = _notebook(tmp_path / "n.zh.ipynb", ["print(6 * 7)"])
    nb = nbformat.read(path, as_version=4)
    assert len(notebooks.stale(nb)) == 2  # never run, no hash
    notebooks.store(path)
    nb = nbformat.read(path, as_version=4)
    assert notebooks.stale(nb) == [] and nb.cells[1].outputs[0]["text"] == "42\n"
    nb.cells[1].source = "print(6 * 9)"
    assert "hash mismatch" in notebooks.stale(nb)[0]


# ---------------------------------------------------------------- f. stale figures

FIG_PAGE = """\
    # F

    ```python
    import matplotlib.pyplot as plt
    from dlnotes.plotting import save_figure
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, {k}])
    save_figure(fig, "toy")
    ```

    ![a toy line](figures/toy.svg)
    """


def test_figures_recorded_then_detected_stale(tmp_path):
    package = Path(__file__).resolve().parent.parent / "dlnotes"
    figdir = tmp_path / "figures"
    page = _write(tmp_path / "f.zh.md", FIG_PAGE.format(k=1))
    result = runner.run_page(page, figdir)
    assert result.figures == ["toy.svg"]
    figures.record(figdir, page, result.figures, figures.code_hash(page, package))
    assert figures.stale_figures([page], figdir, package) == []
    _write(page, FIG_PAGE.format(k=2))  # the code changed, the figure did not
    assert figures.stale_figures([page], figdir, package) == ["f.zh.md: figure toy.svg is stale (its code changed since it was made)"]
    (figdir / "orphan.svg").write_text("<svg/>")
    _write(tmp_path / "g.zh.md", "# G\n\n![x](figures/hand-made.svg)\n")
    (figdir / "hand-made.svg").write_text("<svg/>")
    problems = figures.stale_figures([page, tmp_path / "g.zh.md"], figdir, package)
    assert "g.zh.md: figure hand-made.svg is not in manifest.json (not made by page code)" in problems
    assert "figure orphan.svg is not shown by any page" in problems


def test_figure_hash_follows_the_dlnotes_code_a_page_imports(tmp_path):
    pkg = tmp_path / "dlnotes"
    _write(pkg / "__init__.py", "")
    _write(pkg / "plotting.py", "")
    _write(pkg / "conv.py", "from .helpers import pad\n")
    _write(pkg / "helpers.py", "def pad(): return 0\n")
    _write(pkg / "optim.py", "X = 1\n")
    page = _write(tmp_path / "c.zh.md", "```python\nfrom dlnotes.conv import conv2d\n```\n")
    deps = {p.name for p in figures.dependencies(markdown.page_code(markdown.parse_fences(page.read_text())), pkg)}
    assert deps == {"__init__.py", "plotting.py", "conv.py", "helpers.py"}
    before = figures.code_hash(page, pkg)
    _write(pkg / "optim.py", "X = 2\n")  # not imported by the page: still fresh
    assert figures.code_hash(page, pkg) == before
    _write(pkg / "helpers.py", "def pad(): return 1\n")  # imported indirectly: stale
    assert figures.code_hash(page, pkg) != before


# ---------------------------------------------------------------- g. built-site checks


def test_site_check_accepts_a_clean_site(tmp_path):
    _write(tmp_path / "index.html", '<html><head><link rel="canonical" href="https://x.org/"><link rel="stylesheet" href="a.css"></head>'
                                    '<body><h2 id="s">s</h2><a href="p/#t">p</a><a href="#s">s</a><a href="https://example.org">ok</a><img src="i.svg"></body></html>')
    _write(tmp_path / "a.css", "")
    _write(tmp_path / "i.svg", "<svg/>")
    _write(tmp_path / "p" / "index.html", '<html><body><p id="t">t</p><a href="/index.html">home</a></body></html>')
    assert site.check_site(tmp_path) == []


@pytest.mark.parametrize("html,what", [
    ('<script src="https://cdn.jsdelivr.net/npm/katex.js"></script>', "loads https://cdn.jsdelivr.net"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css">', "from off-site"),
    ('<img src="//example.org/x.png">', "from off-site"),
    ('<img src="figures/missing.svg">', "missing file"),
    ('<a href="other/">x</a>', "missing file"),
    ('<a href="#nowhere">x</a>', "missing anchor"),
])
def test_site_check_flags_bad_pages(tmp_path, html, what):
    _write(tmp_path / "index.html", f"<html><body>{html}</body></html>")
    problems = site.check_site(tmp_path)
    assert len(problems) == 1 and what in problems[0], problems


def test_site_check_flags_raw_notebook_json(tmp_path):
    _write(tmp_path / "labs" / "x" / "index.html", json.dumps({"cells": [{"cell_type": "code"}], "nbformat": 4}))
    assert site.check_site(tmp_path) == ["labs/x/index.html is raw notebook JSON, not HTML"]


def test_strict_build_reports_a_broken_link(tmp_path):
    (tmp_path / "docs").mkdir()
    _write(tmp_path / "mkdocs.yml", "site_name: t\n")
    _write(tmp_path / "docs" / "index.md", "# t\n\n[ok](index.md)\n")
    assert site.build(tmp_path, tmp_path / "site") == []
    _write(tmp_path / "docs" / "index.md", "# t\n\n![missing](figures/nope.svg)\n")
    problems = site.build(tmp_path, tmp_path / "site")
    assert problems and "figures/nope.svg" in problems[0]
