"""Accessibility and speed of the built site (issue 15, item 8), in Debian's chromium.

axe-core (the engine of Lighthouse's accessibility category) comes from the PyPI package
``axe-playwright-python`` (the ``test`` extra), which ships ``axe.min.js``; it is injected into
the home page, a lecture, a lab and the API page in both languages, at Lighthouse's mobile
viewport, light theme. What is asserted:

* accessibility: no violation of impact "serious" or "critical" among axe's rules tagged WCAG 2.0 /
  2.1 level A or AA or "best-practice". Lighthouse's score is the weighted share of its (axe) audits
  that pass; every audit it failed here (color-contrast, aria-dialog-name, link-in-text-block) is a
  serious one, so this is at least as strict as "Lighthouse accessibility >= 95". Colour contrast,
  the costliest rule (15 s on the API page), is checked on the Chinese page of each pair (the
  languages share stylesheets and markup), outside the MathML formulas (they take the colour of
  their paragraph, which is checked), and in the dark theme on the lecture and lab pages.
* best practices, the cheap part of Lighthouse's: no console error, no request to another host
  (both from the ``page`` fixture of tests/test_browser.py), no deprecation warning, ``<html lang>``
  is the page's language, every image has an ``alt`` and is drawn at its own aspect ratio.
* speed: math typeset at build time (hooks/katex_build.py: no KaTeX script, stylesheet or font
  downloaded by a page whose math is all rendered), figures sized and lazy-loaded
  (hooks/lazy_figures.py). Lighthouse's performance score varies from run to run and is
  measured, not asserted: scripts/lighthouse.py, benchmarks/lighthouse.md.

Without axe or a browser the checks skip loudly; on CI (``CI=true``) a missing axe fails.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import warnings
from pathlib import Path

import pytest

from .conftest import ROOT, in_ci
from .test_browser import browser, page, server  # noqa: F401

PAGES = ["/", "/en/", "/linear-models/", "/en/linear-models/", "/labs/mnist-cnn/", "/en/labs/mnist-cnn/",
         "/api/", "/en/api/"]
MOBILE = {"width": 412, "height": 823}  # Lighthouse's default mobile emulation (Moto G Power)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SEVERE = ("serious", "critical")
NOT_MATH = {"exclude": [["math"]]}  # formulas take their paragraph's colour; 886 of them on the API page


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def axe_script() -> str:
    try:
        from importlib import resources
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        msg = f"AXE-CORE NOT FOUND ({e}): the accessibility audit did NOT run (pip install -e '.[test]')"
        if in_ci():
            pytest.fail(msg)
        warnings.warn(msg)
        pytest.skip(msg)


def run_axe(pg, axe_script: str, run_only: dict, rules: dict | None = None, context: dict | None = None) -> list[str]:
    """The serious and critical violations axe finds on the loaded page, one line each."""
    if not pg.evaluate("typeof axe !== 'undefined'"):
        pg.evaluate(axe_script)
    options = {"runOnly": run_only, "rules": rules or {}, "resultTypes": ["violations"]}
    result = pg.evaluate("([context, options]) => axe.run(context || document, options)", [context, options])
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['nodes'][0]['target']} "
            f"{v['nodes'][0].get('failureSummary', '').splitlines()[-1].strip()[:160]}"
            for v in result["violations"] if v["impact"] in SEVERE]


def open_page(pg, server, route: str, scheme: str = "light") -> list[str]:
    """Load ``route`` at the mobile viewport; returns the deprecation warnings seen on the console."""
    deprecations = []
    pg.on("console", lambda m: deprecations.append(m.text) if m.type == "warning" and "deprecat" in m.text.lower() else None)
    pg.set_viewport_size(MOBILE)
    pg.emulate_media(color_scheme=scheme)
    pg.goto(server + route, wait_until="load")
    pg.evaluate("document.fonts.ready.then(() => true)")
    return deprecations


_IMAGES = """async () => {
  const imgs = [...document.querySelectorAll('article img')];
  for (const img of imgs) img.loading = 'eager';   // load the lazy ones too
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  return imgs.map(img => {
    const box = img.getBoundingClientRect();
    return {src: img.getAttribute('src'), alt: img.getAttribute('alt'), natural: [img.naturalWidth, img.naturalHeight],
            shown: [box.width, box.height]};
  });
}"""


@pytest.mark.parametrize("route", PAGES)
def test_page_is_accessible_and_follows_best_practices(page, server, axe_script, route):
    deprecations = open_page(page, server, route)
    lang = "en" if route.startswith("/en/") else "zh"
    assert page.locator("html").get_attribute("lang") == lang
    severe = run_axe(page, axe_script, {"type": "tag", "values": TAGS}, {"color-contrast": {"enabled": False}})
    if lang == "zh":  # colour contrast, the costliest rule: see the module's docstring
        severe += run_axe(page, axe_script, {"type": "rule", "values": ["color-contrast"]}, context=NOT_MATH)
    assert not severe, f"{route}: axe-core finds\n" + "\n".join(severe)
    bad = []
    for img in page.evaluate(_IMAGES):
        (nw, nh), (w, h) = img["natural"], img["shown"]
        if img["alt"] is None or not img["alt"].strip():
            bad.append(f"{img['src']}: no alt text")
        if nw and nh and w and h and abs(w / h - nw / nh) > 0.02 * nw / nh:
            bad.append(f"{img['src']}: drawn {w:.0f}x{h:.0f}, is {nw}x{nh}")
    assert not bad, bad
    assert not deprecations, deprecations


@pytest.mark.parametrize("route", ["/linear-models/", "/labs/mnist-cnn/"])
def test_dark_theme_has_enough_contrast(page, server, axe_script, route):
    open_page(page, server, route, scheme="dark")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    severe = run_axe(page, axe_script, {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
                     context=NOT_MATH)
    assert not severe, f"{route} (dark): axe-core finds\n" + "\n".join(severe)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the math is typeset in the browser")
@pytest.mark.parametrize("route", ["/linear-models/", "/en/labs/mnist-cnn/"])
def test_math_is_typeset_at_build_time(page, server, route):
    """With node at build time a page downloads no KaTeX (script, stylesheet or font) and its math is MathML."""
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + route, wait_until="load")
    assert page.locator("math").count() >= 20
    assert page.evaluate("[...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex math'))")
    assert not [u for u in requests if "/vendor/katex/" in u], requests


def test_figures_are_sized_and_lazy(built_site):
    html = (built_site / "linear-models" / "index.html").read_text(encoding="utf-8")
    imgs = re.findall(r'<img\b[^>]*src="[^"]*figures/[^"]*"[^>]*>', html)
    assert len(imgs) >= 3
    assert all(re.search(r' width="\d+" height="\d+"', tag) for tag in imgs), imgs
    assert "loading=" not in imgs[0] and all('loading="lazy"' in tag for tag in imgs[1:]), imgs


def test_katex_hook_skips_code_and_renders_every_delimiter():
    hook = load_hook("katex_build")
    assert hook.split(r"a $x_{a$b}$ and $$y$$ \(z\) \[w\] $") == [
        "a ", ("x_{a$b}", False), " and ", ("y", True), " ", ("z", False), " ", ("w", True), " $"]
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    hook.on_config(type("Config", (), {"docs_dir": str(ROOT / "docs")})())
    try:
        page_html = ('<html><head><title>$a$</title></head><body><p>Let $x &lt; 1$.</p>'
                     '<script>var s = "<p>$b$</p>";</script><pre><code>print("$c$")</code></pre>'
                     '<div class="highlight"><span>$d$</span></div><div class="arithmatex">\\[\\log p\\]</div></body></html>')
        out = hook.typeset(page_html)
    finally:
        hook.on_post_build(None)
    assert out.count("<math") == 2 and "<mo>&lt;</mo>" in out
    for untouched in ("<title>$a$</title>", '"<p>$b$</p>"', 'print("$c$")', "<span>$d$</span>"):
        assert untouched in out, untouched
    assert '<div class="arithmatex"><span class="katex-display"><span class="katex"><math display="block">' in out
