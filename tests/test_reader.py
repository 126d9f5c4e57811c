"""The reader's view of the built site (issue 15): notebook downloads, phones and math, output blocks.

Static checks read the built HTML; browser checks use Debian's chromium through the fixtures of
tests/test_browser.py (skipped loudly without a browser unless DLNOTES_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

from .test_browser import CHROMIUM_ARGS, browser, page, server  # noqa: F401

_NOT_PROSE = re.compile(r"(?s)<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MARKER = re.compile(r"<!--\s*output(?:\s*:[^>]*?)?\s*-->\s*(?P<next><[^>]*>)")
OUTPUT_LABELS = {"zh": "输出", "en": "Output"}
DOWNLOAD_LABELS = {"zh": "下载笔记本", "en": "Download notebook"}


def site_routes(site: Path) -> list[str]:
    """Every page of the built site in both languages ("/", "/en/labs/x/", ...), 404 and assets excluded."""
    routes = []
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        if rel.split("/")[0] in ("assets", "search") or "/assets/" in f"/{rel}/":
            continue
        routes.append("/" if rel == "." else f"/{rel}/")
    return routes


def route_language(route: str) -> str:
    return "en" if route.startswith("/en/") else "zh"


def notebook_language(nb) -> str:
    """'zh' when the notebook's Markdown is mostly Chinese, else 'en'."""
    text = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return "zh" if len(_CJK.findall(text)) > 0.1 * len(re.findall(r"[A-Za-z]", text)) else "en"


# ---------- item 3: notebook download ----------

def lab_routes(site: Path) -> list[str]:
    return [r for r in site_routes(site) if "/labs/" in r]


def test_every_lab_page_offers_its_own_notebook(built_site):
    routes = lab_routes(built_site)
    assert len(routes) >= 20, routes
    for route in routes:
        folder = built_site / route.strip("/")
        html = (folder / "index.html").read_text(encoding="utf-8")
        m = re.search(r'<p class="nb-download"><a class="md-button" href="(?P<href>[^"/]+\.ipynb)"[^>]*>.*?'
                      r"(?P<label>[^<>]+)</a></p>", html, re.S)
        assert m, f"{route}: no download button"
        lang = route_language(route)
        assert m["label"].strip() == DOWNLOAD_LABELS[lang], (route, m["label"])
        assert m["href"].endswith(f".{lang}.ipynb"), (route, m["href"])
        assert html.index('class="nb-download"') < html.index("jp-CodeCell"), f"{route}: the button is not at the top"
        nb = nbformat.read(folder / m["href"], as_version=4)
        nbformat.validate(nb)
        assert notebook_language(nb) == lang, route


