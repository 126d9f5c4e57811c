"""MkDocs hook: fold the solutions of lab exercises, as the lecture pages do with ``??? success``.

A solution in a lab notebook is a run of cells tagged ``solution`` (its first cell starts with
the label ``**参考答案**`` / ``**Solution**``); the cells also carry Jupyter's
``source_hidden``/``outputs_hidden`` metadata, so JupyterLab shows them collapsed. On the site
each run of tagged cells becomes one closed ``<details class="success">`` whose summary is that
label (taken out of the first cell). tests/test_lab_solutions.py checks notebooks and site.
"""

from __future__ import annotations

import re

_CELL = re.compile(r'<div(?: [^>]*)? class="jp-Cell [^"]*"')
_DIV = re.compile(r"<div[\s>]|</div>")
_TAGGED = re.compile(r'class="[^"]*\bcelltag_solution\b')
_LABEL = re.compile(r"\s*<p><strong>([^<]{1,20})</strong></p>")


def _cell_end(html: str, start: int) -> int:
    """Index just past the ``</div>`` that closes the cell ``<div`` opened at ``start``."""
    depth = 0
    for m in _DIV.finditer(html, start):
        depth += 1 if m.group(0).startswith("<div") else -1
        if depth == 0:
            return m.end()
    raise ValueError("unbalanced <div> in a notebook cell")


def fold_solutions(html: str) -> str:
    """Wrap each run of ``celltag_solution`` cells in a closed details block labelled by its first cell."""
    cells = []
    pos = 0
    while (m := _CELL.search(html, pos)):
        end = _cell_end(html, m.start())
        # the tag class sits on the cell (code cells) or on its rendered Markdown, a few
        # wrapper divs further in (Markdown cells): look at the opening tags only
        head = html[m.start():min(end, m.start() + 1500)]
        cells.append((m.start(), end, bool(_TAGGED.search(head))))
        pos = end
    out, last, i = [], 0, 0
    while i < len(cells):
        if not cells[i][2]:
            i += 1
            continue
        j = i
        while j + 1 < len(cells) and cells[j + 1][2] and html[cells[j][1]:cells[j + 1][0]].strip() == "":
            j += 1
        start, end = cells[i][0], cells[j][1]
        body = html[start:end]
        label = _LABEL.search(body)
        if label is None:
            raise ValueError(f"a solution starting at {start} has no '**label**' paragraph first")
        body = body[:label.start()] + body[label.end():]
        out += [html[last:start], f'<details class="success lab-solution"><summary>{label.group(1)}</summary>', body, "</details>"]
        last, i = end, j + 1
    out.append(html[last:])
    return "".join(out)


def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith(".ipynb") and "celltag_solution" in output:
        return fold_solutions(output)
    return output
