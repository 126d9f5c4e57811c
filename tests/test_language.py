"""Language rules of the prose (issue 10): full-width punctuation in Chinese, one spelling in English.

- Chinese prose (every ``docs/**/*.zh.md`` and the markdown cells of ``docs/labs/*.zh.ipynb``)
  uses full-width punctuation: no ASCII double quote ``"`` (write “…”), and no half-width
  ``(`` ``)`` ``,`` ``:`` ``;`` right next to a Chinese character or full-width punctuation mark
  (write （），：；).
- English prose (every ``docs/**/*.en.md`` and the markdown cells of ``docs/labs/*.en.ipynb``)
  spells with -ize (normalize, initialization, regularization, minimize, amortized ...): a word
  ending in -ise/-ised/-ises/-ising/-isation/-iser is an error unless it is always spelled -ise
  (exercise, noise, precise, otherwise ...; see ``ALWAYS_ISE``).

Only prose is checked: fenced code blocks, inline code, maths (``$...$``, ``$$...$$``, ``\\(...\\)``),
HTML tags and comments, link targets, URLs and the quoted titles of admonitions are removed
first (the admonition title's text is still checked, its syntactic quotes are not).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import DOCS

# --------------------------------------------------------------------------- prose extraction

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_ADMONITION_TITLE = re.compile(r'^(?P<head>\s*(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+[\w-]+)*\s*)"(?P<title>.*)"\s*$')
_INLINE = [
    re.compile(r"<!--.*?-->", re.S),  # HTML comments (markers)
    re.compile(r"(`+)(?:(?!\1).)+?\1"),  # inline code
    re.compile(r"\$\$.+?\$\$", re.S),  # display maths on one line
    re.compile(r"(?<![\\$])\$(?!\s)(?:\\.|[^$\\])+?(?<!\s)\$"),  # inline maths
    re.compile(r"\\\((?:.|\n)+?\\\)"),  # \( ... \)
    re.compile(r"\]\([^)]*\)"),  # link targets ](...)
    re.compile(r"\]\[[^\]]*\]"),  # reference links ][ref]
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M),  # link definitions
    re.compile(r"<https?://[^>]*>"),  # autolinks
    re.compile(r"https?://\S+"),  # bare URLs
    re.compile(r"</?[A-Za-z][^<>]*>"),  # HTML tags (attribute quotes included)
    re.compile(r"\{[:#.][^}]*\}"),  # attribute lists {: .class } / {#id}
]


def prose_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, prose) for every line of ``markdown`` outside code, maths, HTML and link targets."""
    lines = markdown.splitlines()
    keep: list[tuple[int, str]] = []
    fence: str | None = None
    in_math = False
    for no, line in enumerate(lines, 1):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):].strip():
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if in_math:
            if "$$" in line:
                in_math = False
                keep.append((no, line.split("$$", 1)[1]))
            continue
        if line.count("$$") % 2 == 1:  # a display block opens here
            in_math = True
            keep.append((no, line.split("$$", 1)[0]))
            continue
        t = _ADMONITION_TITLE.match(line)
        if t:
            line = t.group("title")
        keep.append((no, line))
    # inline constructs may not span lines in these pages; strip them per line
    out = []
    for no, line in keep:
        for pat in _INLINE:
            line = pat.sub(" ", line)
        out.append((no, line))
    return out


def notebook_markdown(path: Path) -> list[tuple[str, str]]:
    """(label, source) of the markdown cells of a notebook."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "markdown":
            src = cell["source"]
            out.append((f"cell {i}", src if isinstance(src, str) else "".join(src)))
    return out


def documents(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(file, [(where, markdown), ...]) for every page, and every lab with its markdown cells, in one language."""
    docs = []
    for page in sorted(DOCS.rglob(f"*.{lang}.md")):
        docs.append((page.relative_to(DOCS).as_posix(), [("", page.read_text(encoding="utf-8"))]))
    for lab in sorted(DOCS.rglob(f"*.{lang}.ipynb")):
        docs.append((lab.relative_to(DOCS).as_posix(), [(f"{label} ", src) for label, src in notebook_markdown(lab)]))
    return docs


def _report(checker, parts: list[tuple[str, str]]) -> list[str]:
    return [f"{where}{problem}" for where, markdown in parts for problem in checker(markdown)]


# --------------------------------------------------------------------------- the Chinese rule

_IDEOGRAPH = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# CJK punctuation (、。《》「」【】), full-width forms (，：；（）！？) and curly double quotes
_FULL_WIDTH = r"\u3000-\u303f\uff00-\uffef\u201c\u201d"
_HALF = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_HALF_WIDTH_NEXT_TO_CJK = re.compile(
    rf"(?<=[{_IDEOGRAPH}{_FULL_WIDTH}])[(,:;?!]"  # 中文(  中文,  ）,  ：(
    rf"|(?<=[{_IDEOGRAPH}])\)"  # 中文)  -- but p(x)，f(x)： are formulas, not prose
    rf"|[(),:;?!](?=[{_IDEOGRAPH}])"  # (中文  )中文  ,中文
    rf"|[,:;?!](?=[{_FULL_WIDTH}])"  # ,“  :（
)


def chinese_punctuation_problems(markdown: str) -> list[str]:
    """ASCII double quotes, and half-width ( ) , : ; ? ! touching Chinese, in the prose of a zh page.

    A closing ``)`` may be followed by full-width punctuation (``p(x)，``, ``D*(x)：`` are formulas),
    but not touch a Chinese character on either side.
    """
    problems = []
    for no, line in prose_lines(markdown):
        for m in re.finditer(r'"', line):
            problems.append(f"line {no}: ASCII double quote (use “…”): {_context(line, m.start())}")
        for m in _HALF_WIDTH_NEXT_TO_CJK.finditer(line):
            full = _HALF[m.group(0)]
            problems.append(f"line {no}: half-width '{m.group(0)}' next to Chinese (use '{full}'): {_context(line, m.start())}")
    return problems


