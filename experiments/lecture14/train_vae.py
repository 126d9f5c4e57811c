"""Train the MNIST VAEs of the lab longer than CI allows, and save the lab's checkpoints.

Same data, binarization, model and training loop as docs/labs/vae-mnist.zh.ipynb
(`dlnotes.generative.binarize`, `VAE`, `train_vae`, `evaluate_vae`), only more epochs. Training is
step-based (a fixed number of epochs of 469 steps, batch 128, Adam 1e-3), on one CPU thread, so the
weights do not depend on the machine's load. 15 epochs (7,035 steps) take about 60 s of CPU time on
one core (about 4 s per epoch; the log's "CPU" column), so at most 60 s on 2 cores. Commands
(`DLNOTES_DATA` as in the README), each appending to the log:

    python experiments/lecture14/train_vae.py --latent 20 --epochs 15 --long-epochs 45 \
        --out dlnotes/checkpoints/vae_mnist_20d.pt 2>&1 | tee -a experiments/lecture14/train_vae.log
    python experiments/lecture14/train_vae.py --latent 2 --epochs 15 \
        --out dlnotes/checkpoints/vae_mnist_2d.pt 2>&1 | tee -a experiments/lecture14/train_vae.log

Two comparisons, also in the log (no checkpoint):

    python experiments/lecture14/train_vae.py --latent 20 --epochs 15 --long-epochs 45 \
        --binarization dynamic --out '' 2>&1 | tee -a experiments/lecture14/train_vae.log
    python experiments/lecture14/train_vae.py --latent 20 --epochs 15 \
        --binarization threshold --out '' 2>&1 | tee -a experiments/lecture14/train_vae.log

`dynamic` trains on Bernoulli draws redrawn for every batch and tests on the same static test set;
`threshold` trains and tests on pixels > 127 (another data set, not comparable).

Each run prints the test ELBO after every epoch. At `--epochs` it prints the ELBO on the 10,000 test
images and the IWAE bounds (k = 1, 10, 100) on the lab's subset (every 5th test image, 2,000: the
first 5,000 test images are cleaner than the last 5,000, so the subset takes from both) and on the
whole test set, for the float32 model and, with `--out`, for the float16 checkpoint reloaded as
float32, then the checkpoint's sha256 (pin it in dlnotes/checkpoints/__init__.py). With
`--long-epochs`, training goes on (the first `--epochs` epochs are the same run) and the same numbers
are printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import time

import torch

from dlnotes import seed_everything
from dlnotes.data import load_mnist
from dlnotes.generative import VAE, binarize, evaluate_vae, train_vae

SUBSET = slice(None, None, 5)  # the lab evaluates the IWAE bounds on every 5th test image (2,000 of both halves)
SEEDS = {"train": 0, "test": 1}  # static binarization of the training and the test images
EVAL_SEED = 1234  # the draws of every evaluation


def data(kind: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training data for `train_vae`, test images (0/1) and test labels."""
    (train, _), (test, labels) = load_mnist("train"), load_mnist("test")
    if kind == "static":
        return binarize(train, SEEDS["train"]), binarize(test, SEEDS["test"]), torch.from_numpy(labels)
    if kind == "dynamic":  # intensities; train_vae(dynamic=True) redraws them every batch
        return torch.from_numpy(train).reshape(-1, 784).float() / 255, binarize(test, SEEDS["test"]), torch.from_numpy(labels)
    threshold = lambda a: (torch.from_numpy(a).reshape(-1, 784) > 127).float()  # noqa: E731
    return threshold(train), threshold(test), torch.from_numpy(labels)


def bounds(model: VAE, test: torch.Tensor, label: str) -> None:
    """Print the test ELBO (all 10,000) and IWAE-1/10/100 on the lab's subset and on the whole test set."""
    start = time.perf_counter()
    g = lambda: torch.Generator().manual_seed(EVAL_SEED)  # noqa: E731
    elbo_all = evaluate_vae(model, test, generator=g())
    elbo_sub = evaluate_vae(model, test[SUBSET], generator=g())
    sub = {k: evaluate_vae(model, test[SUBSET], k=k, generator=g()) for k in (1, 10, 100)}
    full = {k: evaluate_vae(model, test, k=k, generator=g()) for k in (1, 10, 100)}
    print(f"{label}: test ELBO {elbo_all:.2f} (subset: {elbo_sub:.2f}); IWAE k=1/10/100 on the subset: "
          + " / ".join(f"{sub[k]:.2f}" for k in sub) + f", gap IWAE-100 - ELBO {sub[100] - elbo_sub:.2f}; "
          "all 10,000: " + " / ".join(f"{full[k]:.2f}" for k in full)
          + f", gap {full[100] - elbo_all:.2f}  ({time.perf_counter() - start:.0f} s)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latent", type=int, default=20)
    ap.add_argument("--hidden", type=int, default=400)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--long-epochs", type=int, default=0, help="go on training to this many epochs (0: no)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--binarization", choices=["static", "dynamic", "threshold"], default="static")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="dlnotes/checkpoints/vae_mnist_20d.pt")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print("=" * 100, f"\n{vars(args)}, torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)

    train, test, _ = data(args.binarization)
    seed_everything(0)
    model = VAE(784, args.hidden, args.latent)
    gen = torch.Generator().manual_seed(0)
    print(f"parameters {sum(p.numel() for p in model.parameters()):,}; train {tuple(train.shape)}, "
          f"test {tuple(test.shape)}, mean pixel train {train.mean():.4f} test {test.mean():.4f}", flush=True)
    start, cpu = time.perf_counter(), time.process_time()

    def save_and_check() -> None:
        bounds(model, test, f"after {args.epochs} epochs, float32")
        if not args.out:
            return
        state = {k: v.detach().cpu().half() for k, v in model.state_dict().items()}
        ckpt = {"config": {"input_dim": 784, "hidden_dim": args.hidden, "latent_dim": args.latent},
                "state_dict": state, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                "binarize_seeds": dict(SEEDS), "seed": 0}
        buf = io.BytesIO()
        torch.save(ckpt, buf)
        with open(args.out, "wb") as f:
            f.write(buf.getvalue())
        loaded = torch.load(io.BytesIO(buf.getvalue()), map_location="cpu", weights_only=True)
        reloaded = VAE(**loaded["config"])
        reloaded.load_state_dict({k: v.float() for k, v in loaded["state_dict"].items()})
        bounds(reloaded, test, f"after {args.epochs} epochs, float16 checkpoint as float32")
        print(f"sha256 {hashlib.sha256(buf.getvalue()).hexdigest()} {args.out} ({len(buf.getvalue()):,} bytes)",
              flush=True)

    def report(epoch: int, loss: float) -> None:
        wall, used = time.perf_counter() - start, time.process_time() - cpu
        elbo = evaluate_vae(model, test, generator=torch.Generator().manual_seed(EVAL_SEED))
        print(f"epoch {epoch:3d}  train -ELBO {loss:8.3f}  test ELBO {elbo:8.3f}   {wall:6.0f} s wall, "
              f"{used:6.0f} s CPU", flush=True)
        if epoch == args.epochs:
            save_and_check()
        model.train()

    # one call (one Adam state); evaluation draws from generators of their own, so the training run is the
    # same whether or not it goes on to --long-epochs
    total = max(args.epochs, args.long_epochs)
    train_vae(model, train, epochs=total, batch_size=args.batch_size, lr=args.lr,
              dynamic=args.binarization == "dynamic", generator=gen, callback=report)
    if total > args.epochs:
        bounds(model, test, f"after {total} epochs, float32 (not saved)")


if __name__ == "__main__":
    main()
