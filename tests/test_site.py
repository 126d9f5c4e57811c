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
