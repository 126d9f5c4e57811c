"""MkDocs hook: two fixes for mkdocs-static-i18n with Material (tested in tests/test_site.py
and tests/test_browser.py).

1. Shared images on English pages. The plugin publishes a non-localized image
   (``docs/figures/x.svg``) once, at ``/figures/x.svg``, but leaves the relative link
   ``figures/x.svg`` of an English page as written, so ``/en/page/`` would load the
   missing ``/en/page/figures/x.svg``. A relative ``src`` that still resolves from the
   page's *source* folder to a file of ``docs/`` is such a link (links MkDocs rewrote are
   relative to the page's URL); make it relative to the page's URL.
2. The language switch. The plugin points ``<link rel="alternate" hreflang>`` in the page
   head at the same page in each language, but Material treats those links as language
   *roots*: it fetches ``<alternate>/sitemap.xml`` (a 404 and a console error on every
   page) and rewrites clicks on the switch. Dropping the head links leaves the switch's
   own links (already the same page in the other language) to do the job.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"/:#?][^":]*)"')
_HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def on_page_content(html, page, config, files):
    src_dir = posixpath.dirname(page.file.src_uri)
    up = "../" * len([part for part in page.url.split("/") if part])

    def fix(m):
        target = posixpath.normpath(posixpath.join(src_dir, m.group(2)))
        if target.startswith("..") or not (Path(config.docs_dir) / target).is_file():
            return m.group(0)
        return f'{m.group(1)}{up}{target}"'

    return _IMG_SRC.sub(fix, html)


def on_post_page(output, page, config):
    return _HEAD_ALTERNATE.sub("", output)
