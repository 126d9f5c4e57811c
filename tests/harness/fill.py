"""Write what each python fence prints into the output block after it (authoring aid).

``python -m tests.harness fill docs/page.zh.md`` runs the zh page and fills every
``<!-- output -->`` block of both language versions (same fences, by parity) with the printed
text. Read the diff before committing: the tests check outputs, this only writes them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .markdown import parse_fences, read
from .runner import _expected_outputs, run_page


def fill(source: Path, targets: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as figures:
        run = run_page(source, Path(figures), check=False)
    printed = [run.printed[line] for line in sorted(_expected_outputs(parse_fences(read(source))))]
    for target in targets:
        lines = read(target).splitlines()
        pairs = sorted(_expected_outputs(parse_fences("\n".join(lines))).items())
        if len(pairs) != len(printed):
            raise SystemExit(f"{target}: {len(pairs)} output blocks, {source} has {len(printed)}")
        for (_, out), text in reversed(list(zip(pairs, printed))):
            body = [out.indent + line if line else "" for line in text.rstrip("\n").splitlines()]
            start = out.line  # 1-based line of the opening fence = index of the first body line
            end = start + len(out.code.rstrip("\n").splitlines()) if out.code.strip() else start
            lines[start:end] = body
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{target}: filled {len(pairs)} output block(s)")
