"""MkDocs hook: printed output looks like output, not like code (tested in tests/test_reader.py).

The page convention (CONTRIBUTING.md, "Code shown is code run") puts ``<!-- output -->`` (or
``<!-- output: unchecked -->``, ``<!-- output: device-dependent -->``) right before the
```` ```text ```` fence that shows what the code printed. The comment survives into the page's
HTML right before the fence's ``<div class="highlight">``. This hook gives that block the
classes ``output`` (styled in ``docs/stylesheets/reader.css``: its own background and border
in both themes) and ``no-copy`` (Material's documented opt-out of the copy button), and a small
label in the page's language ("输出" / "Output") in ``data-label``, which the stylesheet shows
above the text (generated content: not copied with the output, not indexed by the search). Where Markdown wrapped
the comment and the block in a ``<p>`` (the block follows an indented fence), the invalid
``<p><div>`` nesting is dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

LABELS = {"zh": "输出", "en": "Output"}

_BLOCK = re.compile(
    r'(?P<p><p>)?(?P<marker><!--\s*output(?:\s*:[^>]*?)?\s*-->)\s*'
    r'<div class="(?P<cls>[^"]*\bhighlight\b[^"]*)">(?P<body>.*?</pre>)</div>(?(p)</p>)', re.S)


def mark_outputs(html: str, lang: str) -> str:
    """``html`` with each block after an output marker classed ``output no-copy`` and labelled."""
    label = LABELS[lang]
    return _BLOCK.sub(lambda m: f'{m["marker"]}\n<div class="{m["cls"]} output no-copy" data-label="{label}">{m["body"]}</div>', html)


def on_page_content(html, page, config, files):
    lang = "en" if ".en." in Path(page.file.src_uri).name else "zh"
    return mark_outputs(html, lang)
