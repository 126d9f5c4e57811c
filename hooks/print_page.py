"""MkDocs hook: the print edition, one page per language at ``print/`` and ``en/print/`` (tested in
tests/test_print.py and tests/test_site.py).

mkdocs-print-site-plugin does not work with mkdocs-static-i18n (its issue #70), so this hook does
the same for our two languages. When a language's pages have been written (``on_post_build``, once
per language build), it writes ``<language root>print/index.html``: the written page of the first
chapter as the frame (same folder depth, so the theme's relative links hold), with a title and a
short note in the page's language, followed by the article of every page of the nav, in nav order,
except the home and API pages, as the reader gets them (after every other hook):

- each page becomes a chapter ``<section class="print-chapter" id="<page>">``; every id in it gets
  the chapter's prefix (``cnn--pooling``), so ids stay unique and in-page links keep working;
- links between pages of the edition become in-page links; other links, images and stylesheets
  are made relative to ``print/``;
- collapsed blocks (solutions) are opened, lazy images load at once, and each distinct inline
  ``<style>`` of the labs is kept once;
- header, navigation, sidebars and footer are hidden (on screen and in print); each chapter starts
  on a new printed page. Math is typeset like on any page (at build time, or by katex-init.js).

The page is not in the nav, the search index or the sitemap; it has no source under docs/.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

SKIP = ("", "api/")  # the home and API pages are not chapters
_ARTICLE = re.compile(r'(?s)(<article class="md-content__inner md-typeset">)(.*)(</article>)')
_ATTR = re.compile(r'(\s(?:id|for|aria-labelledby|aria-describedby|aria-controls)=")([^"]+)(")')
_URL = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_STYLE = re.compile(r"(?s)<style[^>]*>.*?</style>\s*")
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"[^>]*>')
_DETAILS = re.compile(r"<details(?![^>]*\sopen)")
_LAZY = re.compile(r'\sloading="lazy"')
CSS = """<style id="print-edition-css">
.md-header, .md-tabs, .md-sidebar, .md-footer, .md-top, .md-content__button, .md-source-file,
.md-feedback { display: none !important; }
.md-main__inner { margin-top: 0; }
.md-content { max-width: none; margin: 0; }
.print-chapter { break-before: page; }
.print-chapter:first-of-type { break-before: auto; }
.md-typeset details > summary::after { display: none; }
@media print { .md-typeset .headerlink { display: none; } }
</style>"""

TEXT = {
    "zh": ("深度学习讲义（打印版）",
           "本页把全部讲义和实验按目录顺序合为一页，图和公式都在其中，导航栏已隐藏，便于打印或另存为 PDF："
           "在浏览器中选择“打印”，目标选“另存为 PDF”即可。每一讲从新的一页开始。"),
    "en": ("Deep Learning Notes (print edition)",
           "This page puts all the lectures and labs on one page, in the order of the table of contents, with "
           "their figures and math and without the navigation, for printing or saving as a PDF: choose "
           "“Print” in your browser and “Save as PDF” as the destination. Each lecture starts on a new page."),
}
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_CANONICAL = re.compile(r'(<link rel="canonical" href="[^"]*?)[^"/]+/(">)')
_HREFLANG = re.compile(r'(<a href="[^"]*?)([^"/]+/)(" hreflang="[^"]+")')
_ANCHOR = re.compile(r'(\shref="#)([^"]+")')

_nav_pages: dict[str, list] = {}  # language -> [(written file, url)] in nav order


def _language(config) -> tuple[str, str]:
    """The language being built and its root folder: ("zh", "") or ("en", "en/")."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return "", ""
    lang = i18n.current_language
    return lang, ("" if lang == i18n.default_language else f"{lang}/")


def on_nav(nav, config, files):
    _nav_pages[_language(config)[0]] = [(Path(p.file.abs_dest_path), p.url) for p in nav.pages]
    return nav


def chapter_id(url: str, root: str) -> str:
    """``en/labs/mnist-cnn/`` (root ``en/``) -> ``labs-mnist-cnn``."""
    return url[len(root):].strip("/").replace("/", "-")


