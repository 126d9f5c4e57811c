"""Speed of the in-page playground (issue 16) in headless Chromium: script time per epoch and frame rate.

Usage: python benchmarks/bench_playground.py [SITE]   (SITE: a built site; default: build one into a temp folder)

Targets: one epoch of 500 points on a 2-8-8-1 network (batch 10) <= 2 ms of script time, and
>= 30 frames per second while training (one epoch and a full redraw per frame). The test suite
asserts only generous bounds (tests/test_playground.py); this script reports the numbers.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from serve_gzip import serve  # noqa: E402
STATE = "data:circle,noise:0.1,train:0.5,n:1000,seed:1,hidden:8-8,act:tanh,init:xavier,lr:0.03,batch:10,reg:none,rate:0,drop:0"


def measure(url: str, chromium: str = "/usr/bin/chromium") -> dict:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(url + "/en/feedforward/#pg-0=" + STATE)
        page.wait_for_function("window.dlnotesPlayground && window.dlnotesPlayground.instances.length > 0")
        runs = page.evaluate("() => Array.from({length: 15}, () => "
                             "window.dlnotesPlayground.timeEpochs({hidden: [8, 8], n: 1000, train: 0.5, batch: 10}, 30))")
        ms = sorted(r["ms"] for r in runs)
        draw = page.evaluate("() => { const w = window.dlnotesPlayground.instances[0], t0 = performance.now();"
                             " for (let i = 0; i < 60; i++) w.draw(); return (performance.now() - t0) / 60; }")
        widget = page.locator(".dlnotes-playground").first
        widget.scroll_into_view_if_needed()
        widget.get_by_role("button", name="Play").click()
        f0, t0 = page.evaluate("() => window.dlnotesPlayground.instances[0].frames"), time.perf_counter()
        page.wait_for_timeout(5000)
        fps = (page.evaluate("() => window.dlnotesPlayground.instances[0].frames") - f0) / (time.perf_counter() - t0)
        browser.close()
    return {"epoch_ms_best": ms[0], "epoch_ms_median": ms[len(ms) // 2], "redraw_ms": draw, "fps": fps}


def main(site: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if site is None:
            site = Path(tmp) / "site"
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT, check=True)
        httpd = serve(str(site), 0)  # the quiet gzip server of scripts/serve_gzip.py
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            r = measure(f"http://127.0.0.1:{httpd.server_port}")
        finally:
            httpd.shutdown()
    files = {p.name: p.stat().st_size for p in (ROOT / "docs/javascripts/playground").iterdir()}
    print(f"script time per epoch (500 points, 2-8-8-1, batch 10): best {r['epoch_ms_best']:.2f} ms, "
          f"median {r['epoch_ms_median']:.2f} ms (target <= 2 ms)")
    print(f"full redraw {r['redraw_ms']:.1f} ms; {r['fps']:.1f} frames per second while training (target >= 30)")
    print(f"widget files: {files}, total {sum(files.values()) / 1024:.1f} KiB (target <= 80 KB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
