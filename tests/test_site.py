"""g. The strict build, and checks of the built HTML."""

import json

from .conftest import DOCS
from .harness.site import check_site


def test_built_site_is_clean(built_site):
    problems = check_site(built_site)
    assert not problems, "\n".join(problems)


def test_every_page_built_in_both_languages(built_site):
    for md in DOCS.rglob("*.zh.md"):
        rel = md.relative_to(DOCS).as_posix()[: -len(".zh.md")]
        route = "" if rel == "index" else rel.removesuffix("/index") + "/"
        assert (built_site / route / "index.html").is_file(), rel
        assert (built_site / "en" / route / "index.html").is_file(), rel


def test_notebooks_are_rendered_pages_in_both_languages(built_site):
    for nb in DOCS.rglob("*.zh.ipynb"):
        route = nb.relative_to(DOCS).as_posix()[: -len(".zh.ipynb")]
        for lang_dir in (built_site, built_site / "en"):
            html = (lang_dir / route / "index.html").read_text(encoding="utf-8")
            assert html.lstrip().lower().startswith("<!doctype html") and "jupyter-wrapper" in html


def test_search_index_has_chinese_words_and_english_words(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] + " " + d["title"] for d in index["docs"])
    assert "\u200b" in text  # jieba segmentation marks
    assert "似然" in text and "likelihood" in text.lower()


def test_api_reference_headings_follow_the_language(built_site):
    zh = (built_site / "api" / "index.html").read_text(encoding="utf-8")
    en = (built_site / "en" / "api" / "index.html").read_text(encoding="utf-8")
    assert "Returns:" in en and "返回：" not in en
    assert "返回：" in zh and "load_mnist" in zh and "load_mnist" in en


def test_notebook_headings_get_working_anchors(tmp_path):
    """hooks/notebook_pages.py: Chinese headings and headings with `code` in a lab."""
    import shutil

    import nbformat

    from .conftest import ROOT
    from .harness.site import build

    (tmp_path / "docs").mkdir()
    shutil.copytree(ROOT / "hooks", tmp_path / "hooks")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题\n\n## 变形：`view` 与 `reshape`\n\n## Plain `code` heading")]
    nbformat.write(nb, tmp_path / "docs" / "lab.ipynb")
    (tmp_path / "docs" / "index.md").write_text("# i\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ntheme: {name: material, font: false}\nhooks: [hooks/notebook_pages.py]\n"
        "plugins: [mkdocs-jupyter]\nmarkdown_extensions:\n  - toc:\n"
        "      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n", encoding="utf-8")
    assert build(tmp_path, tmp_path / "site") == []
    assert check_site(tmp_path / "site") == []
    html = (tmp_path / "site" / "lab" / "index.html").read_text(encoding="utf-8")
    assert 'href="#变形view-与-reshape"' in html and 'id="变形view-与-reshape"' in html


def test_api_pages_show_no_restructuredtext(built_site):
    """Docstrings are Google style with Markdown: no RST role or double-backtick literal reaches the page."""
    import re

    for page in (built_site / "api" / "index.html", built_site / "en" / "api" / "index.html"):
        html = page.read_text(encoding="utf-8")
        found = re.findall(r":(?:math|func|class|meth|mod|attr|obj|ref|exc|data):|``", html)
        assert not found, f"{page.relative_to(built_site)} shows {sorted(set(found))}"
        assert "save_figure" in html and "recording" in html


