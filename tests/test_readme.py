"""The README's lecture map lists every page and lab of the site's navigation, and only real files."""

import re

from .conftest import ROOT

_NAV_ITEM = re.compile(r"^\s*-\s*[^:]+:\s*(\S+\.(?:md|ipynb))\s*$")
_LINK = re.compile(r"\]\((docs/[^)]+)\)")


def nav_pages(mkdocs_yml: str) -> list[str]:
    """Pages and labs in the nav of mkdocs.yml, as docs-relative paths without language (``labs/x.ipynb``)."""
    nav = mkdocs_yml[mkdocs_yml.index("\nnav:"):]
    return [m.group(1) for line in nav.splitlines() if (m := _NAV_ITEM.match(line))]


def lecture_map(readme: str) -> list[str]:
    """Links in the README's lecture-map table, as docs-relative paths without language."""
    section = readme[readme.index("## Lecture map"):]
    table = section[: section.index("\n## ")]
    return [re.sub(r"\.zh\.(md|ipynb)$", r".\1", link[len("docs/"):].split("#")[0]) for link in _LINK.findall(table)]


def test_nav_parser_reads_pages_and_labs():
    assert nav_pages("x\nnav:\n  - 首页: index.md\n  - 导论:\n      - 实验：数据: labs/datasets.ipynb\n") == ["index.md", "labs/datasets.ipynb"]


def test_every_nav_page_is_in_the_lecture_map():
    listed = set(lecture_map((ROOT / "README.md").read_text(encoding="utf-8")))
    nav = nav_pages((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert len(nav) > 10
    assert not [p for p in nav if p not in listed], "add these pages to the README's lecture map"


def test_lecture_map_links_exist():
    for path in lecture_map((ROOT / "README.md").read_text(encoding="utf-8")):
        stem, ext = path.rsplit(".", 1)
        assert (ROOT / "docs" / f"{stem}.zh.{ext}").is_file(), path
