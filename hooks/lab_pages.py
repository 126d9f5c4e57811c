"""MkDocs hook: light lab pages with a notebook download button (tested in tests/test_page_weight.py
and tests/test_reader.py).

1. mkdocs-jupyter inlines the same ~590 KB of notebook CSS (JupyterLab's theme and the Pygments
   styles) into every lab page. The ``<style>`` blocks of a lab page are moved into one shared
   stylesheet, ``assets/notebook.<hash>.css``, written once into the site and linked from the page's
   head, so a reader's browser downloads and caches it once for all labs.
2. Output images are inlined as base64 ``data:`` URIs (up to 760 KB per page). Each is written
   as its own file, ``assets/nb-img/<sha256>.png`` (the bytes unchanged, so images stay as
   crisp as the notebook's), with ``loading="lazy"`` and its pixel ``width``/``height`` so the
   layout does not jump while it loads.
3. ``include_source: true`` copies ``labs/x/x.<lang>.ipynb`` next to the page; a button at
   the top of the page ("下载笔记本" / "Download notebook") links it relatively, so it works
   in both languages and under a sub-path deployment (``https://host/repo/``).

The files are written while each page is written (``on_post_page``), so ``mkdocs serve``
gets them too.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import struct
from pathlib import Path

from mkdocs.utils import get_relative_url

CSS_NAME = "assets/notebook.{}.css"  # content-hashed: a new mkdocs-jupyter gets a new file, never a stale cache
IMG_DIR = "assets/nb-img"
LABELS = {"zh": "下载笔记本", "en": "Download notebook"}

_STYLE = re.compile(r"(?s)<style[^>]*>(.*?)</style>\s*")
_DATA_IMG = re.compile(r'<img(?P<attrs>[^>]*?)\ssrc="data:image/(?P<type>png|jpeg|gif);base64,(?P<data>[^"]+)"(?P<rest>[^>]*)>')
_H1_END = re.compile(r"</h1>")


def is_lab(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def page_language(page) -> str:
    return "en" if ".en." in Path(page.file.src_uri).name else "zh"


def _site_root(config, page) -> Path:
    """The folder that holds the site's root ``index.html``: ``page.file.abs_dest_path`` minus ``page.file.dest_uri``."""
    dest = Path(page.file.abs_dest_path)
    return Path(str(dest)[: len(str(dest)) - len(page.file.dest_uri)])


def _write_once(path: Path, data: bytes) -> None:
    if not path.exists() or path.stat().st_size != len(data):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG's IHDR chunk, or None if ``data`` is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def download_button(page) -> str:
    """The download button's HTML: a relative link to the page's own ``.ipynb``, Material's button style and icon."""
    lang = page_language(page)
    name = os.path.basename(page.file.src_uri)
    icon = _download_icon()
    return (f'<p class="nb-download"><a class="md-button" href="{name}" download="{name}">'
            f"{icon}{LABELS[lang]}</a></p>\n")


@functools.cache
def _download_icon() -> str:
    """Material's bundled ``material/download`` icon (inline SVG, no request), or nothing."""
    import material

    icon = Path(material.__file__).parent / "templates" / ".icons" / "material" / "download.svg"
    return f'<span class="twemoji">{icon.read_text(encoding="utf-8")}</span> ' if icon.exists() else ""


def on_page_content(html, page, config, files):
    if not is_lab(page):
        return html
    button = download_button(page)
    html, n = _H1_END.subn(lambda m: m.group(0) + "\n" + button, html, count=1)
    return html if n else button + html


def _move_images(html: str, root: Path, page_url: str) -> str:
    def replace(m: re.Match) -> str:
        data = base64.b64decode(m.group("data"))
        ext = "jpg" if m.group("type") == "jpeg" else m.group("type")
        uri = f"{IMG_DIR}/{hashlib.sha256(data).hexdigest()[:20]}.{ext}"
        _write_once(root / uri, data)
        attrs = m.group("attrs") + m.group("rest").rstrip(" /")
        size = png_size(data)
        if size and "width=" not in attrs and "height=" not in attrs:
            attrs += f' width="{size[0]}" height="{size[1]}"'
        if "loading=" not in attrs:
            attrs += ' loading="lazy"'
        return f'<img{attrs} src="{get_relative_url(uri, page_url)}">'

    return _DATA_IMG.sub(replace, html)


def on_post_page(output, page, config):
    if not is_lab(page):
        return output
    root = _site_root(config, page)
    head_end = output.find("</head>")
    styles = _STYLE.findall(output, head_end)
    if styles:
        css = "\n".join(styles).encode("utf-8")
        uri = CSS_NAME.format(hashlib.sha256(css).hexdigest()[:12])
        _write_once(root / uri, css)
        body = _STYLE.sub("", output[head_end:])
        link = f'<link rel="stylesheet" href="{get_relative_url(uri, page.file.url)}">\n'
        output = output[:head_end] + link + body
    return _move_images(output, root, page.file.url)
