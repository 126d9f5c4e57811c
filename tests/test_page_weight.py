"""The built site's page weight (issue 15): light lab pages, lecture pages within budget.

Bounds on each page's HTML, inline images (``data:`` URIs) included, separate image files and
stylesheets excluded: a lab page <= 350 KB, a lecture page <= 250 KB (every page made from a
Markdown page except the API reference, which is reported only); a print page (``print/``,
``en/print/``) is exempt. The five heaviest pages are printed (``pytest -rA`` shows them) and
named in the assertion message. hooks/lab_pages.py moves the notebook CSS into one shared
stylesheet and the output images into files; hooks/code_markup.py lightens code markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

KB = 1000
LAB_MAX, LECTURE_MAX = 350 * KB, 250 * KB


def page_kind(rel: str) -> str | None:
    """'lab', 'lecture', 'reference' or None (not a page, or exempt) for a built HTML file's site path."""
    if not rel.endswith("index.html") or rel.startswith(("assets/", "search/")):
        return None
    route = rel.removeprefix("en/")
    if route.startswith("print/"):
        return None
    if route.startswith("labs/"):
        return "lab"
    return "reference" if route.startswith("api/") else "lecture"


def site_pages(site: Path) -> dict[str, tuple[str, int]]:
    """{site path: (kind, bytes)} of every built page."""
    out = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if kind := page_kind(rel):
            out[rel] = (kind, path.stat().st_size)
    return out


def heaviest(pages: dict[str, tuple[str, int]], n: int = 5) -> str:
    rows = sorted(pages.items(), key=lambda kv: -kv[1][1])[:n]
    return "\n".join(f"{size / KB:8.1f} KB  {kind:9s} {rel}" for rel, (kind, size) in rows)


def test_page_kinds():
    assert page_kind("labs/mnist-cnn/index.html") == "lab"
    assert page_kind("en/labs/mnist-cnn/index.html") == "lab"
    assert page_kind("en/attention/index.html") == "lecture"
    assert page_kind("index.html") == "lecture"
    assert page_kind("en/api/index.html") == "reference"
    assert page_kind("print/index.html") is None and page_kind("en/print/index.html") is None
    assert page_kind("404.html") is None


def test_page_weight(built_site, record_property):
    pages = site_pages(built_site)
    report = heaviest(pages)
    print("\nheaviest pages (HTML, inline images included):\n" + report)
    record_property("heaviest_pages", report)
    kinds = [kind for kind, _ in pages.values()]
    assert kinds.count("lab") >= 20 and kinds.count("lecture") >= 50, sorted(pages)
    over = [f"{rel}: {size / KB:.1f} KB > {(LAB_MAX if kind == 'lab' else LECTURE_MAX) / KB:.0f} KB"
            for rel, (kind, size) in pages.items()
            if (kind == "lab" and size > LAB_MAX) or (kind == "lecture" and size > LECTURE_MAX)]
    assert not over, "pages over their weight budget:\n" + "\n".join(over) + "\nheaviest:\n" + report


_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]*assets/notebook\.[0-9a-f]+\.css)">')
_IMG = re.compile(r"<img\b[^>]*>")


@pytest.fixture(scope="module")
def lab_pages(built_site) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(built_site.glob("**/labs/*/index.html"))}


def test_lab_pages_share_one_notebook_stylesheet(built_site, lab_pages):
    hrefs = set()
    for path, html in lab_pages.items():
        body = html[html.index("</head>"):]
        assert "<style" not in body, f"{path}: notebook CSS still inlined"
        link = _STYLESHEET.search(html[:html.index("</head>")])
        assert link, f"{path}: no link to the shared notebook stylesheet in the head"
        target = (path.parent / link["href"]).resolve()
        assert target.is_file() and target.stat().st_size > 10 * KB, target
        hrefs.add(target)
    assert len(lab_pages) >= 20 and len(hrefs) == 1, hrefs


def test_lab_output_images_are_lazy_files(lab_pages):
    images = 0
    for path, html in lab_pages.items():
        assert "data:image/png" not in html, f"{path}: an output image is still inlined"
        for tag in _IMG.findall(html):
            src = re.search(r'src="([^"]+)"', tag)[1]
            if "nb-img/" not in src:
                continue
            images += 1
            assert 'loading="lazy"' in tag and re.search(r'width="\d+" height="\d+"', tag), tag
            assert (path.parent / src).resolve().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
    assert images >= 30, images
