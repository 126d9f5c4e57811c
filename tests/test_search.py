"""Search finds the page that defines a term, in the reader's language only (Chromium, Material's real search box).

The query set (tests/data/search_queries.json, made by scripts/search_queries.py) pairs each
glossary term with the lecture page that defines it (the first with a heading that is the term,
else the first that sets it in bold, in nav order). Each query is typed into the
search box of the home page of its language; a hit is the defining page among the first three
result pages. ``python -m tests.test_search SITE_DIR`` prints the hit rates of a built site.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .test_browser import browser, page, server  # noqa: F401

QUERIES = json.loads((Path(__file__).parent / "data" / "search_queries.json").read_text(encoding="utf-8"))
TOP = 3
MIN_HIT_RATE = 0.90

_READ_RESULTS = """() => [...document.querySelectorAll('.md-search-result__list > .md-search-result__item')]
  .map(li => new URL(li.querySelector('a').href).pathname)"""


def search(pg, query: str) -> list[str]:
    """Site paths of the result pages, best first, as the search box lists them for ``query``.

    Material reads the box on ``keyup``: the query is filled (as an input method would) and
    followed by a real key press.
    """
    box, meta = pg.locator("input.md-search__input"), pg.locator(".md-search-result__meta")
    box.fill("")
    box.press("End")
    pg.wait_for_function("el => !el.closest('.md-search').querySelector('.md-search-result__item')",
                         arg=meta.element_handle(), timeout=10000)
    placeholder = meta.inner_text()
    box.fill(query)
    box.press("End")
    pg.wait_for_function("([el, text]) => el.textContent !== text", arg=[meta.element_handle(), placeholder], timeout=10000)
    return pg.evaluate(_READ_RESULTS)


def run_queries(pg, base: str, lang: str) -> dict:
    """Every query of one language typed on that language's home page: hits, misses, other-language results."""
    pg.goto(base + ("/en/" if lang == "en" else "/"))
    pg.locator("label.md-search__icon, .md-search__input").first.click(force=True)
    pg.wait_for_function("() => !/初始化|Initializing/.test(document.querySelector('.md-search-result__meta').textContent)",
                         timeout=30000)
    hits, misses, foreign = 0, [], []
    for q in QUERIES[lang]:
        paths = search(pg, q["query"])
        if "/" + q["page"] in paths[:TOP]:
            hits += 1
        else:
            misses.append((q["query"], q["page"], paths[:TOP]))
        foreign += [(q["query"], p) for p in paths if p.startswith("/en/") != (lang == "en")]
    return {"rate": hits / len(QUERIES[lang]), "hits": hits, "misses": misses, "foreign": foreign}


def _hook():
    import importlib.util

    spec = importlib.util.spec_from_file_location("search_index", Path(__file__).parent.parent / "hooks" / "search_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sections_keep_their_bold_terms_and_whole_english_terms():
    html = ('<h1 id="t">T</h1><p>The <strong>learning rate</strong> is η. <strong>A sentence in bold, not a term.</strong></p>'
            '<h2 id="sgd">SGD</h2><p><strong>随机梯度下降</strong>与 <strong>mini-batch</strong></p>')
    assert _hook().section_terms(html) == {None: ["learning rate", "learningrate"],
                                           "sgd": ["随机梯度下降", "mini-batch", "minibatch"]}


def test_index_keeps_glossary_words_whole(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["fields"]["terms"]["boost"] > index["config"]["fields"]["text"]["boost"]
    text = " ".join(d["text"] for d in index["docs"] if not d["location"].startswith("en/"))
    for word in ("学习率", "步幅", "反向传播"):
        assert f"\u200b{word}\u200b" in text, word
    defined = {d["location"].split("#")[0] for d in index["docs"] if "学习率" in d.get("terms", "")}
    assert "training-recipe/" in defined


def test_each_page_starts_the_language_filtering_worker(built_site):
    for path, keep, drop in (("index.html", "", "en/"), ("en/optimizers/index.html", "en/", "")):
        html = (built_site / path).read_text(encoding="utf-8")
        assert "javascripts/search-worker.js?worker=../assets/javascripts/workers/search." in html
        assert f"&keep={keep}&drop={drop}\"" in html


def test_query_set_is_large_enough_and_current():
    import subprocess

    root = Path(__file__).parent.parent
    check = subprocess.run([sys.executable, "scripts/search_queries.py", "--check"], cwd=root)
    assert check.returncode == 0, "tests/data/search_queries.json is out of date: run python scripts/search_queries.py"
    for lang in ("zh", "en"):
        assert len(QUERIES[lang]) >= 40, lang
        assert all(q["page"].startswith("en/") == (lang == "en") for q in QUERIES[lang])


def test_search_finds_the_defining_page_in_the_readers_language(page, server):  # noqa: F811
    for lang in ("zh", "en"):
        result = run_queries(page, server, lang)
        assert not result["foreign"], f"{lang}: results from the other language: {result['foreign'][:10]}"
        assert result["rate"] >= MIN_HIT_RATE, f"{lang}: hit rate {result['rate']:.0%}, misses: {result['misses']}"


def main(site: str) -> None:
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from .test_browser import CHROMIUM_ARGS, _chromium

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        pg = b.new_page()
        for lang in ("zh", "en"):
            r = run_queries(pg, f"http://127.0.0.1:{httpd.server_port}", lang)
            print(f"{lang}: {r['hits']}/{len(QUERIES[lang])} = {r['rate']:.1%} defining page in top {TOP}; "
                  f"{len(r['foreign'])} results from the other language ({len({q for q, _ in r['foreign']})} queries)")
            for m in r["misses"]:
                print("   miss", *m)
        b.close()
    httpd.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
