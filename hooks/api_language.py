"""MkDocs hook: render mkdocstrings section titles ("Parameters", "Returns") in the page's language.

mkdocstrings reads ``theme.language`` once, in its ``on_config``, before
mkdocs-static-i18n switches the language for the English build, so English API pages
would get Chinese section titles. Before each page's Markdown is converted (which is
when mkdocstrings renders), set the handlers' locale from the page's file suffix.
"""

from __future__ import annotations


def on_page_markdown(markdown, page, config, files):
    plugin = config["plugins"].get("mkdocstrings")
    if plugin is not None and getattr(plugin, "_handlers", None) is not None:
        plugin.handlers._locale = "en" if page.file.src_uri.endswith(".en.md") else "zh"
    return markdown
