"""Off-page runs behind the mode-collapse paragraph of docs/gan.*.md, with the page's own code.

The paragraph that starts "This is one random seed, and we owe the reader an honest account of
what we tried off the page" (zh: "这只是一个随机种子的结果") quotes runs that the page does not make:
seeds 0 to 3 at 1200 to 2500 steps with equal learning rates, hidden layers of 64 units, the
discriminator's learning rate at 1/10 to 1/2 of the generator's, and the minimax generator loss.
This script makes them.

It does not copy the page's code. It parses docs/gan.zh.md with the harness's parser
(`tests.harness.markdown.parse_fences`, `Fence.runnable`), executes the runnable python fences in
one namespace, top to bottom, up to and including the fence that defines `train_gan` (as the
harness does, in a temporary folder, after `tests.harness.runner.reset_state()`, figures going to
a throw-away recording), then takes only the function definitions (`mode_stats`) from the next
fence, skipping its training run. Every run is `train_gan(2500, seed=s, ...)` of the page, measured
with the page's `mode_stats` (modes covered: at least 2% of the 2000 fixed-noise samples within 3
sigma of a centre; high-quality share: samples within 3 sigma of any centre).

Settings (seeds 0 to 3 each):

- equal:         the page's defaults, lr_D = lr_G = 1e-3, non-saturating loss, hidden 128;
- hidden 64:     `train_gan` has no width argument; it builds both networks with the page's
                 `mlp(n_in, n_out, hidden=128)`, looked up in the namespace at call time, so the
                 script rebinds `mlp` there to `functools.partial(page_mlp, hidden=64)` (both
                 networks 64 units per hidden layer; the page is not edited);
- lr_D = lr_G/10, lr_G/4, lr_G/2: `lr_d` = 1e-4, 2.5e-4, 5e-4 (lr_G = 1e-3);
- minimax:       `non_saturating=False`.

Nothing in `train_gan` depends on the number of steps except the loop's end, so the checkpoint at
step s of a 2500-step run is the end of an s-step run: one run per seed and setting gives every
step count from 1200 to 2500 (checkpoints every 50 steps). Each line prints modes covered and
high-quality share at steps 1200, 1500, 2000 and 2500, and the fewest and most modes covered over
the 27 checkpoints 1200, 1250, ..., 2500. The seed-0 equal run at step 1500 is the page's own run
(the page prints 8 modes, 0.800). CPU, one thread (`DLNOTES_DEVICE=cpu` is set here, and
`torch.set_num_threads(1)`); about 24 runs of 2500 steps, a few minutes of CPU time.

Command (from the repository root, `DLNOTES_DATA` as in the README; no data set is read):

    nice python experiments/lecture14/gan_seeds.py 2>&1 | tee experiments/lecture14/gan_seeds.log

Not run by the tests.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DLNOTES_DEVICE"] = "cpu"

import torch  # noqa: E402

from dlnotes import plotting  # noqa: E402
from tests.harness.markdown import parse_fences, read  # noqa: E402
from tests.harness.runner import reset_state  # noqa: E402

PAGE = ROOT / "docs" / "gan.zh.md"
STEPS = 2500
REPORT = (1200, 1500, 2000, 2500)
SEEDS = (0, 1, 2, 3)
SETTINGS = {  # name -> (keyword arguments of train_gan, hidden units of both networks)
    "equal lr 1e-3": ({}, 128),
    "hidden 64": ({}, 64),
    "lr_D = lr_G/10": ({"lr_d": 1e-4}, 128),
    "lr_D = lr_G/4": ({"lr_d": 2.5e-4}, 128),
    "lr_D = lr_G/2": ({"lr_d": 5e-4}, 128),
    "minimax loss": ({"non_saturating": False}, 128),
}


def load_page() -> tuple[dict, str]:
    """The page's namespace after the fences up to `train_gan`, plus `mode_stats`; and what they printed."""
    fences = [f for f in parse_fences(read(PAGE)) if f.runnable]
    i_train = next(i for i, f in enumerate(fences) if "def train_gan(" in f.code)
    i_stats = next(i for i, f in enumerate(fences) if "def mode_stats(" in f.code)
    namespace, old_cwd, buf = {"__name__": "__main__"}, os.getcwd(), io.StringIO()
    reset_state()
    with tempfile.TemporaryDirectory() as tmp, plotting.recording(tmp):
        os.chdir(tmp)
        try:
            with contextlib.redirect_stdout(buf):
                for fence in fences[: i_train + 1]:
                    exec(compile("\n" * fence.line + fence.code, str(PAGE), "exec"), namespace)
            tree = ast.parse("\n" * fences[i_stats].line + fences[i_stats].code, str(PAGE))
            defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
            exec(compile(ast.Module(body=defs, type_ignores=[]), str(PAGE), "exec"), namespace)
        finally:
            os.chdir(old_cwd)
    return namespace, buf.getvalue()


def main() -> None:
    start = time.process_time()
    ns, printed = load_page()
    torch.set_num_threads(1)
    train_gan, mode_stats, page_mlp = ns["train_gan"], ns["mode_stats"], ns["mlp"]
    print(f"page: {PAGE.relative_to(ROOT)}, device {ns['device']}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread; the page's train_gan fence printed:")
    print("  " + printed.strip().splitlines()[-1])
    print(f"{STEPS} steps per run; checkpoints every 50 steps; 'range' = fewest and most modes covered "
          f"over the checkpoints {REPORT[0]}..{STEPS}")
    head = "  ".join(f"step {s:4d}" for s in REPORT)
    print(f"\nsetting          seed  modes/high-quality at: {head}   range {REPORT[0]}-{STEPS}  CPU s"
          f"  modes at {REPORT[0]}, {REPORT[0] + 50}, ..., {STEPS}")
    summary = {}
    for name, (kwargs, hidden) in SETTINGS.items():
        ns["mlp"] = functools.partial(page_mlp, hidden=hidden) if hidden != 128 else page_mlp
        for seed in SEEDS:
            t0 = time.process_time()
            samples, _ = train_gan(STEPS, seed=seed, **kwargs)
            stats = {step: mode_stats(x)[:2] for step, x in samples.items()}
            window = [covered for step, (covered, _) in stats.items() if step >= REPORT[0]]
            summary.setdefault(name, []).append((seed, stats, min(window), max(window)))
            cells = "  ".join(f"{stats[s][0]} / {stats[s][1]:.3f}" for s in REPORT)
            print(f"{name:16s} {seed:4d}  {'':22s} {cells}   {min(window):2d} .. {max(window):d}"
                  f"         {time.process_time() - t0:5.1f}  {''.join(map(str, window))}", flush=True)
        ns["mlp"] = page_mlp
    print("\nsummary: modes covered at steps 1500 and 2500 for seeds " + ", ".join(map(str, SEEDS))
          + f"; fewest .. most modes over all checkpoints {REPORT[0]}..{STEPS}, and {REPORT[1]}..{STEPS}, of all seeds")
    for name, runs in summary.items():
        at = lambda s: " ".join(str(stats[s][0]) for _, stats, _, _ in runs)  # noqa: E731
        lo, hi = min(r[2] for r in runs), max(r[3] for r in runs)
        late = [stats[s][0] for _, stats, _, _ in runs for s in stats if s >= REPORT[1]]
        print(f"{name:16s}  step 1500: {at(1500)}   step 2500: {at(2500)}   {lo} .. {hi}   {min(late)} .. {max(late)}")
    print(f"\ntotal CPU time {time.process_time() - start:.0f} s")


if __name__ == "__main__":
    main()
