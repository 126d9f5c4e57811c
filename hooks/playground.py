"""MkDocs hook: load the playground's files only on pages that embed it (tested in tests/test_playground.py).

A page embeds the offline neural-network playground with one element
``<div class="dlnotes-playground" data-preset="NAME"></div>`` (see CONTRIBUTING.md, "The playground").
The widget's files ``javascripts/playground/playground.{css,js}`` are not in mkdocs.yml's
``extra_css``/``extra_javascript``: this hook adds the ``<link rel="stylesheet">`` (end of ``<head>``)
and ``<script defer>`` (end of ``<body>``) tags, with the page's relative path, to exactly the pages
whose HTML contains ``class="dlnotes-playground"``.
"""

from __future__ import annotations

from mkdocs.utils import get_relative_url

MARKER = 'class="dlnotes-playground"'
CSS = "javascripts/playground/playground.css"
JS = "javascripts/playground/playground.js"


def tags(page_url: str) -> tuple[str, str]:
    """The stylesheet and script tags for a page at ``page_url`` (e.g. ``en/feedforward/``)."""
    css, js = (get_relative_url(path, page_url or ".") for path in (CSS, JS))
    return f'<link rel="stylesheet" href="{css}">', f'<script defer src="{js}"></script>'


def add_tags(output: str, page_url: str) -> str:
    """``output`` with the playground's tags added when the page embeds a playground."""
    if MARKER not in output or JS in output:
        return output
    link, script = tags(page_url)
    output = output.replace("</head>", f"  {link}\n</head>", 1)
    head, sep, tail = output.rpartition("</body>")
    return f"{head}  {script}\n{sep}{tail}" if sep else output + script


def on_post_page(output, page, config):
    return add_tags(output, page.url)
