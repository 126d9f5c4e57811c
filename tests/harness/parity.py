"""zh/en parity: same pages, headings, code (comments stripped), outputs, figures, admonitions."""

from __future__ import annotations

from pathlib import Path

from .markdown import admonitions, headings, images, parse_fences, read, strip_comments


def page_pairs(docs: Path, suffix: str = ".md") -> tuple[list[tuple[Path, Path]], list[str]]:
    """((zh, en) pairs, problems for pages that exist in one language only)."""
    zh = {p.with_name(p.name.replace(f".zh{suffix}", "")): p for p in docs.rglob(f"*.zh{suffix}")}
    en = {p.with_name(p.name.replace(f".en{suffix}", "")): p for p in docs.rglob(f"*.en{suffix}")}
    problems = [f"{zh[k].relative_to(docs)} has no English twin" for k in sorted(zh.keys() - en.keys())]
    problems += [f"{en[k].relative_to(docs)} has no Chinese twin" for k in sorted(en.keys() - zh.keys())]
    return [(zh[k], en[k]) for k in sorted(zh.keys() & en.keys())], problems


def _fence_signature(text: str) -> list[tuple]:
    out = []
    for f in parse_fences(text):
        if f.info == "python":
            out.append(("python", f.runnable, strip_comments(f.code)))
        elif f.is_output:
            out.append(("output", f.output_checked, f.code))
        else:
            out.append(("other", f.info, None))
    return out


def compare_pages(zh: Path, en: Path) -> list[str]:
    """Differences between the two language versions of a page (empty when in lock-step)."""
    a, b = read(zh), read(en)
    problems = []
    if headings(a) != headings(b):
        problems.append(f"headings differ: zh levels {headings(a)} vs en levels {headings(b)}")
    if images(a) != images(b):
        problems.append(f"figures differ: zh {images(a)} vs en {images(b)}")
    if admonitions(a) != admonitions(b):
        problems.append(f"admonitions differ: zh has {admonitions(a)}, en has {admonitions(b)}")
    fa, fb = _fence_signature(a), _fence_signature(b)
    if len(fa) != len(fb):
        problems.append(f"code blocks differ: zh has {len(fa)}, en has {len(fb)}")
    for i, (x, y) in enumerate(zip(fa, fb), 1):
        if x != y:
            what = {"python": "python code (comments stripped)", "output": "printed output"}.get(x[0], "block kind")
            problems.append(f"block {i}: {what} differs between zh and en")
    return problems


def compare_notebooks(zh: Path, en: Path) -> list[str]:
    """Notebook parity: the same code cells (comments stripped), in the same order."""
    import nbformat

    def cells(path):
        return [strip_comments(c.source) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]

    a, b = cells(zh), cells(en)
    if len(a) != len(b):
        return [f"code cells differ: zh has {len(a)}, en has {len(b)}"]
    return [f"code cell {i}: differs between zh and en" for i, (x, y) in enumerate(zip(a, b), 1) if x != y]
