"""h. The built site in a real headless Chromium (Debian's /usr/bin/chromium; nothing is downloaded).

Skips loudly where no browser exists (a reader's laptop); when DLNOTES_REQUIRE_BROWSER=1
(set by .ci/run) a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import warnings

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for name in (os.environ.get("DLNOTES_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        msg = "NO BROWSER FOUND: the browser checks did NOT run (install Debian's chromium or set DLNOTES_CHROMIUM)"
        if os.environ.get("DLNOTES_REQUIRE_BROWSER") == "1":
            pytest.fail(msg)
        warnings.warn(msg)
        pytest.skip(msg)
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(built_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context()
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    offsite = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) or route.request.url.startswith("data:")
                  else (offsite.append(route.request.url), route.abort()))
    pg.offsite = offsite
    yield pg
    assert not pg.errors, f"console errors: {pg.errors}"
    assert not offsite, f"requests to other hosts: {offsite}"
    context.close()


_UNRENDERED_MATH = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('.arithmatex')) if (!el.querySelector('.katex')) bad.push(el.textContent.slice(0, 60));
  const walker = document.createTreeWalker(document.querySelector('article') || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode, p = n.parentElement;
    if (p.closest('pre, code, .katex, script, style')) continue;
    if (/\\$[^$\\s]|\\\\\\(|\\\\\\[/.test(n.textContent)) bad.push(n.textContent.trim().slice(0, 60));
  }
  return {katex: document.querySelectorAll('.katex').length, bad};
}"""


def test_chinese_home_page_renders(page, server):
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.locator("article h1").first.inner_text().rstrip("¶").strip() == "深度学习讲义"
    assert page.locator("nav.md-nav--primary").inner_text().count("术语表") >= 1


def _routes() -> list[str]:
    """Site routes of the pages that contain math, in both languages."""
    from .conftest import DOCS

    import re

    import nbformat

    routes = []
    for path in sorted(DOCS.rglob("*.zh.*")):
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
        else:
            continue
        text = re.sub(r"(?ms)^\s*(```|~~~).*?^\s*\1|`[^`\n]*`", "", text)  # code is not math
        if "$" not in text:
            continue
        route = path.relative_to(DOCS).as_posix().rsplit(".zh.", 1)[0]
        route = "" if route == "index" else route.removesuffix("/index") + "/"
        routes += [f"/{route}", f"/en/{route}"]
    return routes


@pytest.mark.parametrize("route", _routes())
def test_all_math_is_typeset(page, server, route):
    page.goto(server + route)
    page.wait_for_selector(".katex", state="attached", timeout=10000)
    result = page.evaluate(_UNRENDERED_MATH)
    assert result["katex"] >= 3 and result["bad"] == [], result


def test_language_switch_lands_on_the_same_page(page, server):
    page.goto(server + "/ml-as-statistics/")
    for lang, url in (("en", "/en/ml-as-statistics/"), ("zh", "/ml-as-statistics/")):
        page.locator(".md-header .md-select").first.hover()  # opens the language menu
        page.locator(f'.md-header a[hreflang="{lang}"]').first.click()
        page.wait_for_url(server + url)
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("article h1").first.inner_text().startswith("Machine" if lang == "en" else "机器学习")


# the term's two main pages: which one ranks first shifts as pages are added
@pytest.mark.parametrize("route,term,expect", [
    ("/", "似然", ("/ml-as-statistics/", "/linear-models/")),
    ("/en/", "likelihood", ("/en/ml-as-statistics/", "/en/linear-models/")),
])
def test_search_finds_words(page, server, route, term, expect):
    page.goto(server + route)
    page.locator("label.md-search__icon, .md-search__input").first.click(force=True)
    page.locator("input.md-search__input").fill(term)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
    assert any(e in h for e in expect for h in hrefs), hrefs
