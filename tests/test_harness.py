"""Each checker of the harness catches a bad example (c: fences, d: parity, f: figures, g: site)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from .conftest import DOCS, FIGURES, PACKAGE, docs_changes, docs_snapshot
from .harness import figures, freshness, markdown, notebooks, outputs, parity, runner, site


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


# ---------------------------------------------------------------- CPU or GPU: the off-CPU tolerance


@pytest.mark.parametrize("shown,printed,off_cpu", [
    ("loss 0.1234, acc 97.9%", "loss 0.1235, acc 97.8%", True),  # last digit flipped by rounding
    ("x = 1.0000", "x = 1.0009", True),  # within rtol 1e-3
    ("x = 1.00", "x = 1.02", False),  # 2 %: beyond
    ("n = 3", "n = 4", False),  # integers: no last-digit slack
    ("tensor([0.5000, 2.0e-03])", "tensor([0.5001, 2.1e-03])", True),
    ("loss 0.1234", "grad 0.1234", False),  # the text must match exactly
    ("nan 1.5", "nan 1.5", True),
])
def test_off_cpu_tolerance(shown, printed, off_cpu):
    assert outputs.same(shown, printed, exact=True) == (shown == printed)
    assert outputs.same(shown, printed, exact=False) == off_cpu


def _perturb(text: str, relative: float) -> str:
    """Every non-integer number of ``text`` moved by ``relative``, printed with the same decimals."""
    def move(m):
        number = m.group(0)
        if "." not in number or "e" in number.lower():
            return number
        decimals = len(number.split(".")[1])
        return f"{float(number) * (1 + relative):.{decimals}f}"

    return outputs._NUMBER.sub(move, text)


def test_real_page_output_with_injected_noise(tmp_path):
    """No GPU here: simulate one by moving the numbers a real page shows, then check as off the CPU."""
    source = (DOCS / "linear-models.zh.md").read_text(encoding="utf-8")
    fences = markdown.parse_fences(source)
    checked = [f for f in fences if f.output_checked and not f.device_dependent and "." in f.code]
    assert len(checked) >= 3
    lines = source.splitlines()

    def page_with(relative):
        new = list(lines)
        for f in checked:
            n = len(f.code.rstrip("\n").splitlines())
            new[f.line:f.line + n] = [f.indent + l if l else l for l in _perturb(f.code, relative).rstrip("\n").splitlines()]
        return _write(tmp_path / f"p{relative}.zh.md", "\n".join(new) + "\n")

    noisy = page_with(2e-4)  # GPU-sized noise: within tolerance, not exact
    assert noisy.read_text(encoding="utf-8") != source
    with pytest.raises(runner.PageError, match="printed output differs"):
        runner.run_page(noisy, tmp_path / "f", exact=True)
    assert runner.run_page(noisy, tmp_path / "f", exact=False).checked_outputs >= len(checked)
    with pytest.raises(runner.PageError, match="beyond the off-CPU tolerance"):
        runner.run_page(page_with(0.05), tmp_path / "f", exact=False)


def test_device_dependent_outputs_are_checked_on_the_cpu_only(tmp_path):
    page = _write(tmp_path / "d.zh.md", "```python\nprint(0.25)\n```\n\n<!-- output: device-dependent -->\n```text\n0.26\n```\n")
    with pytest.raises(runner.PageError):
        runner.run_page(page, tmp_path, exact=True)
    assert runner.run_page(page, tmp_path, exact=False).checked_outputs == 0


# ---------------------------------------------------------------- tests only check


def test_the_docs_guard_sees_a_byte_identical_rewrite(tmp_path):
    import os

    _write(tmp_path / "a" / "x.svg", "<svg/>")
    before = docs_snapshot(tmp_path)
    assert docs_changes(before, docs_snapshot(tmp_path)) == []
    path = tmp_path / "a" / "x.svg"
    path.write_text("<svg/>")
    os.utime(path, ns=(before["a/x.svg"][1] + 10**6, before["a/x.svg"][1] + 10**6))  # same bytes, rewritten
    _write(tmp_path / "b" / "new.svg", "")
    assert docs_changes(before, docs_snapshot(tmp_path)) == ["created b", "created b/new.svg", "rewritten a/x.svg"]


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


def test_notebook_staleness_and_outputs_of_both_languages(tmp_path):
    import nbformat

    zh = _notebook(tmp_path / "n.zh.ipynb", ["import dlnotes  # 一", "print(6 * 7)"])
    en = _notebook(tmp_path / "n.en.ipynb", ["import dlnotes  # one", "print(6 * 7)"])
    assert len(notebooks.stale(zh, PACKAGE)) == 2  # never run, no hash
    notebooks.store(en, PACKAGE)  # naming either language runs the zh notebook and stores both
    for path in (zh, en):
        nb = nbformat.read(path, as_version=4)
        assert notebooks.stale(path, PACKAGE) == [] and nb.cells[2].outputs[0]["text"] == "42\n"
    executed, _ = notebooks.execute(zh)
    assert notebooks.compare(executed, nbformat.read(en, as_version=4), "n.en.ipynb") == []
    nb = nbformat.read(en, as_version=4)
    nb.cells[2].outputs[0]["text"] = "43\n"
    assert "n.en.ipynb code cell 2: stored output differs" in notebooks.compare(executed, nb, "n.en.ipynb")[0]
    nb.cells[2].metadata["tags"] = ["unchecked"]
    assert notebooks.compare(executed, nb, "n.en.ipynb") == []
    nb.cells[2].metadata["tags"] = ["device-dependent"]
    assert notebooks.compare(executed, nb, "n.en.ipynb", exact=True) != [] and notebooks.compare(executed, nb, "n.en.ipynb", exact=False) == []
    nb.cells[2].source = "print(6 * 9)"
    nbformat.write(nb, en)
    assert "stale" in notebooks.stale(en, PACKAGE)[0]


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
    docs = tmp_path / "docs"
    figdir = docs / "figures"
    page = _write(docs / "f.zh.md", FIG_PAGE.format(k=1))
    result = runner.run_page(page, figdir)
    assert result.figures == ["toy.svg"] and (figdir / "toy.svg").is_file()  # recorded by save_figure under the harness
    figures.write_manifest(figdir, {"f.zh.md": {"code_sha256": freshness.hash_of(page, PACKAGE), "figures": result.figures}})
    assert figures.stale_figures(page, docs, figdir, PACKAGE) == [] and figures.orphans(docs, figdir) == []
    _write(page, FIG_PAGE.format(k=2))  # the code changed, the figure did not
    assert figures.stale_figures(page, docs, figdir, PACKAGE) == ["f.zh.md: its figures are stale (the page's code or a dlnotes module it imports changed)"]
    (figdir / "orphan.svg").write_text("<svg/>")
    g = _write(docs / "sub" / "f.zh.md", "# G\n\n![x](../figures/hand-made.svg)\n")  # same file name, other folder
    (figdir / "hand-made.svg").write_text("<svg/>")
    assert figures.stale_figures(g, docs, figdir, PACKAGE) == ["sub/f.zh.md: figure hand-made.svg is not recorded in manifest.json as made by this page"]
    assert "figure orphan.svg is not made by any page (hand-made diagrams go in docs/diagrams/)" in figures.orphans(docs, figdir)


def test_diagram_check(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>{}</title>{}</svg>'
    _write(tmp_path / "diagrams" / "ok.svg", svg.format("an RNN unrolled", '<use href="#a"/>'))
    _write(tmp_path / "diagrams" / "unused.svg", svg.format("x", ""))
    _write(tmp_path / "diagrams" / "bad.svg", "<svg")
    _write(tmp_path / "diagrams" / "untitled.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    _write(tmp_path / "diagrams" / "font.svg", svg.format("y", '<style>@import url("https://fonts.example/x.css");</style>'))
    _write(tmp_path / "diagrams" / "flat.svg", '<svg xmlns="http://www.w3.org/2000/svg"><title>z</title></svg>')
    page = _write(tmp_path / "p.zh.md", "![a](diagrams/ok.svg) ![b](diagrams/bad.svg) ![c](diagrams/untitled.svg) "
                  "![d](diagrams/font.svg) ![e](diagrams/flat.svg)\n")
    problems = figures.check_diagrams(tmp_path, [page])
    assert len(problems) == 5 and problems[0].startswith("diagrams/bad.svg is not valid XML")
    assert problems[1] == "diagrams/flat.svg has no viewBox (it would not scale)"
    assert problems[2].startswith("diagrams/font.svg refers outside itself: ['@import', 'url(\"https://fonts.example")
    assert problems[3:] == ["diagrams/untitled.svg has no <title> (screen readers need one)", "diagrams/unused.svg is not shown by any page"]


def test_figure_hash_follows_the_dlnotes_code_a_page_imports(tmp_path):
    pkg = tmp_path / "dlnotes"
    _write(pkg / "__init__.py", "")
    _write(pkg / "plotting.py", "")
    _write(pkg / "conv.py", "from ._checks import is_int\nfrom .helpers import pad as p\n")
    _write(pkg / "helpers.py", "def pad(): return 0\n")
    _write(pkg / "_checks.py", "def is_int(x): return True\n")
    _write(pkg / "optim.py", "X = 1\n")
    page = _write(tmp_path / "c.zh.md", "```python\nfrom dlnotes import conv as C\n```\n")
    deps = {p.name for p in freshness.dependencies(freshness.code_of(page), pkg)}
    assert deps == {"__init__.py", "plotting.py", "conv.py", "helpers.py", "_checks.py"}
    before = freshness.hash_of(page, pkg)
    _write(pkg / "optim.py", "X = 2\n")  # not imported by the page: still fresh
    assert freshness.hash_of(page, pkg) == before
    _write(pkg / "helpers.py", "def pad(): return 1\n")  # imported indirectly: stale
    assert freshness.hash_of(page, pkg) != before
    _write(page, "```python\n# a comment only changes nothing\nfrom dlnotes import conv as C\n```\n")
    assert freshness.hash_of(page, pkg) == freshness.code_hash("from dlnotes import conv as C\n", pkg)


def test_one_line_in_dlnotes_optim_makes_the_optimizer_page_and_lab_stale(tmp_path):
    """On a copy of the repository's optimizer page, lab, manifest and package (the real files stay untouched)."""
    import shutil

    docs, pkg = tmp_path / "docs", tmp_path / "dlnotes"
    shutil.copytree(PACKAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (docs / "labs").mkdir(parents=True)
    shutil.copytree(FIGURES, docs / "figures")
    for rel in ("optimizers.zh.md", "labs/optimizers.zh.ipynb", "labs/optimizers.en.ipynb"):
        shutil.copyfile(DOCS / rel, docs / rel)
    page, labs = docs / "optimizers.zh.md", [docs / "labs/optimizers.zh.ipynb", docs / "labs/optimizers.en.ipynb"]
    assert figures.stale_figures(page, docs, docs / "figures", pkg) == []
    assert [notebooks.stale(lab, pkg) for lab in labs] == [[], []]
    source = (pkg / "optim.py").read_text(encoding="utf-8")
    (pkg / "optim.py").write_text(source.replace("\n\n", "\n\nCHANGED = 1\n\n", 1), encoding="utf-8")
    assert "stale" in " ".join(figures.stale_figures(page, docs, docs / "figures", pkg))
    assert all("stale" in " ".join(notebooks.stale(lab, pkg)) for lab in labs)


# ---------------------------------------------------------------- g. built-site checks


def test_site_check_accepts_a_clean_site(tmp_path):
    _write(tmp_path / "index.html", '<html><head><link rel="canonical" href="https://x.org/"><link rel="stylesheet" href="a.css"></head>'
                                    '<body><h2 id="s">s</h2><a href="p/#t">p</a><a href="#s">s</a><a href="https://pytorch.org">ok</a><img src="i.svg"></body></html>')
    _write(tmp_path / "a.css", "")
    _write(tmp_path / "i.svg", "<svg/>")
    _write(tmp_path / "p" / "index.html", '<html><body><p id="t">t</p><a href="/index.html">home</a></body></html>')
    assert site.check_site(tmp_path) == []


@pytest.mark.parametrize("html,what", [
    ('<script src="https://cdn.jsdelivr.net/npm/katex.js"></script>', "loads https://cdn.jsdelivr.net"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css">', "from off-site"),
    ('<img src="//cdn.invalid/x.png">', "from off-site"),
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


def test_budget_report_flags_items_over_budget():
    from .conftest import budget_report

    lines = budget_report({"a.zh.md": 10.0, "b.zh.md": 41.0, "labs/x.zh.ipynb": 61.0, "labs/y.zh.ipynb": 5.0})
    assert lines[0] == "pages: 2 in 51 s, average 25.5 s (budget 15 s)  OVER BUDGET"
    assert lines[1] == "labs: 2 in 66 s (budget 60 s each)"
    assert "    61.0 s  labs/x.zh.ipynb  OVER BUDGET (60 s)" in lines and "    41.0 s  b.zh.md  OVER BUDGET (40 s)" in lines
    assert "    10.0 s  a.zh.md" in lines
