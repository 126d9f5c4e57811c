"""Parse the fenced code blocks of a Markdown page and classify them.

Conventions (see CONTRIBUTING.md):
- a fence with info string exactly ``python`` is run;
- ``<!-- skip: reason -->`` on the line before a fence marks it not run (reason required);
- ``<!-- output -->`` before a ``text`` fence makes it the expected stdout of the python fence
  just above it; ``<!-- output: unchecked ... -->`` shows output that is never checked (timings),
  ``<!-- output: device-dependent -->`` output checked on the CPU only (training curves, accuracies).
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<body>.*?)\s*-->\s*$")
_PYTHONISH = re.compile(r"^[{.]*\s*\.?(python3?|py3?|pycon|ipython3?)\b", re.IGNORECASE)
_SKIP = re.compile(r"^skip\s*:\s*(?P<reason>\S.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+\S")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_ADMONITION = re.compile(r"^\s*(!!!|\?\?\?\+?)\s*\w")


@dataclass
class Fence:
    line: int  # 1-based line of the opening fence
    indent: str
    fence: str  # the opening backticks or tildes
    info: str
    code: str
    marker: str | None  # body of an HTML comment on the line just before, if any

    @property
    def pythonish(self) -> bool:
        return bool(_PYTHONISH.match(self.info))

    @property
    def runnable(self) -> bool:
        return self.fence == "```" and self.info == "python" and not self.skip_reason and not (self.marker or "").startswith("skip")

    @property
    def skip_reason(self) -> str | None:
        m = _SKIP.match(self.marker or "")
        return m.group("reason") if m else None

    @property
    def is_output(self) -> bool:
        return self.info == "text" and (self.marker or "").startswith("output")

    @property
    def output_checked(self) -> bool:
        return self.is_output and "unchecked" not in (self.marker or "")

    @property
    def device_dependent(self) -> bool:
        """Output that depends on the device's arithmetic or random stream: checked on the CPU only."""
        return self.is_output and "device-dependent" in (self.marker or "")


def parse_fences(text: str) -> list[Fence]:
    """All fenced blocks of ``text`` (top-level and indented, e.g. inside admonitions)."""
    lines = text.splitlines()
    fences, i = [], 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info")
        prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = _MARKER.match(prev)
        body, j = [], i + 1
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while j < len(lines) and not close.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        fences.append(Fence(i + 1, indent, fence, info, "\n".join(body) + "\n", marker.group("body") if marker else None))
        i = j + 1
    return fences


def strip_comments(code: str) -> str:
    """Python code without comments, trailing spaces or blank lines (for parity and hashing)."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type != tokenize.COMMENT]
        code = tokenize.untokenize(tokens)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        code = "\n".join(re.sub(r"\s#.*$", "", line) for line in code.splitlines())
    return "\n".join(line.rstrip() for line in code.splitlines() if line.strip()) + "\n"


def page_code(fences: list[Fence]) -> str:
    """The comment-stripped code of the runnable fences, joined (what a page executes)."""
    return "".join(strip_comments(f.code) for f in fences if f.runnable)


def unmarked_python(fences: list[Fence]) -> list[str]:
    """Problems: python-like fences that are neither run nor marked not-run with a reason."""
    problems = []
    for f in fences:
        if f.runnable:
            continue
        if f.pythonish and not f.skip_reason:
            why = "skip marker without a reason" if (f.marker or "").startswith("skip") else "is not run"
            problems.append(f"line {f.line}: ```{f.info} {why} (use exactly ```python, or <!-- skip: reason -->)")
    return problems


def headings(text: str) -> list[int]:
    """Levels of the Markdown headings outside code fences, in order."""
    inside, levels = None, []
    for line in text.splitlines():
        m = _OPEN.match(line)
        if m and (inside is None or m.group("fence")[0] == inside):
            inside = None if inside else m.group("fence")[0]
            continue
        if inside is None and (h := _HEADING.match(line)):
            levels.append(len(h.group(1)))
    return levels


def images(text: str) -> list[str]:
    """Image sources referenced by the page, in order."""
    return _IMAGE.findall(text)


def admonitions(text: str) -> int:
    """Number of admonitions and collapsible blocks."""
    return sum(1 for line in text.splitlines() if _ADMONITION.match(line))


def read(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")
