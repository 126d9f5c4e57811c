"""Derive the search query set (tests/data/search_queries.json) from the glossary.

Each glossary row names a term in both languages. Its *defining page* is the first lecture page,
in navigation order, with a heading that is the term (the page or section about it), else the first
one that sets the term in bold (``**term**``: how the notes introduce a term). Rows whose term is
neither, or whose two languages disagree on the page, are left out.

    python scripts/search_queries.py            # rewrite tests/data/search_queries.json
    python scripts/search_queries.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OUT = ROOT / "tests" / "data" / "search_queries.json"
REFERENCE = {"index.md", "glossary.md", "api/index.md"}  # pages that mention every term


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)  # ignore !ENV, !!python tags


def nav_pages() -> list[str]:
    """The lecture pages (not labs, not reference pages) in navigation order, e.g. 'intro'."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    pages: list[str] = []

    def walk(items):
        for item in items:
            for value in item.values():
                if isinstance(value, list):
                    walk(value)
                elif value.endswith(".md") and value not in REFERENCE:
                    pages.append(value[:-3])

    walk(config["nav"])
    return pages


def glossary_rows() -> list[tuple[str, str]]:
    """(Chinese term, English term) per glossary row, rows matched by position."""
    def terms(lang: str, column: int) -> list[str]:
        rows = [line.split("|")[1:-1] for line in (DOCS / f"glossary.{lang}.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("| ") and not line.startswith("| ---")]
        return [cells[column].strip() for cells in rows if cells[0].strip() not in ("中文", "English")]

    zh, en = terms("zh", 0), terms("en", 0)
    assert len(zh) == len(en), "the two glossaries must have the same rows"
    return list(zip(zh, en))


def _query(term: str) -> str:
    """The term as a reader types it: without a parenthesized abbreviation, e.g. 'mean squared error'."""
    return re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", term).strip()


def defining_page(term: str, lang: str, pages: list[str]) -> str | None:
    heading = re.compile(r"(?im)^#{1,4} +" + re.escape(term) + r"\s*(\{[^}]*\})?\s*$")
    bold = re.compile(r"\*\*" + re.escape(term) + r"\*\*", re.IGNORECASE)
    texts = {name: (DOCS / f"{name}.{lang}.md").read_text(encoding="utf-8") for name in pages}
    for pattern in (heading, bold):
        for name in pages:
            if pattern.search(texts[name]):
                return name
    return None


def build() -> dict:
    pages = nav_pages()
    queries: dict[str, list[dict]] = {"zh": [], "en": []}
    for zh, en in glossary_rows():
        zq, eq = _query(zh), _query(en)
        page_zh, page_en = defining_page(zq, "zh", pages), defining_page(eq, "en", pages)
        if page_zh and page_zh == page_en and len(eq) > 2:
            queries["zh"].append({"query": zq, "page": f"{page_zh}/"})
            queries["en"].append({"query": eq, "page": f"en/{page_en}/"})
    return {"about": "glossary terms and the page that first sets each in bold; made by scripts/search_queries.py",
            **queries}


def main(argv: list[str]) -> int:
    text = json.dumps(build(), ensure_ascii=False, indent=1) + "\n"
    if "--check" in argv:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    data = json.loads(text)
    print(f"{OUT.relative_to(ROOT)}: {len(data['zh'])} zh and {len(data['en'])} en queries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
