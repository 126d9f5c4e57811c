"""Train the tiny GPT of the Tang-poem lab longer than CI allows, and save the lab's checkpoint.

Same data, split, model and training loop as docs/labs/tang-gpt.zh.ipynb (`dlnotes.gpt.train`),
only more steps. Command (2 CPU cores, idle machine: about 13 min; on a busy machine add `--threads 1`,
so that waiting for a second core does not stall every step; `DLNOTES_DATA` as in the README):

    python experiments/lecture13/train_gpt.py --steps 4000 --out dlnotes/checkpoints/tang_gpt.pt \
        2>&1 | tee experiments/lecture13/train_gpt.log

The weights are stored in float16 (about 3 MB); pin the printed sha256 in dlnotes/checkpoints/__init__.py.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import torch

from dlnotes import seed_everything
from dlnotes.data.chars import CharVocab
from dlnotes.data.poems import poem_stream, split_poems, tang_poems
from dlnotes.gpt import GPT, GPTConfig, evaluate_nll, to_checkpoint, train
from dlnotes.ngram import BigramLM


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--out", default="dlnotes/checkpoints/tang_gpt.pt")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(vars(args), f"torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)

    seed_everything(0)
    poems = tang_poems()
    splits = split_poems(poems)
    vocab = CharVocab(poems, eos=True)
    train_ids, val_ids, test_ids = (torch.from_numpy(poem_stream(vocab, splits[k])) for k in ("train", "val", "test"))
    kn = BigramLM(train_ids.numpy(), len(vocab), "kneser_ney", d=0.75)
    print(f"vocab {len(vocab)}, tokens train/val/test {len(train_ids)}/{len(val_ids)}/{len(test_ids)}; "
          f"Kneser-Ney bigram val {kn.nll(val_ids.numpy()):.4f} test {kn.nll(test_ids.numpy()):.4f}", flush=True)

    cfg = GPTConfig(len(vocab), block_size=args.block_size, n_layer=args.n_layer, n_head=4,
                    n_embd=args.n_embd, dropout=args.dropout)
    model = GPT(cfg)
    print(f"parameters {model.num_parameters():,}", flush=True)
    gen = torch.Generator().manual_seed(0)
    start = time.perf_counter()

    def report(step: int, loss: float) -> None:
        if step % 500 == 0 or step == args.steps - 1:
            elapsed = time.perf_counter() - start
            tok_s = (step + 1) * args.batch_size * args.block_size / elapsed
            print(f"step {step:5d}  train {loss:.4f}  val {evaluate_nll(model, val_ids):.4f}  "
                  f"{elapsed:7.1f} s  {tok_s:.0f} tokens/s", flush=True)

    train(model, train_ids, steps=args.steps, batch_size=args.batch_size, lr=args.lr, generator=gen,
          log_every=100, callback=report)
    test = evaluate_nll(model, test_ids)
    print(f"final: val {evaluate_nll(model, val_ids):.4f}  test {test:.4f} nats/char "
          f"(Kneser-Ney bigram test {kn.nll(test_ids.numpy()):.4f})", flush=True)
    torch.save(to_checkpoint(model, steps=args.steps, batch_size=args.batch_size, lr=args.lr), args.out)
    print("sha256", hashlib.sha256(open(args.out, "rb").read()).hexdigest(), args.out, flush=True)


if __name__ == "__main__":
    main()
