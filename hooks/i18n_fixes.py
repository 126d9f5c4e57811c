"""MkDocs hook: two fixes for mkdocs-static-i18n with Material (tested in tests/test_site.py
and tests/test_browser.py).

1. Shared figures on English pages. The plugin leaves the non-localized files of
   ``docs/figures/`` out of the English build, so the link ``figures/x.svg`` of an English
   page is "not found" (a warning, fatal in strict mode) and would load the missing
   ``/en/page/figures/x.svg``. Adding those files to every other language's build makes
   MkDocs resolve the link and publish the figure under ``/en/figures/`` as well. The
   hand-made diagrams of ``docs/diagrams/`` are shared the same way.
2. The language switch. The plugin points ``<link rel="alternate" hreflang>`` in the page
   head at the same page in each language, but Material treats those links as language
   *roots*: it fetches ``<alternate>/sitemap.xml`` (a 404 and a console error on every
   page) and rewrites clicks on the switch. Dropping the head links leaves the switch's
   own links (already the same page in the other language) to do the job.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

SHARED = ("figures", "diagrams")
_HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


@event_priority(-200)  # after the i18n plugin (-100) has picked this language's files
def on_files(files, config):
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.current_language == i18n.default_language:
        return files
    docs = Path(config.docs_dir)
    for path in sorted(p for folder in SHARED for p in (docs / folder).glob("*")):
        src_uri = path.relative_to(docs).as_posix()
        if path.suffix in (".svg", ".png") and files.get_file_from_path(src_uri) is None:
            files.append(File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls))
    return files


def on_post_page(output, page, config):
    return _HEAD_ALTERNATE.sub("", output)
