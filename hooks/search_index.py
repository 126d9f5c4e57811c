"""MkDocs hook: search in the reader's language, with Chinese words kept whole (tested in tests/test_search.py).

mkdocs-static-i18n writes the pages of both languages into one index (search/search_index.json),
and Material's search worker cuts a Chinese query by a greedy match against the index that never
takes the whole query as a word: "学习率" is searched as "学习*" and "步幅" as "步*". Two fixes:

1. The index: Material segments Chinese with jieba; the Chinese terms of the glossary
   (docs/glossary.zh.md) are added to jieba's dictionary, so that a term such as 学习率 or 步幅
   is indexed as one word rather than 学习 + 率. Each section's entry also gets the terms the
   section introduces in bold (``**term**``, how the notes define a term) as a field ``terms``
   boosted above the text, so the page that defines a term ranks above pages that mention it.
   An English term of several words is also kept whole there, as one token of its words
   joined ("learning rate" -> "learningrate"), the English counterpart of a whole Chinese word.
2. The browser: each page starts docs/javascripts/search-worker.js instead of Material's worker
   (the "search" entry of the page's ``__config``). It loads Material's worker unchanged, keeps
   only the documents of the page's language, and cuts a Chinese query into the words of the
   index (longest match first) before Material sees it, so that whole words match.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote

from material.plugins.search import plugin as material_search
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

WRAPPER = "javascripts/search-worker.js"
_WORKER = re.compile(r'("search": ")([^"]*?)(assets/javascripts/workers/search\.[0-9a-f]+\.min\.js)(")')
_HAN = re.compile(r"[\u3400-\u9fff]{2,}")
_HEADING = re.compile(r'<h([1-6])[^>]*?\sid="([^"]+)"')
_BOLD = re.compile(r"<strong>(.*?)</strong>", re.S)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z0-9]+")
_TERM = re.compile(r"[^，。；：！？,.;:!?]{1,40}")  # a term, not a sentence set in bold
TERMS_BOOST = 300.0  # between the title (1000) and the text (1), Material's defaults


def glossary_words(docs: Path) -> list[str]:
    """The Chinese words of the first column of the Chinese glossary (runs of two or more Han characters)."""
    words = []
    for line in (docs / "glossary.zh.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            words += _HAN.findall(line.split("|")[1])
    return sorted(set(words) - {"中文"})


def _search_plugin(config):
    return config.plugins.get("material/search") or config.plugins.get("search")


def on_config(config):
    if (search := _search_plugin(config)) is not None:
        search.config.fields.setdefault("terms", {"boost": TERMS_BOOST})
    try:
        import jieba  # what Material's search plugin segments Chinese with
    except ImportError:
        return config
    jieba.setLogLevel(60)
    for word in glossary_words(Path(config.docs_dir)):
        jieba.add_word(word)  # with the frequency jieba suggests to keep the word whole
    return config


def section_terms(html: str) -> dict[str | None, list[str]]:
    """The bold terms of each section of a page's HTML: the page's own (None) and one list per heading id."""
    cuts = [(m.start(), m.group(2)) for m in _HEADING.finditer(html) if m.group(1) != "1"]
    bounds = [(0, None)] + cuts + [(len(html), "")]
    terms: dict[str | None, list[str]] = {}
    for (start, key), (end, _) in zip(bounds, bounds[1:]):
        found = [t for t in (_TAG.sub("", b).strip() for b in _BOLD.findall(html[start:end])) if _TERM.fullmatch(t)]
        terms[key] = found + [whole for t in found if len(words := _WORD.findall(t)) > 1
                              and (whole := "".join(words).lower()) and not _HAN.search(t)]
    return terms


@event_priority(-150)  # after the search plugin has indexed the page
def on_page_context(context, page, config, nav):
    search = _search_plugin(config)
    if search is None or not hasattr(search, "search_index"):
        return context
    terms = section_terms(page.content or "")
    for entry in reversed(search.search_index.entries):
        location = entry["location"]
        if not location.startswith(page.url) or location.split("#")[0] != page.url:
            break
        key = location.split("#", 1)[1] if "#" in location else None
        found = terms.get(unquote(key) if key else None)
        if found:
            entry["terms"] = " ; ".join(found)
            if material_search.jieba is not None:  # segment Chinese as Material does for the text
                entry["terms"] = search.search_index._segment_chinese(entry["terms"])
    return context


def _languages(config) -> tuple[str, list[str]]:
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return "", []
    return i18n.current_language, [lang.locale for lang in i18n.config.languages if not lang.default]


def on_post_page(output, page, config):
    lang, others = _languages(config)
    keep = f"{lang}/" if lang in others else ""
    drop = ",".join(f"{o}/" for o in others if o != lang)

    def wrap(m: re.Match) -> str:
        rel = m.group(2)
        query = f"worker={quote('../' + m.group(3))}&keep={quote(keep)}&drop={quote(drop)}"
        return f"{m.group(1)}{rel}{WRAPPER}?{query}{m.group(4)}"

    output, n = _WORKER.subn(wrap, output, count=1)
    if n == 0 and '"search":' in output:
        raise PluginError(f"hooks/search_index.py: no Material search worker in the config of {page.file.src_uri}")
    return output
