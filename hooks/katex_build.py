"""MkDocs hook: typeset the math at build time with the vendored KaTeX, through Node.

The page's ``<body>`` is searched the way KaTeX's auto-render searches it in the browser
(``docs/javascripts/katex-init.js``: same delimiters ``$$ $ \\( \\[``, same skipped tags and
classes, so code is never touched): the ``\\(…\\)`` / ``\\[…\\]`` that pymdownx.arithmatex
leaves in ``.arithmatex`` elements, the raw ``$…$`` of notebook pages (mkdocs-jupyter) and of
figure captions. All formulas of a page go in one batch to one long-lived ``node`` process per
build (not one process per formula) running ``docs/javascripts/vendor/katex/katex.min.js`` with
the options of katex-init.js (no macros, ``throwOnError: false``), so readers download no KaTeX
script or font and their browser typesets nothing.

Output is MathML (KaTeX ``output: "mathml"``), drawn natively by current browsers and read by
screen readers. KaTeX's HTML output would look like the client-side rendering, but it is four
times heavier (linear-models: +261 KB of HTML against +65 KB for MathML) and would break the
lecture-page weight budget. Display formulas keep KaTeX's ``katex-display`` box, so the site's
CSS for wide formulas (scrolling inside the box on a phone) applies to both renderings.

Where ``node`` is missing (a reader's machine), the hook logs one INFO line and the math is
typeset in the browser by katex-init.js as before, which skips what is already rendered. The
same happens, with an INFO line, on a page that typesetting would push over its page-weight
budget (MathML is 3 to 4 times the TeX: +37 to +59 KB on the math-heavy lectures).
"""

from __future__ import annotations

import atexit
import html
import json
import logging
import re
import shutil
import subprocess
import time
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.katex_build")