class _NotRunBlocks:
    """The ``not-run`` blocks of a built page (their labels and number of code blocks) and the number
    of code blocks outside them (the site's highlighted blocks carry no language class)."""

    def __init__(self, page_html: str):
        from html.parser import HTMLParser

        self.blocks: list[dict] = []  # {"label": str, "code": number of code blocks}
        self.code_outside = 0
        stack: list[str] = []  # "not-run", "label" or "" for each open element we track
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                if tag not in ("div", "p"):
                    return
                classes = (dict(attrs).get("class") or "").split()
                if tag == "div" and "not-run" in classes:
                    outer.blocks.append({"label": "", "code": 0})
                    stack.append("not-run")
                elif tag == "p" and "not-run-label" in classes and "not-run" in stack:
                    stack.append("label")
                else:
                    stack.append("")
                    if tag == "div" and "highlight" in classes:
                        if "not-run" in stack:
                            outer.blocks[-1]["code"] += 1
                        else:
                            outer.code_outside += 1

            def handle_endtag(self, tag):
                if tag in ("div", "p") and stack:
                    stack.pop()

            def handle_data(self, data):
                if stack and stack[-1] == "label":
                    outer.blocks[-1]["label"] += data

        Parser(convert_charrefs=True).feed(page_html)


def test_skipped_fences_are_labelled_not_run_blocks_and_runnable_ones_are_not(built_site):
    """hooks/not_run.py: every ``<!-- skip: reason -->`` fence of every page is inside an element of
    class ``not-run`` labelled in the page's language with the reason; no runnable fence is."""
    import sys

    from .conftest import ROOT, all_pages
    from .harness.markdown import parse_fences, read

    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        from not_run import LABELS
    finally:
        sys.path.remove(str(ROOT / "hooks"))

    counted = {}
    for md in (p for p in all_pages() if p.name.endswith((".zh.md", ".en.md"))):
        lang = md.name[-len("en.md"):-len(".md")]
        rel = md.relative_to(DOCS).as_posix()[: -len(f".{lang}.md")]
        route = "" if rel == "index" else rel.removesuffix("/index") + "/"
        page = (built_site / ("en" if lang == "en" else "") / route / "index.html")
        text = read(md)
        fences = parse_fences(text)
        skipped = [f for f in fences if f.skip_reason]
        found = _NotRunBlocks(page.read_text(encoding="utf-8"))
        name = md.relative_to(DOCS).as_posix()
        assert len(found.blocks) == len(skipped), f"{name}: {len(skipped)} skipped fences, {len(found.blocks)} not-run blocks"
        for fence, block in zip(skipped, found.blocks):
            assert block["label"].strip() == LABELS[lang] + fence.skip_reason, f"{name} line {fence.line}: label {block['label']!r}"
            assert block["code"] == 1, f"{name} line {fence.line}: {block['code']} code blocks in one not-run block"
        shown = len(fences) - len(skipped)  # runnable fences, outputs, console ...: all outside not-run
        if ":::" in text:  # mkdocstrings pages add the docstrings' examples
            assert found.code_outside >= shown, name
        else:
            assert found.code_outside == shown, f"{name}: {shown} fences not skipped, {found.code_outside} code blocks outside not-run"
        counted[name] = len(skipped)
    assert sum(counted.values()) >= 2, counted  # rnn-classification's erratum, in both languages


def test_not_run_hook_keeps_indent_and_leaves_other_fences_alone():
    """hooks/not_run.py on Markdown: a skipped fence inside an admonition keeps its indent; a
    skip marker shown inside another fence is text, not a marker."""
    import sys

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        from not_run import wrap_skipped
    finally:
        sys.path.remove(str(ROOT / "hooks"))
    md = ("??? success \"答案\"\n    <!-- skip: 伪代码 -->\n    ```python\n    f(x)\n    ```\n\n"
          "````text\n<!-- skip: shown -->\n```python\ng(x)\n```\n````\n")
    out = wrap_skipped(md, "zh")
    assert '    <div class="not-run">\n\n    未运行：伪代码\n    {: .not-run-label }\n\n    ```python\n    f(x)\n    ```\n\n    </div>' in out
    assert out.endswith("````text\n<!-- skip: shown -->\n```python\ng(x)\n```\n````\n")
    assert wrap_skipped("<!-- skip: a <b> -->\n```python\nh()\n```", "en").startswith(
        '<div class="not-run" markdown="1">\n\nNot run: a &lt;b&gt;\n{: .not-run-label }\n\n```python')
