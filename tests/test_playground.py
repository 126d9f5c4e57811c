"""The offline neural-network playground (docs/javascripts/playground, hooks/playground.py).

- the embeddings: same presets in both languages, on the pages that promise them, loaded only there;
- the network against PyTorch float64: forward pass, loss, gradients and one SGD step, for every
  activation, with no / L1 / L2 penalty, 0, 1 and 3 hidden layers, both losses, and dropout with a
  given mask, equal to 1e-12 (through the page's test hook ``window.dlnotesPlayground.testStep``);
- the presets reach what the pages claim (seed fixed), checked in the browser;
- speed (printed, asserted with generous bounds), the URL state, keyboard use and a 390 px screen.
"""

from __future__ import annotations

import itertools
import re
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from .conftest import DOCS
from .test_browser import browser, server  # noqa: F401

PG = DOCS / "javascripts" / "playground"
EMBED = re.compile(r'^<div class="dlnotes-playground" data-preset="([a-z0-9-]+)"></div>$', re.M)
# pages that must embed the playground (the issue), with at least these presets
REQUIRED = {"feedforward": {"xor-linear", "approx"}, "initialization": {"init-small"},
            "normalization": {"act-sigmoid"}, "regularization": {"reg-none"}}


def _presets_in_source() -> set[str]:
    js = (PG / "playground.js").read_text(encoding="utf-8")
    block = js[js.index("const PRESETS = {"): js.index("};", js.index("const PRESETS = {"))]
    return set(re.findall(r'^\s+"?([a-z0-9-]+)"?: \{', block, re.M))


# ---------- without a browser ----------

def test_widget_files_are_small_and_self_contained():
    sizes = {p.name: p.stat().st_size for p in PG.iterdir()}
    print(f"\nplayground files: {sizes}, total {sum(sizes.values())} bytes")
    assert set(sizes) == {"playground.js", "playground.css"}
    assert sum(sizes.values()) <= 80 * 1024
    for p in PG.iterdir():
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", p.read_text(encoding="utf-8")), p


def test_embeddings_are_the_same_in_both_languages_and_name_presets():
    presets = _presets_in_source()
    found = {}
    for zh in sorted(DOCS.rglob("*.zh.md")):
        en = zh.with_name(zh.name.replace(".zh.md", ".en.md"))
        a, b = EMBED.findall(zh.read_text(encoding="utf-8")), EMBED.findall(en.read_text(encoding="utf-8"))
        assert a == b, f"{zh.name}: {a} vs {b}"
        assert set(a) <= presets, f"{zh.name}: unknown presets {set(a) - presets}"
        if a:
            found[zh.name.removesuffix(".zh.md")] = set(a)
    for page, need in REQUIRED.items():
        assert need <= found.get(page, set()), (page, found.get(page))


def test_hook_adds_the_tags_only_to_pages_with_a_playground():
    import importlib.util

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("playground_hook", ROOT / "hooks" / "playground.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    add_tags = hook.add_tags

    html = '<html><head></head><body><div class="dlnotes-playground" data-preset="spiral"></div></body></html>'
    out = add_tags(html, "en/feedforward/")
    assert '<link rel="stylesheet" href="../../javascripts/playground/playground.css">\n</head>' in out
    assert '<script defer src="../../javascripts/playground/playground.js"></script>\n</body>' in out
    assert add_tags(out, "en/feedforward/") == out
    assert add_tags("<html><head></head><body>playground</body></html>", "x/") == "<html><head></head><body>playground</body></html>"


def test_built_pages_load_the_widget_only_where_embedded(built_site):
    with_pg = []
    for html in sorted(built_site.rglob("index.html")):
        if html.parent.name == "print":
            continue  # the print edition (hooks/print_page.py) copies articles after every page is written
        text = html.read_text(encoding="utf-8")
        scripts = re.findall(r'<script defer src="([^"]*playground\.js)"></script>', text)
        if 'class="dlnotes-playground"' in text:
            with_pg.append(html.parent.relative_to(built_site).as_posix())
            assert len(scripts) == 1 and (html.parent / scripts[0]).resolve().is_file(), html
            css = re.findall(r'<link rel="stylesheet" href="([^"]*playground\.css)">', text)
            assert len(css) == 1 and (html.parent / css[0]).resolve().is_file(), html
        else:
            assert "playground.js" not in text and "playground.css" not in text, html
    for page in REQUIRED:
        assert page in with_pg and f"en/{page}" in with_pg, with_pg


# ---------- in the browser ----------

@pytest.fixture(scope="module")
def pg_page(browser, server):  # noqa: F811
    """One page with a playground for the module (same checks as test_browser's `page`)."""
    context = browser.new_context()
    pg = context.new_page()
    errors, offsite = [], []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith((server, "data:"))
                  else (offsite.append(route.request.url), route.abort()))
    pg.goto(server + "/feedforward/")
    pg.wait_for_function("window.dlnotesPlayground && window.dlnotesPlayground.instances.length > 0")
    yield pg
    assert not errors, f"console errors: {errors}"
    assert not offsite, f"requests to other hosts: {offsite}"
    context.close()


