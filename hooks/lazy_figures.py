"""MkDocs hook: page figures load lazily and keep their place (tested in tests/test_accessibility.py).

Each ``<img>`` of a page's own figures (``figures/*.svg``, ``diagrams/*.svg``) gets the
figure's intrinsic ``width`` and ``height`` (from the SVG's ``width``/``height``, matplotlib's
points converted to CSS pixels), so the browser reserves its box before the file arrives (no
layout shift; ``a11y.css`` scales it with ``height: auto``), and ``loading="lazy"`` with
``decoding="async"``, so a reader downloads the figures as they scroll to them. The page's
first figure is left eager: it may be the largest paint of the first screen. Notebook output
images are handled by hooks/lab_pages.py. Only the HTML that embeds a figure changes, never
the figure.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="(?:[^"]*/)?(?P<path>(?:figures|diagrams)/[^"/]+\.svg)"')
_SVG_SIZE = re.compile(r"<svg\b[^>]*?\swidth=\"(?P<w>[\d.]+)(?P<wu>pt|px)?\"[^>]*?\sheight=\"(?P<h>[\d.]+)(?P<hu>pt|px)?\"", re.S)
_PX_PER = {"pt": 4 / 3, "px": 1.0, None: 1.0}


@lru_cache(maxsize=None)
def svg_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of an SVG file, from its root element; None when unknown."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    m = _SVG_SIZE.search(head)
    if m is None:
        return None
    return round(float(m["w"]) * _PX_PER[m["wu"]]), round(float(m["h"]) * _PX_PER[m["hu"]])


def lazy_figures(output: str, docs_dir: Path) -> str:
    """``output`` with size and lazy loading on every figure ``<img>`` but the first."""
    seen = 0

    def fix(m: re.Match) -> str:
        nonlocal seen
        tag = m.group(0)
        src = _SRC.search(tag)
        if src is None or " width=" in tag:
            return tag
        seen += 1
        size = svg_size(docs_dir / src["path"])
        attrs = f' width="{size[0]}" height="{size[1]}"' if size else ""
        if seen > 1 and "loading=" not in tag:
            attrs += ' loading="lazy" decoding="async"'
        return tag[:4] + attrs + tag[4:]

    return _IMG.sub(fix, output)


def on_post_page(output, page, config):
    return lazy_figures(output, Path(config.docs_dir))
