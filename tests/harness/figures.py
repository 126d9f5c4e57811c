"""Figure freshness: a figure is stale when the code that made it changed since it was made.

The code of a page is its comment-stripped python fences plus the source of every
``dlnotes`` module it imports (transitively). Its sha256 is recorded per figure in
``docs/figures/manifest.json`` when the page runs; image bytes are never compared.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .markdown import images, page_code, parse_fences, read

MANIFEST = "manifest.json"
_IMPORT = re.compile(r"^\s*(?:from\s+(dlnotes(?:\.\w+)*)\s+import\s+([\w\s,()]+)|import\s+(dlnotes(?:\.\w+)*))", re.M)
_RELATIVE = re.compile(r"^\s*from\s+(\.+)(\w*)\s+import\s+([\w\s,()]+)", re.M)


def _module_files(package_dir: Path, dotted: str) -> list[Path]:
    """Source files of module ``dotted`` (``dlnotes.x.y``); empty when it is not a module."""
    base = package_dir.parent.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return [base.with_suffix(".py")]
    if base.is_dir() and (base / "__init__.py").is_file():
        return [base / "__init__.py"]  # submodules count when imported
    return []


def _imported_modules(code: str) -> set[str]:
    names = set()
    for frm, what, imp in _IMPORT.findall(code):
        if imp:
            names.add(imp)
        else:
            names.add(frm)
            names.update(f"{frm}.{w.strip()}" for w in what.replace("(", "").replace(")", "").split(",") if w.strip())
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
                todo.update(f"{target}.{w.strip()}" for w in what.replace("(", "").replace(")", "").split(",") if w.strip())
    return sorted(seen)


def code_hash(page: Path, package_dir: Path) -> str:
    """sha256 of a page's code and the dlnotes sources it depends on."""
    code = page_code(parse_fences(read(page)))
    h = hashlib.sha256(code.encode())
    for path in dependencies(code, package_dir):
        h.update(path.relative_to(package_dir.parent).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def load_manifest(figure_dir: Path) -> dict:
    path = Path(figure_dir) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def record(figure_dir: Path, page: Path, figures: list[str], digest: str) -> None:
    """Write the manifest entries of the figures a page just made (and drop its old ones)."""
    manifest = {k: v for k, v in load_manifest(figure_dir).items() if v["page"] != page.name}
    manifest.update({name: {"page": page.name, "code_sha256": digest} for name in figures})
    (Path(figure_dir) / MANIFEST).write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n", encoding="utf-8")


def figure_refs(page: Path) -> list[str]:
    """File names of the figures (``figures/<name>``) a page shows."""
    return [Path(src).name for src in images(read(page)) if "figures/" in src]


def stale_figures(pages: list[Path], figure_dir: Path, package_dir: Path) -> list[str]:
    """Problems: figures missing, not recorded, made by another page, stale, or unused."""
    manifest, problems, used = load_manifest(figure_dir), [], set()
    for page in pages:
        digest = None
        for name in figure_refs(page):
            used.add(name)
            entry = manifest.get(name)
            if not (Path(figure_dir) / name).is_file():
                problems.append(f"{page.name}: figure {name} does not exist")
            elif entry is None:
                problems.append(f"{page.name}: figure {name} is not in {MANIFEST} (not made by page code)")
            elif entry["page"] != page.name:
                problems.append(f"{page.name}: figure {name} was made by {entry['page']}, not by this page")
            else:
                digest = digest or code_hash(page, package_dir)
                if entry["code_sha256"] != digest:
                    problems.append(f"{page.name}: figure {name} is stale (its code changed since it was made)")
    for path in sorted(Path(figure_dir).glob("*")):
        if path.name != MANIFEST and path.name not in used:
            problems.append(f"figure {path.name} is not shown by any page")
    return problems
