"""d. zh/en parity of pages and notebooks, and the glossary lint of the English pages."""

import re

import pytest

from .conftest import DOCS
from .harness.markdown import read
from .harness.parity import compare_notebooks, compare_pages, page_pairs

PAIRS, MISSING = page_pairs(DOCS)
NB_PAIRS, NB_MISSING = page_pairs(DOCS, ".ipynb")


def test_every_page_has_both_languages():
    assert PAIRS, "no pages found"
    assert not MISSING + NB_MISSING


@pytest.mark.parametrize("zh,en", PAIRS, ids=[str(z.relative_to(DOCS)) for z, _ in PAIRS])
def test_page_parity(zh, en):
    problems = compare_pages(zh, en)
    assert not problems, f"{zh.name} vs {en.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("zh,en", NB_PAIRS, ids=[str(z.relative_to(DOCS)) for z, _ in NB_PAIRS])
def test_notebook_parity(zh, en):
    problems = compare_notebooks(zh, en)
    assert not problems, f"{zh.name} vs {en.name}:\n" + "\n".join(problems)


# Renderings the glossary rules out (machine-translation habits and the seed's slips).
BAD_ENGLISH = {
    r"\bconvergence layer\b": "pooling layer (汇聚层)",
    r"\bback propagation\b": "backpropagation",
    r"\breverse propagation\b": "backpropagation",
    r"\bactivate function\b": "activation function",
    r"\bloss letter\b": "loss function",
    r"\bgradient disappear": "vanishing gradient",
    r"\bgradient explosion\b": "exploding gradients",
    r"\bstep length\b": "stride (or step size for optimizers)",
    r"\bmaximum likelihood estimate method\b": "maximum likelihood",
    r"\bneural network model network\b": "neural network",
}


@pytest.mark.parametrize("en", [e for _, e in PAIRS], ids=[str(e.relative_to(DOCS)) for _, e in PAIRS])
def test_english_uses_glossary_terms(en):
    text = read(en).lower()
    found = [f"'{m.group(0)}' -> use {use}" for pat, use in BAD_ENGLISH.items() for m in [re.search(pat, text)] if m]
    assert not found, f"{en.name}: " + "; ".join(found)


def test_chinese_pages_have_no_english_only_headings():
    """A Chinese page whose headings are all ASCII was probably not translated."""
    for zh, _ in PAIRS:
        heads = [l for l in read(zh).splitlines() if l.startswith("#")]
        assert any(re.search(r"[\u4e00-\u9fff]", h) for h in heads), f"{zh.name}: no Chinese heading"


_FIGURE_BLOCK = re.compile(r'<figure markdown="span">\s*!\[(?P<alt>[^\]]*)\]\((?P<src>[^)]+)\)\s*<figcaption>(?P<cap>.*?)</figcaption>\s*</figure>', re.S)


@pytest.mark.parametrize("page", [p for pair in PAIRS for p in pair], ids=[str(p.relative_to(DOCS)) for pair in PAIRS for p in pair])
def test_every_figure_has_alt_text_and_caption(page):
    text = read(page)
    blocks = list(_FIGURE_BLOCK.finditer(text))
    shown = [m.group("src") for m in blocks]
    loose = [src for src in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text) if "figures/" in src and src not in shown]
    assert not loose, f"{page.name}: figures outside a <figure> with a caption: {loose}"
    for m in blocks:
        assert len(m.group("alt").strip()) >= 10, f"{page.name}: {m.group('src')} needs real alt text"
        assert m.group("cap").strip(), f"{page.name}: {m.group('src')} has an empty caption"


NO_REFERENCES = {"index", "glossary", "api/index"}  # home, glossary and API reference cite no papers


LECTURES = [(z, e) for z, e in PAIRS if z.relative_to(DOCS).as_posix().removesuffix(".zh.md") not in NO_REFERENCES]


@pytest.mark.parametrize("zh,en", LECTURES, ids=[str(z.relative_to(DOCS)) for z, _ in LECTURES])
def test_lecture_pages_end_with_references(zh, en):
    for page, title in ((zh, "## 参考文献"), (en, "## References")):
        h2 = [line.strip() for line in read(page).splitlines() if line.startswith("## ")]
        assert h2 and h2[-1] == title, f"{page.name}: the last section must be '{title}', got {h2[-1:]}"
