"""Checks of the built HTML site: no raw notebook JSON, nothing off-site, no broken links."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_ALLOWED_REL = {"canonical", "alternate"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, url, rel)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        url = a.get("src") if tag in ("script", "img", "iframe", "source") else a.get("href") if tag in ("link", "a") else None
        if url:
            self.refs.append((tag, url, (a.get("rel") or "").lower()))


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    return p


def _target(site: Path, page: Path, path: str) -> Path:
    base = site if path.startswith("/") else page.parent
    t = (base / unquote(path.lstrip("/"))).resolve()
    return t / "index.html" if t.is_dir() or path.endswith("/") else t


def check_site(site: Path) -> list[str]:
    """Problems found in the built site under ``site``."""
    site = Path(site).resolve()
    pages = sorted(site.rglob("*.html"))
    parsed, problems = {}, []
    for page in pages:
        head = page.read_text(encoding="utf-8", errors="replace").lstrip()[:200]
        if head.startswith("{") or '"cell_type"' in head or '"nbformat"' in head:
            problems.append(f"{page.relative_to(site)} is raw notebook JSON, not HTML")
            continue
        parsed[page] = _parse(page)
    for page, p in parsed.items():
        rel = page.relative_to(site)
        for tag, url, linkrel in p.refs:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if tag in ("script", "img", "iframe", "source") or (tag == "link" and not (_ALLOWED_REL & set(linkrel.split()))):
                    problems.append(f"{rel}: <{tag}> loads {url} from off-site")
                continue
            if parts.scheme or tag == "link" and _ALLOWED_REL & set(linkrel.split()) and not parts.path:
                continue  # mailto:, data:, javascript: ...
            target = _target(site, page, parts.path) if parts.path else page
            if not target.exists():
                problems.append(f"{rel}: <{tag}> {url} points to a missing file")
                continue
            if parts.fragment and tag == "a" and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{rel}: link {url} points to a missing anchor")
    return problems


def build(root: Path, out: Path) -> list[str]:
    """``mkdocs build --strict`` of the project in ``root`` into ``out``; returns the problems.

    Never build with ``-q``: MkDocs counts only the warnings it prints, so a quiet strict
    build passes with broken links. Warnings in the log are problems too.
    """
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=root,
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    log = proc.stdout + proc.stderr
    problems = [line for line in log.splitlines() if line.startswith(("WARNING", "ERROR"))]
    if proc.returncode != 0 and not problems:
        problems = [f"mkdocs build --strict exited with {proc.returncode}:", log]
    return problems
