"""The print edition (hooks/print_page.py) in Chromium: every chapter, figure and formula is on the
page, and it prints to a PDF of a plausible number of pages (Debian's chromium, nothing downloaded)."""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import pytest

from .test_browser import _UNRENDERED_MATH, browser, page, server  # noqa: F401

_ARTICLE = re.compile(r'(?s)<article class="md-content__inner md-typeset">(.*)</article>')
_IMG = re.compile(r'<img[^>]*?\ssrc="([^"]+)"')

_IMAGES = """async () => {
  const imgs = [...document.querySelectorAll('article img')];
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  return imgs.map(img => ({src: img.src, ok: img.complete && img.naturalWidth > 0}));
}"""


def chapter_images(site, lang: str) -> dict[str, set[str]]:
    """Per chapter page of one language (site path), the absolute paths of the images in its article."""
    root = site / "en" if lang == "en" else site
    prefix = "/en/" if lang == "en" else "/"
    out = {}
    for html in sorted(root.rglob("index.html")):
        url = prefix + html.parent.relative_to(root).as_posix().removeprefix(".") + "/"
        url = url.replace("//", "/")
        if lang == "zh" and url.startswith("/en/") or url in (prefix, prefix + "api/", prefix + "print/"):
            continue
        m = _ARTICLE.search(html.read_text(encoding="utf-8"))
        if m:
            out[url] = {urljoin(url, src) for src in _IMG.findall(m.group(1)) if not src.startswith("data:")}
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_print_edition_has_every_chapter_figure_and_formula(page, server, built_site, lang):  # noqa: F811
    start = time.monotonic()
    expected = chapter_images(built_site, lang)
    assert len(expected) >= 30, sorted(expected)
    route = "/en/print/" if lang == "en" else "/print/"
    page.goto(server + route, wait_until="load", timeout=60000)

    chapters = page.locator("section.print-chapter").evaluate_all("els => els.map(e => e.id)")
    assert len(chapters) == len(expected), (chapters, sorted(expected))
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer"):
        assert not page.locator(hidden).first.is_visible(), hidden

    images = page.evaluate(_IMAGES)
    loaded = {img["src"].removeprefix(server) for img in images if img["ok"]}
    assert all(img["ok"] for img in images), [img["src"] for img in images if not img["ok"]]
    missing = {url: srcs - loaded for url, srcs in expected.items() if srcs - loaded}
    assert not missing, missing

    page.wait_for_function("() => document.querySelectorAll('.katex').length > 0", timeout=30000)
    math = page.evaluate(_UNRENDERED_MATH)
    assert math["katex"] > 500 and math["bad"] == [], math

    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    print(f"{route}: {len(chapters)} chapters, {len(images)} images, {math['katex']} formulas, "
          f"PDF {pages} pages, {len(pdf) / 1e6:.1f} MB, {time.monotonic() - start:.1f} s")
    assert 3 * len(chapters) <= pages <= 2000, pages


def test_chapter_links_ids_and_images_are_rewritten_for_the_print_page():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("print_page", Path(__file__).parent.parent / "hooks" / "print_page.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    chapters = {"cnn/": "cnn", "labs/mnist-cnn/": "labs-mnist-cnn"}
    html = ('<h2 id="pooling">P</h2><a href="#pooling">x</a><a href="../../cnn/#pooling">y</a><a href="../../api/#dlnotes.conv">z</a>'
            '<img src="../../figures/a.svg" loading="lazy"><details class="success"><summary>s</summary></details>'
            '<a href="https://pytorch.org/">t</a><label for="__tabbed_1_1">l</label>')
    out = hook.chapter(html, "labs/mnist-cnn/", "print/", chapters)
    assert out.startswith('<section class="print-chapter" id="labs-mnist-cnn">')
    assert 'id="labs-mnist-cnn--pooling"' in out and 'href="#labs-mnist-cnn--pooling"' in out
    assert 'href="#cnn--pooling"' in out and 'href="../api/#dlnotes.conv"' in out
    assert '<img src="../figures/a.svg">' in out and "<details open" in out
    assert 'href="https://pytorch.org/"' in out and 'for="labs-mnist-cnn--__tabbed_1_1"' in out