OUTPUT = "mathml"
# As docs/javascripts/katex-init.js (KaTeX's auto-render): delimiters, then what is not searched.
DELIMITERS = {"$$": ("$$", True), "$": ("$", False), "\\(": ("\\)", False), "\\[": ("\\]", True)}
IGNORED_TAGS = {"script", "noscript", "style", "textarea", "pre", "code", "option"}
IGNORED_CLASSES = {"highlight", "jp-OutputArea-output", "katex", "katex-error"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_LEFT = re.compile("|".join(re.escape(d) for d in DELIMITERS))
_RAW_TEXT = r"<(?:script|style|textarea)\b.*?</(?:script|style|textarea)\s*>"  # whole, with their content
_TOKEN = re.compile(_RAW_TEXT + r"|<!--.*?-->|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|[^<]+|<", re.S | re.I)
_NAME = re.compile(r"</?\s*([A-Za-z][^\s/>]*)")
_NOT_NEEDED = re.compile(r' xmlns="http://www.w3.org/1998/Math/MathML"|<semantics>|'
                         r'<annotation encoding="application/x-tex">.*?</annotation></semantics>|'
                         r' separator="true"', re.S)
_OUTER_MROW = re.compile(r"(<math[^>]*>)<mrow>(.*)</mrow>(</math>)", re.S)
THIN, THIN_BEFORE = '<mo lspace="0" rspace="0.1667em">\u2061</mo>', '<mspace width="0.1667em"></mspace>'
_FUNCTION_BEFORE = re.compile(r'(</mi>|</mn>|</msub>|</msup>|<mo stretchy="false">[)\]]</mo>)'
                              r'(?=(?:<msub>|<msup>|<msubsup>)?<mi>[A-Za-z]{2,}</mi>)')
_FUNCTION_AFTER = re.compile(r"<mo>\u2061</mo>(?=<m(?:i|n|sub|sup|subsup|frac|sqrt|row)\b)")
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")

# Reads one JSON array of [tex, display] per line, answers one JSON array of HTML strings per line.
_NODE_SCRIPT = r"""
const katex = require(process.argv[1]);
const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  const out = JSON.parse(line).map(([tex, display]) =>
    katex.renderToString(tex, { displayMode: display, output: process.argv[2], throwOnError: false }));
  process.stdout.write(JSON.stringify(out) + "\n");
});
"""

_state: dict = {"node": None, "proc": None, "katex": None, "warned": False, "seconds": 0.0, "formulas": 0}


def on_config(config):
    _state["katex"] = (Path(config.docs_dir) / "javascripts" / "vendor" / "katex" / "katex.min.js").resolve()
    _state["node"] = shutil.which("node")
    if _state["node"] is None and not _state["warned"]:
        log.info("katex_build: node not found, the math is typeset in the reader's browser instead")
        _state["warned"] = True
    return config


def _process() -> subprocess.Popen:
    proc = _state["proc"]
    if proc is None or proc.poll() is not None:
        proc = subprocess.Popen([_state["node"], "-e", _NODE_SCRIPT, str(_state["katex"]), OUTPUT],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        _state["proc"] = proc
    return proc


def _close() -> None:
    proc, _state["proc"] = _state["proc"], None
    if proc is not None and proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=10)


atexit.register(_close)


def find_end(text: str, delimiter: str, start: int) -> int:
    """Index of the closing ``delimiter`` at brace level 0 (auto-render's findEndOfMath), or -1."""
    level, i = 0, start
    while i < len(text):
        if level <= 0 and text.startswith(delimiter, i):
            return i
        if text[i] == "\\":
            i += 1
        elif text[i] == "{":
            level += 1
        elif text[i] == "}":
            level -= 1
        i += 1
    return -1


def split(text: str) -> list[str | tuple[str, bool]]:
    """``text`` cut into plain strings and (TeX, display?) formulas (auto-render's splitAtDelimiters)."""
    parts: list[str | tuple[str, bool]] = []
    while (m := _LEFT.search(text)) is not None:
        left = m.group(0)
        end = find_end(text, DELIMITERS[left][0], m.end())
        if end == -1:
            break
        parts += [text[:m.start()], (text[m.end():end], DELIMITERS[left][1])]
        text = text[end + len(DELIMITERS[left][0]):]
    return [p for p in parts + [text] if p != ""]


def render(formulas: list[tuple[str, bool]]) -> list[str]:
    """KaTeX's rendering of each (TeX, display?), in one round trip to the node process."""
    _state["formulas"] += len(formulas)
    proc = _process()
    proc.stdin.write(json.dumps(formulas, ensure_ascii=False) + "\n")
    proc.stdin.flush()
    answer = proc.stdout.readline()
    if not answer:
        raise RuntimeError("katex_build: the node process ended without answering")
    return [compact(m) for m in json.loads(answer)]


def compact(mathml: str) -> str:
    """KaTeX's MathML without what HTML and MathML Core do not need (a third lighter).

    The XML namespace, the outer ``<mrow>`` (``<math>`` is one already), the ``<semantics>``
    wrapper with the TeX source as an annotation (screen readers read the MathML itself) and
    ``separator``, which MathML Core ignores. Adds TeX's thin space around a function name
    (``y \\log p``), which MathML Core's operator dictionary lacks: before the name when an
    identifier, number or closing bracket precedes it, after it when an identifier, number,
    fraction, root or group follows (never before an opening bracket).
    """
    mathml = _OUTER_MROW.sub(r"\1\2\3", _NOT_NEEDED.sub("", mathml), count=1)
    return _FUNCTION_AFTER.sub(THIN, _FUNCTION_BEFORE.sub(r"\1" + THIN_BEFORE, mathml))


def _ignored(tag: str) -> bool:
    m = _CLASS.search(tag)
    classes = "".join(g or "" for g in m.groups()).split() if m else []
    return _NAME.match(tag).group(1).lower() in IGNORED_TAGS or any(c in IGNORED_CLASSES for c in classes)


def typeset(output: str) -> str:
    """``output`` with the math of its ``<body>`` text (outside code and rendered math) typeset by KaTeX."""
    body = output.find("<body")
    if body == -1 or not _LEFT.search(output, body):
        return output
    tokens = _TOKEN.findall(output, body)
    stack: list[tuple[str, bool]] = []  # open elements: (name, inside an ignored one?)
    pieces: list[str | tuple[str, bool]] = [output[:body]]
    for token in tokens:
        skip = bool(stack) and stack[-1][1]
        if token.startswith("</"):
            name = token[2:-1].strip().lower()
            while stack and stack.pop()[0] != name:
                pass
        elif token.startswith(("<!", "<?")) or (token.startswith("<") and not _NAME.match(token)) or token.endswith(
                ("</script>", "</style>", "</textarea>")):
            pass
        elif token.startswith("<"):
            name = _NAME.match(token).group(1).lower()
            if name not in VOID and not token.endswith("/>"):
                stack.append((name, skip or _ignored(token)))
        elif not skip and _LEFT.search(token):
            pieces += split(token)
            continue
        pieces.append(token)
    formulas = [(html.unescape(p[0]), p[1]) for p in pieces if isinstance(p, tuple)]
    if not formulas:
        return output
    rendered = iter(render(formulas))
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(p)
        else:
            math = next(rendered)
            out.append(f'<span class="katex-display">{math}</span>' if p[1] else math)
    return "".join(out)


def budget(src_uri: str) -> float:
    """The page-weight budget of issue 15 (tests/test_page_weight.py): lab 350 KB, lecture 250 KB, API none."""
    if src_uri.startswith("api/"):
        return float("inf")
    return 350_000 if src_uri.endswith(".ipynb") else 250_000


def on_post_page(output, page, config):
    if _state["node"] is None:
        return output
    start = time.perf_counter()
    typeset_output = typeset(output)
    _state["seconds"] += time.perf_counter() - start
    if len(typeset_output.encode()) > budget(page.file.src_uri) >= len(output.encode()):
        log.info(f"katex_build: {page.file.src_uri}: typeset math would exceed the page-weight budget, "
                 "left to the browser")
        return output
    return typeset_output


def on_post_build(config):
    if _state["node"] is not None:
        log.debug(f"katex_build: {_state['formulas']} formulas typeset in {_state['seconds']:.1f} s")
    _state["seconds"], _state["formulas"] = 0.0, 0
    _close()