@pytest.mark.parametrize("route", ["/labs/autograd/", "/en/labs/autograd/"])
def test_download_button_downloads_a_valid_notebook(page, server, route):  # noqa: F811
    page.goto(server + route)
    button = page.locator(".nb-download a.md-button")
    assert button.is_visible()
    lang = route_language(route)
    assert button.inner_text().strip() == DOWNLOAD_LABELS[lang]
    with page.expect_download() as info:
        button.click()
    download = info.value
    nb = nbformat.reads(Path(download.path()).read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(nb)
    assert download.suggested_filename == f"autograd.{lang}.ipynb"
    assert notebook_language(nb) == lang


# ---------- item 4: phones and math ----------

_PHONE_CHECK = """() => {
  const de = document.documentElement, width = de.clientWidth, bad = [];
  for (const el of document.querySelectorAll('.katex-display')) {
    const box = el.getBoundingClientRect(), ox = getComputedStyle(el).overflowX;
    if (el.scrollWidth > el.clientWidth + 1 && ox !== 'auto' && ox !== 'scroll')
      bad.push('clipped: ' + el.textContent.slice(0, 50));
    if (box.width > 0 && (box.left < -1 || box.right > width + 1))
      bad.push('outside the screen: ' + el.textContent.slice(0, 50));
  }
  return {scrollWidth: de.scrollWidth, clientWidth: width, displays: document.querySelectorAll('.katex-display').length, bad};
}"""


def _needed_on_phone(request, server: str) -> bool:
    """Only this site's pages, scripts and stylesheets: images and fonts are not fetched (an image
    keeps its width/height attributes and CSS box), nor the 5 MB search index (halves the run time)."""
    return (request.url.startswith(server) and request.resource_type not in ("image", "font", "media")
            and "/search/search_index.json" not in request.url)


def test_phone_view_never_scrolls_sideways_and_wide_math_scrolls_in_its_box(browser, server, built_site):  # noqa: F811
    routes = site_routes(built_site)
    assert len(routes) >= 70, routes
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                  is_mobile=True, has_touch=True)
    context.route("**/*", lambda r: r.continue_() if _needed_on_phone(r.request, server) else r.abort())
    pg = context.new_page()
    start, problems, displays, wide = time.perf_counter(), [], 0, 0
    try:
        for route in routes:
            html = (built_site / route.strip("/") / "index.html").read_text(encoding="utf-8")
            pg.goto(server + route, wait_until="load")
            if "$$" in _NOT_PROSE.sub("", html):  # notebook math, typeset in the browser
                pg.wait_for_selector(".katex-display", state="attached", timeout=15000)
            r = pg.evaluate(_PHONE_CHECK)
            displays += r["displays"]
            wide += r["scrollWidth"] > r["clientWidth"]
            if r["scrollWidth"] > r["clientWidth"]:
                problems.append(f"{route}: page is {r['scrollWidth']} px wide on a {r['clientWidth']} px screen")
            problems += [f"{route}: {b}" for b in r["bad"]]
    finally:
        context.close()
    elapsed = time.perf_counter() - start
    print(f"\n390-px check: {len(routes)} pages, {displays} display formulas, {elapsed:.0f} s")
    assert displays >= 100, displays
    assert not problems, "\n".join(problems[:40])


# ---------- item 5: output blocks ----------

def test_every_output_marker_is_a_labelled_output_block(built_site):
    count = 0
    for route in site_routes(built_site):
        html = (built_site / route.strip("/") / "index.html").read_text(encoding="utf-8")
        label = OUTPUT_LABELS[route_language(route)]
        for m in _MARKER.finditer(html):
            count += 1
            assert re.fullmatch(rf'<div class="[^"]*\bhighlight output no-copy" data-label="{label}">', m["next"]), (route, m["next"])
    assert count >= 600, count


@pytest.mark.parametrize("route", ["/linear-models/", "/en/linear-models/"])
def test_output_blocks_look_different_and_offer_no_copy_button(page, server, route):  # noqa: F811
    page.goto(server + route)
    page.wait_for_selector(".highlight:not(.output) button[data-clipboard-target]", state="attached")
    for scheme in ("default", "slate"):  # Material's light and dark themes
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        result = page.evaluate(_OUTPUT_LOOK)
        assert result["outputs"] >= 5 and result["visible"] >= 5 and result["codeCopy"] >= 5, (scheme, result)
        assert result["copy"] == 0 and result["sameLook"] == 0 and result["labelShown"], (scheme, result)
        assert result["labels"] == [f'"{OUTPUT_LABELS[route_language(route)]}"'], result


_OUTPUT_LOOK = """() => {
  const out = [...document.querySelectorAll('article .highlight.output')], code = document.querySelector('article .highlight:not(.output) pre');
  const bg = el => getComputedStyle(el).backgroundColor;
  return {
    outputs: out.length,
    copy: out.filter(o => o.querySelector('button[data-clipboard-target]')).length,
    codeCopy: document.querySelectorAll('article .highlight:not(.output) button[data-clipboard-target]').length,
    sameLook: out.filter(o => bg(o.querySelector('pre > code')) === bg(code.querySelector('code'))
                              || getComputedStyle(o).borderLeftStyle === 'none').length,
    labels: [...new Set(out.map(o => getComputedStyle(o, '::before').content))],
    labelShown: out.filter(o => o.offsetParent !== null).every(o => o.querySelector('pre').offsetTop >= 8),
    visible: out.filter(o => o.offsetParent !== null).length,
  };
}"""
