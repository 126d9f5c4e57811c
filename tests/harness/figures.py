"""The figure manifest: which page made which figure, from which code.

``docs/figures/manifest.json`` maps each page that makes figures (its path relative to
``docs/``, e.g. ``"optimizers.zh.md"``) to the freshness hash of its code and the figures it
made. Only ``python -m tests.harness regenerate`` writes it; the tests only read it.
"""

from __future__ import annotations

import json
from pathlib import Path

from .freshness import hash_of
from .markdown import images, read

MANIFEST = "manifest.json"


def load_manifest(figure_dir: Path) -> dict:
    path = Path(figure_dir) / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {k: v for k, v in data.items() if isinstance(v, dict) and "figures" in v}  # page entries only


def write_manifest(figure_dir: Path, manifest: dict) -> None:
    entries = {k: {"code_sha256": v["code_sha256"], "figures": sorted(v["figures"])} for k, v in sorted(manifest.items()) if v["figures"]}
    (Path(figure_dir) / MANIFEST).write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def figure_refs(page: Path) -> list[str]:
    """File names of the figures (``figures/<name>``) a page shows."""
    return [Path(src).name for src in images(read(page)) if "figures/" in src]


def stale_figures(page: Path, docs: Path, figure_dir: Path, package_dir: Path) -> list[str]:
    """Problems with the figures ``page`` shows: missing, not made by it, or made by older code."""
    key = Path(page).relative_to(docs).as_posix()
    entry = load_manifest(figure_dir).get(key)
    problems = []
    for name in figure_refs(page):
        if not (Path(figure_dir) / name).is_file():
            problems.append(f"{key}: figure {name} does not exist")
        elif entry is None or name not in entry["figures"]:
            problems.append(f"{key}: figure {name} is not recorded in {MANIFEST} as made by this page")
    if entry is not None and entry["code_sha256"] != hash_of(page, package_dir):
        problems.append(f"{key}: its figures are stale (the page's code or a dlnotes module it imports changed)")
    return problems


def orphans(docs: Path, figure_dir: Path) -> list[str]:
    """Problems: figure files no page made or shows, manifest entries of pages that are gone."""
    manifest, problems = load_manifest(figure_dir), []
    made = {name for entry in manifest.values() for name in entry["figures"]}
    for key in manifest:
        if not (Path(docs) / key).is_file():
            problems.append(f"{MANIFEST} lists {key}, which does not exist")
    for path in sorted(Path(figure_dir).iterdir()):
        if path.name != MANIFEST and path.name not in made:
            problems.append(f"figure {path.name} is not made by any page (hand-made diagrams go in docs/diagrams/)")
    return problems


def check_diagrams(docs: Path, pages: list[Path]) -> list[str]:
    """Problems with hand-made diagrams (``docs/diagrams/``): not a valid SVG, no ``<title>`` or viewBox,
    a reference to anything outside the file (href, src, url(), @import), or unused."""
    import re
    import xml.etree.ElementTree as ET

    folder, problems = Path(docs) / "diagrams", []
    shown = {Path(src).name for page in pages for src in images(read(page)) if "diagrams/" in src}
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as err:
            problems.append(f"diagrams/{path.name} is not valid XML: {err}")
            continue
        if root.tag != "{http://www.w3.org/2000/svg}svg":
            problems.append(f"diagrams/{path.name} is not an SVG (root <{root.tag}>)")
        elif root.find("{http://www.w3.org/2000/svg}title") is None:
            problems.append(f"diagrams/{path.name} has no <title> (screen readers need one)")
        elif "viewBox" not in root.attrib:
            problems.append(f"diagrams/{path.name} has no viewBox (it would not scale)")
        text = path.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        outside = re.findall(r"""(?:href|src)\s*=\s*["'](?!#)[^"']*|url\(\s*["']?(?!#)[^)]*\)|@import|https?://""", text)
        if outside:
            problems.append(f"diagrams/{path.name} refers outside itself: {outside[:3]}")
        if path.name not in shown:
            problems.append(f"diagrams/{path.name} is not shown by any page")
    return problems