ACTS = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z}
DEPTHS = {0: [2, 1], 1: [2, 5, 1], 3: [2, 4, 3, 5, 1]}
CASES = [dict(act=a, reg=r, depth=d, loss=lo, drop=0.0)
         for a, r, d, lo in itertools.product(ACTS, ("none", "l1", "l2"), DEPTHS, ("logistic", "squared"))]
CASES += [dict(act=a, reg="l2", depth=3, loss="logistic", drop=0.3) for a in ACTS]  # dropout with a given mask


def _spec(case: dict, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    sizes, n = DEPTHS[case["depth"]], 7
    weights = [rng.normal(0, 0.9, (o, i)).tolist() for i, o in zip(sizes, sizes[1:])]
    biases = [rng.normal(0, 0.5, o).tolist() for o in sizes[1:]]
    y = rng.integers(0, 2, n).astype(float) if case["loss"] == "logistic" else rng.normal(0, 1, n)
    spec = dict(weights=weights, biases=biases, x=rng.normal(0, 1, (n, 2)).tolist(), y=y.tolist(), act=case["act"],
                loss=case["loss"], reg=case["reg"], rate=0.03 if case["reg"] != "none" else 0.0, lr=0.2, drop=case["drop"])
    if case["drop"]:
        spec["masks"] = [(rng.random((n, h)) >= case["drop"]).astype(float).tolist() for h in sizes[1:-1]]
    return spec


def _torch_step(spec: dict) -> dict:
    """The same step in PyTorch float64 (autograd), from the notes' formulas."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in spec["weights"]]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in spec["biases"]]
    a = torch.tensor(spec["x"], dtype=torch.float64)
    y = torch.tensor(spec["y"], dtype=torch.float64)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W.T + b
        if l < len(Ws) - 1:
            a = ACTS[spec["act"]](z)
            if spec["drop"]:
                a = a * torch.tensor(spec["masks"][l], dtype=torch.float64) / (1 - spec["drop"])
    out = z.squeeze(1)
    data = F.binary_cross_entropy_with_logits(out, y) if spec["loss"] == "logistic" else 0.5 * ((out - y) ** 2).mean()
    penalty = {"none": lambda W: 0 * W.sum(), "l1": lambda W: W.abs().sum(), "l2": lambda W: (W ** 2).sum()}[spec["reg"]]
    total = data + spec["rate"] * sum(penalty(W) for W in Ws)
    total.backward()
    with torch.no_grad():
        return dict(loss=total.item(), data=data.item(), output=out.tolist(), gradW=[W.grad.tolist() for W in Ws],
                    gradB=[b.grad.tolist() for b in bs], W=[(W - spec["lr"] * W.grad).tolist() for W in Ws],
                    b=[(b - spec["lr"] * b.grad).tolist() for b in bs])


@pytest.fixture(scope="module")
def js_steps(pg_page):
    specs = [_spec(c, seed) for seed, c in enumerate(CASES)]
    return specs, pg_page.evaluate("specs => specs.map(s => window.dlnotesPlayground.testStep(s))", specs)


@pytest.mark.parametrize("k", range(len(CASES)), ids=["{act}-{reg}-{depth}h-{loss}".format(**c) + ("-dropout" if c["drop"] else "")
                                                      for c in CASES])
def test_one_step_equals_pytorch_float64(js_steps, k):
    torch.set_num_threads(1)
    specs, results = js_steps
    js, ref = results[k], _torch_step(specs[k])
    for key in ("loss", "data", "output", "gradW", "gradB", "W", "b"):
        a, b = (np.concatenate([np.ravel(np.asarray(t, dtype=float)) for t in v]) if key in ("gradW", "gradB", "W", "b")
                else np.asarray(v, dtype=float) for v in (js[key], ref[key]))
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12, err_msg=f"{CASES[k]} {key}")
    assert np.abs(np.concatenate([np.ravel(g) for g in ref["gradW"]])).max() > 1e-3  # the case is not trivial


def _run(pg, preset: str, epochs: int, **over) -> dict:
    return pg.evaluate("([n, e, o]) => window.dlnotesPlayground.runPreset(n, e, o)", [preset, epochs, over])


# The claims of the pages, one per line: preset, epochs, check (docs/feedforward, initialization,
# normalization, regularization say exactly this).
def test_xor_without_hidden_layer_stays_at_chance(pg_page):
    r = _run(pg_page, "xor-linear", 200)
    assert abs(r["test"]["loss"] - np.log(2)) < 0.01 and 0.4 <= r["test"]["acc"] <= 0.6, r["test"]


def test_xor_with_four_hidden_units_works(pg_page):
    r = _run(pg_page, "xor-hidden", 200)
    assert r["test"]["loss"] < 0.15 and r["test"]["acc"] > 0.9, r["test"]


def test_spiral_preset(pg_page):
    r = _run(pg_page, "spiral", 300)
    assert r["test"]["loss"] < 0.1, r["test"]


def test_approximation_needs_units(pg_page):
    wide, narrow = _run(pg_page, "approx", 500), _run(pg_page, "approx", 500, hidden=[1])
    assert wide["test"]["loss"] < 0.02 and narrow["test"]["loss"] > 0.1, (wide["test"], narrow["test"])


def test_small_initialization_stalls_where_xavier_learns(pg_page):
    small, xavier = _run(pg_page, "init-small", 100), _run(pg_page, "init-xavier", 100)
    assert small["test"]["loss"] > 0.69 and xavier["test"]["loss"] < 0.15, (small["test"], xavier["test"])


def test_deep_sigmoid_network_stalls_where_tanh_learns(pg_page):
    sig, tanh = _run(pg_page, "act-sigmoid", 100), _run(pg_page, "act-tanh", 100)
    assert sig["test"]["loss"] > 0.69 and tanh["test"]["loss"] < 0.3, (sig["test"], tanh["test"])


def test_l2_narrows_the_gap_between_training_and_test_loss(pg_page):
    none, l2 = _run(pg_page, "reg-none", 500), _run(pg_page, "reg-l2", 500)
    gap = lambda r: r["test"]["loss"] - r["train"]["loss"]  # noqa: E731
    print(f"\nreg-none: train {none['train']['loss']:.3f} test {none['test']['loss']:.3f}; "
          f"reg-l2: train {l2['train']['loss']:.3f} test {l2['test']['loss']:.3f}")
    assert gap(none) > 0.4 and gap(l2) < 0.25 and l2["test"]["loss"] < none["test"]["loss"], (none, l2)


def test_same_seed_same_run_other_seed_other_data(pg_page):
    a, b, c = _run(pg_page, "spiral", 5), _run(pg_page, "spiral", 5), _run(pg_page, "spiral", 5, seed=2)
    assert a["history"] == b["history"] and a["history"] != c["history"]


def test_speed_of_an_epoch_and_of_the_heat_map(browser, server):  # noqa: F811
    page = browser.new_page()
    try:
        state = "data:circle,noise:0.1,train:0.5,n:1000,seed:1,hidden:8-8,act:tanh,init:xavier,lr:0.03,batch:10,reg:none,rate:0,drop:0"
        page.goto(server + "/en/feedforward/#pg-0=" + state)
        page.wait_for_function("window.dlnotesPlayground && window.dlnotesPlayground.instances.length > 0")
        # wall-clock script time on a busy machine: the best and the median of 7 runs of 30 epochs
        runs = page.evaluate("() => Array.from({length: 7}, () => "
                             "window.dlnotesPlayground.timeEpochs({hidden: [8, 8], n: 1000, train: 0.5, batch: 10}, 30))")
        assert all(r["ntrain"] == 500 for r in runs)
        ms = sorted(r["ms"] for r in runs)
        draw = page.evaluate("() => { const w = window.dlnotesPlayground.instances[0], t0 = performance.now();"
                             " for (let i = 0; i < 30; i++) w.draw(); return (performance.now() - t0) / 30; }")
        widget = page.locator(".dlnotes-playground").first
        assert widget.locator("select[data-key=layers]").input_value() == "2"  # the URL state was read
        widget.scroll_into_view_if_needed()
        frames = "() => window.dlnotesPlayground.instances[0].frames"
        widget.get_by_role("button", name="Play").click()
        f0, t0 = page.evaluate(frames), time.perf_counter()
        page.wait_for_timeout(3000)
        fps = (page.evaluate(frames) - f0) / (time.perf_counter() - t0)
        widget.get_by_role("button", name="Pause").click()
        print(f"\nplayground: {ms[0]:.2f} ms (best of 7), {ms[3]:.2f} ms (median) of script time per epoch of 500 points "
              f"(2-8-8-1, batch 10); one full redraw {draw:.1f} ms; {fps:.1f} frames per second while training "
              f"(one epoch + full redraw per frame)")
        assert ms[0] <= 20 and fps >= 5
    finally:
        page.close()


def test_widget_renders_eagerly_and_is_keyboard_operable(browser, server):  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(server + "/regularization/")
        page.wait_for_function("window.dlnotesPlayground && window.dlnotesPlayground.instances.length > 0")
        widget = page.locator(".dlnotes-playground").first
        assert page.evaluate("() => window.dlnotesPlayground.instances.every(w => w.frames >= 1)")  # drawn, not scrolled to
        assert widget.get_by_role("button", name="运行").count() == 1  # the page's language
        assert widget.locator("label").count() == widget.locator("select, input").count()
        widget.get_by_role("button", name="单步").focus()
        page.keyboard.press("Enter")
        assert "轮 1 " in widget.locator(".pg-status").inner_text()
        widget.locator("select[data-key=reg]").focus()
        page.keyboard.press("ArrowDown")  # none -> l1
        assert "reg:l1" in page.evaluate("() => location.hash")
        assert widget.locator("select[data-key=preset]").input_value() == ""  # custom now
    finally:
        page.close()


def test_fits_a_390_px_phone(browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        for route in ("/en/feedforward/", "/initialization/"):
            page.goto(server + route)
            page.wait_for_function("window.dlnotesPlayground && window.dlnotesPlayground.instances.length > 0")
            # the widget and everything in it within the 390 px viewport, nothing scrolled inside it
            # (the page's own width is the page's business: KaTeX's hidden MathML may be wider)
            right, inner = page.evaluate("""() => {
              const all = [...document.querySelectorAll('.dlnotes-playground, .dlnotes-playground *')];
              const w = document.querySelector('.dlnotes-playground');
              return [Math.max(...all.map(e => e.getBoundingClientRect().right)), w.scrollWidth - w.clientWidth]; }""")
            assert right <= 390 and inner <= 0, (route, right, inner)
    finally:
        context.close()
