"""Navigation: every lecture page says what it builds on and links its lab; every lab links back.

Each lecture page has, right under its title, a ``{ .page-links }`` paragraph that links the
earlier pages it builds on and its lab(s) (a lab of its own nav section, or a section of the
page marked as a lab). Each lab's first cell names its companion pages, all of its own nav
section or earlier, and the lab comes after them in the navigation.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from .conftest import DOCS, ROOT

_LINK = re.compile(r"\]\(([^)\s]+)\)")
_LAB_BACKLINK = re.compile(r"\]\(\.\./\.\./([a-z0-9-]+)/\)")
_NOT_LECTURES = {"index.md", "glossary.md", "api/index.md"}


def nav_sections() -> list[tuple[str, list[str]]]:
    """(section title, [docs-relative paths]) in nav order; the home page is a section of its own."""
    text = re.sub(r"!!python\S*|!ENV\b", "", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    out = []
    for item in yaml.safe_load(text)["nav"]:
        (title, value), = item.items()
        out.append((title, [next(iter(c.values())) for c in value] if isinstance(value, list) else [value]))
    return out


SECTIONS = nav_sections()
ORDER = [p for _, paths in SECTIONS for p in paths]
SECTION_OF = {p: i for i, (_, paths) in enumerate(SECTIONS) for p in paths}
LECTURES = [p for p in ORDER if p.endswith(".md") and p not in _NOT_LECTURES]
LABS = [p for p in ORDER if p.endswith(".ipynb")]


def _localised(path: str, lang: str):
    stem, ext = path.rsplit(".", 1)
    return DOCS / f"{stem}.{lang}.{ext}"


def page_links_paragraph(text: str) -> str | None:
    """The ``{ .page-links }`` paragraph right under the page title, or None."""
    m = re.match(r"# [^\n]+\n\n([^\n]+)\n\{ \.page-links \}\n", text)
    return m.group(1) if m else None


def companion_line(source: str) -> str | None:
    """The first sentence of the lab's '**配套讲义**' (zh) or '**Companion pages**' (en) line."""
    m = re.search(r"^\*\*(?:配套讲义|Companion pages)\*\*[:：]([^。\n]*?)(?:。|\.(?=\s|$))", source, re.M)
    return m.group(1) if m else None


def test_nav_has_lectures_and_labs():
    assert len(LECTURES) >= 20 and len(LABS) >= 10


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", LECTURES)
def test_lecture_page_links_what_it_builds_on_and_its_lab(page, lang):
    text = _localised(page, lang).read_text(encoding="utf-8")
    para = page_links_paragraph(text)
    assert para, f"{page} ({lang}): no '{{ .page-links }}' paragraph under the title"
    links = [u.split("#")[0] if not u.startswith("#") else u for u in _LINK.findall(para)]
    earlier = [u for u in links if u in ORDER and ORDER.index(u) < ORDER.index(page)]
    if page != LECTURES[0]:
        assert earlier, f"{page} ({lang}): links no earlier page it builds on: {links}"
    assert all(u in ORDER or u.startswith("#") for u in links), f"{page} ({lang}): a link outside the nav: {links}"
    own_labs = [u for u in links if u.endswith(".ipynb") and SECTION_OF.get(u) in (SECTION_OF[page], SECTION_OF[page] + 1)]
    anchors = [u[1:] for u in links if u.startswith("#")]
    assert own_labs or anchors, f"{page} ({lang}): links no lab of its lecture"
    for anchor in anchors:
        assert re.search(r"^#{2,3} .*\{#" + re.escape(anchor) + r"\}\s*$", text, re.M), f"{page}: no heading {{#{anchor}}}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("lab", LABS)
def test_lab_links_back_to_pages_that_come_before_it(lab, lang):
    first = nbformat.read(_localised(lab, lang), as_version=4).cells[0]
    assert first.cell_type == "markdown"
    line = companion_line(first.source)
    assert line, f"{lab} ({lang}): the first cell has no '**配套讲义**' / '**Companion pages**' line"
    back = [f"{name}.md" for name in _LAB_BACKLINK.findall(line)]
    assert back, f"{lab} ({lang}): the first cell links no page of the notes"
    assert all(b in ORDER for b in back), f"{lab} ({lang}): links a page not in the nav: {back}"
    assert any(SECTION_OF[b] == SECTION_OF[lab] for b in back), f"{lab} ({lang}): links no page of its own section"
    late = [b for b in back if ORDER.index(b) > ORDER.index(lab)]
    assert not late, f"{lab} ({lang}) comes before pages it builds on: {late} (move it in the nav)"


def test_the_parsers_can_fail():
    assert page_links_paragraph("# T\n\nSome text.\n") is None
    assert page_links_paragraph("# T\n\n**Builds on**: [a](a.md).\n{ .page-links }\n") == "**Builds on**: [a](a.md)."
    assert companion_line("intro\n\n**Companion pages**: [a](../../a/). Later [b](../../b/).") == " [a](../../a/)"
    assert companion_line("**配套讲义**：[甲](../../a/)。后面[乙](../../b/)。") == "[甲](../../a/)"
    assert _LAB_BACKLINK.findall("see [x](../../cnn/) and [y](https://example.com/)") == ["cnn"]


_EXERCISE_HEADING = re.compile(r"^## (?:练习|思考题|Exercises|Questions)", re.M)
_H2 = re.compile(r"^## ", re.M)


def exercise_answers(text: str) -> tuple[int, int]:
    """(collapsed answers in the last exercise section, collapsed answers on the whole page)."""
    total = text.count("??? success")
    heads = list(_EXERCISE_HEADING.finditer(text))
    if not heads:
        return 0, total
    start = heads[-1].start()
    nxt = _H2.search(text, heads[-1].end())
    return text[start:nxt.start() if nxt else len(text)].count("??? success"), total


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", LECTURES)
def test_lecture_page_has_exercises_with_collapsed_answers(page, lang):
    last_section, total = exercise_answers(_localised(page, lang).read_text(encoding="utf-8"))
    assert total >= 2, f"{page} ({lang}): {total} exercise(s) with a collapsed answer"
    if SECTION_OF[page] <= SECTION_OF["computing.md"]:  # lectures 1-8 (second edition): an exercise section at the end
        assert 2 <= last_section <= 4, f"{page} ({lang}): its final exercise section has {last_section} answers"


def test_exercise_counter_can_fail():
    assert exercise_answers("# T\n\n## 练习\n\n??? success \"参考答案\"\n    x\n\n## 小结\n\n??? success \"x\"\n") == (1, 2)
    assert exercise_answers("# T\n\ntext\n") == (0, 0)
