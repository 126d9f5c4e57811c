"""The one command that writes what pages and labs produce (the tests only check).

    python -m tests.harness regenerate [PATH ...]   figures + manifest of pages, stored outputs of labs
    python -m tests.harness fill PAGE ...           write printed output into a page's output blocks

PATH is a page (``docs/x.zh.md`` or ``docs/x.en.md``: the zh page runs) or a lab notebook
(either language: the zh notebook runs, both are stored). Without PATH: every page and lab.
Run it from the repository root, then read ``git diff`` and commit.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from . import figures, notebooks
from .fill import fill
from .freshness import hash_of
from .runner import run_page

ROOT = Path(__file__).resolve().parents[2]
DOCS, PACKAGE = ROOT / "docs", ROOT / "dlnotes"
FIGURES = DOCS / "figures"


def _zh(path: Path) -> Path:
    """The zh version of a page or lab given in either language (the zh one runs)."""
    return path if ".zh." in path.name else notebooks.twin(path)


def regenerate_page(page: Path) -> None:
    key = page.relative_to(DOCS).as_posix()
    with tempfile.TemporaryDirectory() as tmp:
        run = run_page(page, Path(tmp), check=False)
        manifest = figures.load_manifest(FIGURES)  # read after the run: others may regenerate meanwhile
        for old in set(manifest.get(key, {}).get("figures", [])) - set(run.figures):
            (FIGURES / old).unlink(missing_ok=True)
        for name in run.figures:
            shutil.copyfile(Path(tmp) / name, FIGURES / name)
    manifest[key] = {"code_sha256": hash_of(page, PACKAGE), "figures": run.figures}
    figures.write_manifest(FIGURES, manifest)
    print(f"{key}: {len(run.figures)} figure(s) in {run.seconds:.1f} s")


def regenerate(paths: list[Path]) -> None:
    if not paths:
        paths = sorted(DOCS.rglob("*.zh.md")) + sorted(DOCS.rglob("*.zh.ipynb"))
    for path in dict.fromkeys(_zh(p.resolve()) for p in paths):
        if path.suffix == ".ipynb":
            seconds = notebooks.store(path, PACKAGE)
            print(f"{path.relative_to(DOCS)} (+ en): executed in {seconds:.1f} s, outputs stored")
        else:
            regenerate_page(path)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.harness", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("regenerate", help="figures + manifest of pages, stored outputs of labs").add_argument("paths", nargs="*", type=Path)
    sub.add_parser("fill", help="write printed output into the output blocks of pages").add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "regenerate":
        regenerate(args.paths)
    else:
        for zh in dict.fromkeys(_zh(p) for p in args.paths):
            fill(zh, [zh, notebooks.twin(zh)])


if __name__ == "__main__":
    main(sys.argv[1:])
