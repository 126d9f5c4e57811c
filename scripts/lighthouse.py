"""Lighthouse scores of four pages in both languages, served with gzip (a measurement, not a test).

Usage: python scripts/lighthouse.py SITE_DIR [--runs 2] [--lighthouse /tmp/lh] [--out table.md]

SITE_DIR is a built site (``python -m mkdocs build --strict -d SITE_DIR``). Lighthouse 12 is
installed from npm outside the repository (``mkdir -p /tmp/lh && cd /tmp/lh && npm install
lighthouse@12``; Lighthouse 13 needs Node 22) and run with Debian's chromium in its default
mobile emulation. Prints a Markdown table (performance varies from run to run: use --runs 2),
and the failing audits of each page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_gzip import serve  # noqa: E402

PAGES = {"home": "", "lecture": "linear-models/", "lab": "labs/mnist-cnn/", "API": "api/"}
CATEGORIES = ("accessibility", "best-practices", "performance")
METRICS = ("largest-contentful-paint", "total-blocking-time", "total-byte-weight")


def run_lighthouse(lh: Path, url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run([str(lh / "node_modules/.bin/lighthouse"), url, "--quiet", "--output=json", f"--output-path={out}",
                        "--chrome-flags=--headless --no-sandbox --disable-gpu",
                        "--only-categories=" + ",".join(CATEGORIES)],
                       check=True, env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")})
        return json.loads(out.read_text())


def summary(report: dict) -> tuple[dict, list[str]]:
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    audits = report["audits"]
    scores.update({m: audits[m]["displayValue"].replace("Total size was ", "") for m in METRICS})
    failing = sorted(a for a in {r["id"] for c in CATEGORIES for r in report["categories"][c]["auditRefs"]}
                     if audits[a]["score"] is not None and audits[a]["score"] < 0.9
                     and audits[a]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings"))
    return scores, failing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--lighthouse", default="/tmp/lh", help="folder where lighthouse@12 is npm-installed")
    ap.add_argument("--out", help="also write the table to this Markdown file")
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset of " + ",".join(PAGES))
    args = ap.parse_args()

    httpd = serve(args.site, 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}/"
    rows = ["| page | URL | accessibility | best practices | performance (runs) | LCP | TBT | bytes |",
            "|---|---|---|---|---|---|---|---|"]
    for name in args.pages.split(","):
        for lang in ("", "en/"):
            url = base + lang + PAGES[name]
            results = [summary(run_lighthouse(Path(args.lighthouse), url)) for _ in range(args.runs)]
            s, failing = results[-1]
            perf = " / ".join(str(r[0]["performance"]) for r in results)
            lcp = " / ".join(r[0]["largest-contentful-paint"] for r in results)
            tbt = " / ".join(r[0]["total-blocking-time"] for r in results)
            rows.append(f"| {name} ({lang.rstrip('/') or 'zh'}) | /{lang}{PAGES[name]} | {s['accessibility']} | "
                        f"{s['best-practices']} | {perf} | {lcp} | {tbt} | {s['total-byte-weight']} |")
            print(rows[-1], "\n   below 0.9:", ", ".join(failing) or "-", flush=True)
    httpd.shutdown()
    table = "\n".join(rows)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