def chapter(html: str, url: str, print_url: str, chapters: dict[str, str]) -> str:
    """One page's article as a chapter of the print page at ``print_url``."""
    prefix = chapters[url] + "--"
    html = _ATTR.sub(lambda m: m.group(1) + " ".join(prefix + v for v in m.group(2).split()) + m.group(3), html)

    def link(m: re.Match) -> str:
        value = m.group(2)
        parts = urlsplit(value)
        if parts.scheme or value.startswith("//") or not value:
            return m.group(0)
        if not parts.path:  # an anchor on the same page
            return f"{m.group(1)}#{prefix}{parts.fragment}{m.group(3)}"
        target = posixpath.normpath(posixpath.join(url, parts.path))
        target_dir = "" if target == "." else target.rstrip("/") + "/"
        if target_dir in chapters and (parts.path.endswith("/") or target == "."):
            anchor = chapters[target_dir] + (f"--{parts.fragment}" if parts.fragment else "")
            return f"{m.group(1)}#{anchor}{m.group(3)}"
        new = posixpath.relpath(target, print_url or ".") + ("/" if parts.path.endswith("/") else "")
        return f"{m.group(1)}{new}{'?' + parts.query if parts.query else ''}{'#' + parts.fragment if parts.fragment else ''}{m.group(3)}"

    html = _URL.sub(link, html)
    html = _DETAILS.sub("<details open", html)
    html = _LAZY.sub("", html)
    return f'<section class="print-chapter" id="{chapters[url]}">\n{html}\n</section>'


def frame(html: str, url: str, root: str, title: str) -> str:
    """The written page at ``url`` (as deep as ``print/``) as the print page's frame, with an empty article.

    Its title, canonical link and language links are the print page's; the in-page links outside
    the article (table of contents) point at that page's chapter."""
    name = url[len(root):]
    html = _TITLE.sub(f"<title>{title}</title>", html, count=1)
    html = _CANONICAL.sub(r"\1print/\2", html, count=1)
    html = _HREFLANG.sub(lambda m: m.group(1) + ("print/" if m.group(2) == name else m.group(2)) + m.group(3), html)
    html = _ANCHOR.sub(lambda m: f"{m.group(1)}{chapter_id(url, root)}--{m.group(2)}", html)
    m = _ARTICLE.search(html)
    return html[:m.start()] + m.group(1) + m.group(3) + html[m.end():]


def assemble(pages: list[tuple[Path, str]], root: str, lang: str) -> str:
    """The print page of one language: a frame, a title and every page's article, as chapters."""
    print_url = root + "print/"
    pages = [(path, url) for path, url in pages if url[len(root):] not in SKIP]
    chapters = {url: chapter_id(url, root) for _, url in pages}
    parts, styles, sheets = [], [], []
    for path, url in pages:
        html = path.read_text(encoding="utf-8")
        body = _ARTICLE.search(html).group(2)
        for style in _STYLE.findall(body):
            if style not in styles:
                styles.append(style)
        for href in _STYLESHEET.findall(html):
            rel = posixpath.relpath(posixpath.normpath(posixpath.join(url, href)), print_url)
            if rel not in sheets:
                sheets.append(rel)
        parts.append(chapter(_STYLE.sub("", body), url, print_url, chapters))
    title, note = TEXT.get(lang, TEXT["en"])
    (first_path, first_url) = next((p, u) for p, u in pages if u.count("/") == print_url.count("/"))
    html = frame(first_path.read_text(encoding="utf-8"), first_url, root, title)
    head = "".join(f'<link rel="stylesheet" href="{s}">' for s in sheets if f'href="{s}"' not in html) + CSS + "</head>"
    m = _ARTICLE.search(html)
    body = f'<h1 id="print-edition">{title}</h1>\n<p>{note}</p>\n' + "".join(styles) + "\n".join(parts)
    html = html[:m.end(1)] + body + html[m.end(1):]
    return html.replace("</head>", head, 1)


def on_post_build(config):
    lang, root = _language(config)
    pages = _nav_pages.pop(lang, None)
    if not pages:
        return
    out = Path(config.site_dir) / root / "print" / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(assemble(pages, root, lang), encoding="utf-8")