def _context(line: str, at: int, width: int = 18) -> str:
    return line[max(0, at - width): at + width + 1].strip()


# --------------------------------------------------------------------------- the English rule

# Words spelled -ise in every variety of English (and their forms): never -ize.
ALWAYS_ISE = {
    "advertise", "advise", "apprise", "arise", "chastise", "circumcise", "clockwise", "comprise",
    "compromise", "concise", "counterclockwise", "anticlockwise", "demise", "despise", "devise", "disguise",
    "enfranchise", "disenfranchise", "enterprise", "excise", "exercise", "expertise", "franchise", "improvise",
    "incise", "likewise", "merchandise", "noise", "otherwise", "paradise", "poise", "praise", "precise",
    "premise", "promise", "raise", "revise", "rise", "sunrise", "supervise", "surmise", "surprise",
    "televise", "treatise", "wise", "guise", "cruise", "bruise", "porpoise", "tortoise", "turquoise",
    "valise", "reprise", "imprecise", "denoise", "upraise", "uprise",
    "practise",  # the verb; Oxford spelling keeps it beside -ize (no *practize)
    "kaiser", "louise", "denise", "elise",  # names (Łukasz Kaiser)
}
_PREFIXES = ("un", "re", "pre", "semi", "self", "non", "mis", "over", "under", "counter", "im")
_ISE_FORM = re.compile(r"\b([A-Za-z]+?)(is(?:e|ed|es|ing|ation|ations|er|ers))\b", re.I)


def _stem_word(word: str) -> str:
    """The -ise base word of a form: exercised -> exercise, promising -> promise, noises -> noise."""
    w = word.lower()
    for suffix, back in (("isations", "ise"), ("isation", "ise"), ("isers", "ise"), ("iser", "ise"),
                         ("ising", "ise"), ("ised", "ise"), ("ises", "ise")):
        if w.endswith(suffix):
            return w[: -len(suffix)] + back
    return w


def _always_ise(base: str) -> bool:
    """An -ise word in every spelling: listed, a listed word with a prefix (unsupervised), or ...wise."""
    if base in ALWAYS_ISE or base.endswith("wise"):  # pairwise, elementwise, clockwise, otherwise
        return True
    return any(base.startswith(p) and base[len(p):] in ALWAYS_ISE for p in _PREFIXES)


def spelling_problems(markdown: str) -> list[str]:
    """-ise spellings (British) in the prose of an English page; the notes use -ize."""
    problems = []
    for no, line in prose_lines(markdown):
        for m in _ISE_FORM.finditer(line):
            word = m.group(0)
            base = _stem_word(word)
            if _always_ise(base) or _always_ise(word.lower()):
                continue
            if len(base) <= 4:  # 'rise', 'wise', 'vise': too short to be an -ize verb
                continue
            problems.append(f"line {no}: '{word}' (the notes spell -ize: '{word[:-len(m.group(2))]}iz{m.group(2)[2:]}')")
    return problems


# --------------------------------------------------------------------------- unit tests of the checkers

def test_chinese_checker_flags_ascii_quotes_and_half_width_punctuation():
    sample = '这是"入门"路径(见下文),然后:继续。\n'
    found = chinese_punctuation_problems(sample)
    assert sum("ASCII double quote" in p for p in found) == 2
    assert any("'('" in p for p in found) and any("')'" in p for p in found)
    assert any("','" in p for p in found) and any("':'" in p for p in found)


def test_chinese_checker_ignores_code_maths_links_html_and_english():
    sample = "\n".join([
        '!!! note "参考答案"',
        "    用 `f(x, y)` 计算，见 [文档](https://x.org/a_(b)) 和 $f(x,y)$。",
        '<figure markdown="span">',
        "```python",
        'print("中文(x)")',
        "```",
        "$$",
        "g(x,\\,y) = 中(x)",
        "$$",
        "例如 Adam (Kingma & Ba, 2015) 与（Adam）。",
        "英文 “quoted” 与 <!-- output: 说明(x) -->",
    ])
    assert chinese_punctuation_problems(sample) == []


def test_spelling_checker_flags_ise_and_allows_always_ise_words():
    sample = "We normalise the inputs, then minimised the loss; the initialisation and regulariser matter."
    found = spelling_problems(sample)
    assert [p.split("'")[1] for p in found] == ["normalise", "minimised", "initialisation", "regulariser"]
    ok = ("Exercise: otherwise the noise is precise; raise, rise, promise, concise, revised, advise, "
          "devised, comprises, surprising, expertise, premises, likewise, clockwise, supervised, improvise, "
          "compromise, enterprise, paradise, praised, disguise, pairwise, denoised, arises.")
    assert spelling_problems(ok) == []
    assert spelling_problems("Ł. Kaiser and practising") == []
    assert spelling_problems("`normalise(x)` and\n```python\nx = normalise(y)\n```\n") == []


# --------------------------------------------------------------------------- the rules on every page and lab

ZH, EN = documents("zh"), documents("en")


@pytest.mark.parametrize("name,parts", ZH, ids=[n for n, _ in ZH])
def test_chinese_prose_uses_full_width_punctuation(name, parts):
    problems = _report(chinese_punctuation_problems, parts)
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name,parts", EN, ids=[n for n, _ in EN])
def test_english_prose_spells_ize(name, parts):
    problems = _report(spelling_problems, parts)
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
