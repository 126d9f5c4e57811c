"""One freshness rule for pages and labs: what they produced is stale when their code changed.

The code of a page is its comment-stripped runnable python fences; the code of a lab is its
comment-stripped code cells. Its hash covers that code plus the source of every ``dlnotes``
module it imports, transitively (and the package root). Pages record it per page in
``docs/figures/manifest.json``, labs in their notebook metadata; image bytes are never compared.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .markdown import page_code, parse_fences, read, strip_comments
_NAMES = r"(\([^)]*\)|[\w \t,]+)"  # imported names: one line, or a parenthesised list over several
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(dlnotes(?:\.\w+)*)[ \t]+import[ \t]+" + _NAMES + r"|import[ \t]+(dlnotes(?:\.\w+)*))", re.M)
_RELATIVE = re.compile(r"^[ \t]*from[ \t]+(\.+)(\w*)[ \t]+import[ \t]+" + _NAMES, re.M)


def _module_files(package_dir: Path, dotted: str) -> list[Path]:
    """Source files of module ``dotted`` (``dlnotes.x.y``); empty when it is not a module."""
    base = package_dir.parent.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return [base.with_suffix(".py")]
    if base.is_dir() and (base / "__init__.py").is_file():
        return [base / "__init__.py"]  # submodules count when imported
    return []


def _names(what: str) -> list[str]:
    """The imported names of ``a, b as c, (d,\n e)``: ``["a", "b", "d", "e"]`` (aliases dropped)."""
    return [w.split()[0] for w in what.replace("(", "").replace(")", "").split(",") if w.strip()]


def _imported_modules(code: str) -> set[str]:
    names = set()
    for frm, what, imp in _IMPORT.findall(code):
        if imp:
            names.add(imp)
        else:
            names.add(frm)
            names.update(f"{frm}.{n}" for n in _names(what))
    return names


def dependencies(code: str, package_dir: Path) -> list[Path]:
    """Source files of the dlnotes modules ``code`` imports, transitively, plus the package root."""
    todo = _imported_modules(code) | {"dlnotes", "dlnotes.plotting"}
    seen: set[Path] = set()
    while todo:
        for path in _module_files(package_dir, todo.pop()):
            if path in seen:
                continue
            seen.add(path)
            src = path.read_text(encoding="utf-8")
            todo |= _imported_modules(src)
            pkg = path.relative_to(package_dir.parent).with_suffix("").parts[:-1]
            for dots, mod, what in _RELATIVE.findall(src):
                parent = list(pkg[: len(pkg) - (len(dots) - 1)])
                target = ".".join(parent + ([mod] if mod else []))
                todo.add(target)
                todo.update(f"{target}.{n}" for n in _names(what))
    return sorted(seen)


def code_hash(code: str, package_dir: Path) -> str:
    """sha256 of (comment-stripped) ``code`` and the dlnotes sources it depends on."""
    h = hashlib.sha256(code.encode())
    for path in dependencies(code, package_dir):
        h.update(path.relative_to(package_dir.parent).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def code_of(path: Path) -> str:
    """The comment-stripped code a page (``.md``) or a lab (``.ipynb``) runs."""
    if Path(path).suffix == ".ipynb":
        import nbformat

        cells = nbformat.read(path, as_version=4).cells
        return "".join(strip_comments(c.source) for c in cells if c.cell_type == "code")
    return page_code(parse_fences(read(path)))


def hash_of(path: Path, package_dir: Path) -> str:
    """The freshness hash of a page or a lab."""
    return code_hash(code_of(path), package_dir)
