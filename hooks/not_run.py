"""MkDocs hook: label the code blocks that are deliberately not run (tested in tests/test_site.py).

A fence preceded by ``<!-- skip: reason -->`` (the harness's marker, see CONTRIBUTING.md,
"Copyable blocks") is not run by the tests and a reader who copies a page's runnable blocks
must leave it out. On the page it is wrapped in ``<div class="not-run" markdown="1">`` with a
visible label before the code, in the page's language ("未运行：reason" / "Not run: reason");
``docs/stylesheets/extra.css`` styles it. Fences indented inside admonitions keep their indent.
"""

from __future__ import annotations

import html
import re

_SKIP = re.compile(r"^(?P<indent>[ \t]*)<!--\s*skip\s*:\s*(?P<reason>\S.*?)\s*-->\s*$")
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
LABELS = {"zh": "未运行：", "en": "Not run: "}


def label(reason: str, lang: str) -> list[str]:
    """The label paragraph (Markdown with attr_list, so that it also renders inside an admonition)."""
    return [LABELS[lang] + html.escape(reason, quote=False), "{: .not-run-label }"]


def _closing(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start`` (the last line if unclosed)."""
    close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    k = start + 1
    while k < len(lines) and not close.match(lines[k]):
        k += 1
    return min(k, len(lines) - 1)


def wrap_skipped(markdown: str, lang: str) -> str:
    """``markdown`` with each skip-marked fence wrapped in a labelled ``not-run`` block."""
    lines = markdown.split("\n")
    out, i = [], 0
    while i < len(lines):
        skip = _SKIP.match(lines[i])
        j = i + 1
        while skip and j < len(lines) and not lines[j].strip():
            j += 1
        opening = _OPEN.match(lines[j]) if skip and j < len(lines) else None
        if not opening:
            if other := _OPEN.match(lines[i]):  # copy any other fence whole (a marker inside it is text)
                k = _closing(lines, i, other.group("fence"))
                out += lines[i:k + 1]
                i = k + 1
            else:
                out.append(lines[i])
                i += 1
            continue
        indent = opening.group("indent")
        k = _closing(lines, j, opening.group("fence"))
        # md_in_html parses only top-level HTML blocks; inside an admonition the fence is
        # rendered by superfences anyway, and the attribute would only show in the HTML.
        attr = "" if indent else ' markdown="1"'
        out += [f'{indent}<div class="not-run"{attr}>', "",
                *(indent + line for line in label(skip.group("reason"), lang)), "",
                *lines[j:k + 1], "", f"{indent}</div>"]
        i = k + 1
    return "\n".join(out)


def on_page_markdown(markdown, page, config, files):
    lang = "en" if page.file.src_uri.endswith(".en.md") else "zh"
    return wrap_skipped(markdown, lang)
