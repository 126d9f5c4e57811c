"""Names -> gender: the course's one-name-at-a-time training loop against batched training.

Run from the repository root (DLNOTES_DATA pointing at the data, or the data downloaded):

    python benchmarks/bench_name_classifier.py [--n-train 10000] [--epochs 5] [--loop-names N]
                                               [--threads 1] [--device cpu]

The setting is the course's lab (lecture 11): 10,000 training names, a vanilla RNN with 64
hidden units, Adam with learning rate 0.001, mini-batches of 100 names, 5 epochs. The names are
the Chinese names of `dlnotes.data.load_chinese_names()`, split 80/20 by
`split_indices(n, 0.2, seed=0)` as on the page docs/rnn-classification.*.md; the 10,000
training names are a seeded sample of the training part, and every method is tested on the
whole test part (7,433 names). Rows:

1. loop, loss at every character: the course's code (one-hot input, h = tanh(W [x; h] + b),
   one name and one character at a time, the cross-entropy added after every character);
2. loop, loss once per name: the same loop with the loss of the final step only;
3. batched, the same model from the same start: row 2's initial CourseRNN, its one-hot input
   replaced by the equal embedding lookup, reads each padded mini-batch at once (nn.RNN; the
   output at each name's last real step), loss once per name, the same mini-batches in the same
   order: in exact arithmetic rows 2 and 3 compute the same parameters, only the time differs.

The loss is computed from the logit (`binary_cross_entropy_with_logits`), not as the course's
log of a sigmoid, which overflows; otherwise row 1 is the course's loop. Each row trains from the
same seed on the same names and prints the seconds per epoch (median over the epochs, scaled to
10,000 names), the speed-up over row 1 (the course's code) and the test accuracy after the last
epoch with its 95% confidence interval (binomial standard error). With `--loop-names N` the loops
(rows 1-2) train on the first N names only: quicker (about 6 s per 10,000 names and epoch on a
2-core CPU), but their accuracy is then not comparable (shown in brackets).
`torch.set_num_threads` is 1 unless `--threads` says otherwise (one thread is the fastest here on
a busy 2-core machine, and the loops cannot use more).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from dlnotes import get_device, seed_everything
from dlnotes.data import load_chinese_names
from dlnotes.data.chars import CharVocab, pad_batch, split_indices

HIDDEN = 64


class CourseRNN(nn.Module):
    """The course's model, with a logit output: h = tanh(W [x; h] + b), x one-hot."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = torch.tanh(self.i2h(torch.cat((x, hidden), dim=1)))
        return self.h2o(hidden), hidden


class BatchedCourseRNN(nn.Module):
    """The course's model, same parameters, reading a padded mini-batch at once.

    One-hot times the input part of W is a column of W: an embedding lookup. nn.RNN then gets an
    identity input weight and no second bias (both frozen), so h = tanh(W_x[:, c] + W_h h + b).
    """

    def __init__(self, course: CourseRNN) -> None:
        super().__init__()
        V, H = course.i2h.in_features - course.hidden_size, course.hidden_size
        device = course.i2h.weight.device
        self.embed = nn.Embedding(V, H).to(device)
        self.rnn = nn.RNN(H, H, batch_first=True).to(device)
        self.out = nn.Linear(H, 1).to(device)
        with torch.no_grad():
            self.embed.weight.copy_(course.i2h.weight[:, :V].T)
            self.rnn.weight_ih_l0.copy_(torch.eye(H))
            self.rnn.weight_hh_l0.copy_(course.i2h.weight[:, V:])
            self.rnn.bias_ih_l0.copy_(course.i2h.bias)
            self.rnn.bias_hh_l0.zero_()
            self.out.load_state_dict(course.h2o.state_dict())
        self.rnn.weight_ih_l0.requires_grad_(False)
        self.rnn.bias_hh_l0.requires_grad_(False)

    def forward(self, X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.embed(X))
        return self.out(out[torch.arange(len(X)), lengths.to(X.device) - 1]).squeeze(1)


def loop_epoch(model, opt, ids, y, perm, bs, every_char, device):
    """One epoch of the course's loop: one name, one character at a time."""
    V = model.i2h.in_features - model.hidden_size
    for j in range(0, len(perm), bs):
        batch = perm[j:j + bs]
        loss = 0.0
        for i in batch:
            target = torch.tensor(float(y[i]), device=device)
            hidden = torch.zeros(1, model.hidden_size, device=device)
            for x in F.one_hot(torch.tensor(ids[i]), V).float().to(device):
                output, hidden = model(x[None], hidden)
                if every_char:  # the course: a loss term after every character
                    loss = loss + F.binary_cross_entropy_with_logits(output[0, 0], target)
            if not every_char:
                loss = loss + F.binary_cross_entropy_with_logits(output[0, 0], target)
        loss = loss / len(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()


def batched_epoch(model, opt, X_all, lengths_all, y_all, perm, bs, device):
    for batch in torch.from_numpy(perm).split(bs):
        lengths = lengths_all[batch]
        X = X_all[batch, : lengths.max()].to(device)
        loss = F.binary_cross_entropy_with_logits(model(X, lengths), y_all[batch].to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()


def accuracy(logit_fn, X_all, lengths_all, y_all, idx, device) -> tuple[float, float]:
    idx = torch.from_numpy(idx)
    lengths = lengths_all[idx]
    with torch.no_grad():
        z = logit_fn(X_all[idx, : lengths.max()].to(device), lengths).cpu()
    acc = ((z > 0).float() == y_all[idx]).float().mean().item()
    return acc, 1.96 * math.sqrt(acc * (1 - acc) / len(idx))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=10_000, help="training names (the course: 10,000)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs for every method (the course: 5)")
    parser.add_argument("--loop-names", type=int, default=None, help="train the loops on the first N names only")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--device", default=None, help="default: dlnotes.get_device()")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device) if args.device else get_device()

    chinese = load_chinese_names()
    names = chinese["male"] + chinese["female"]
    y = np.array([0] * len(chinese["male"]) + [1] * len(chinese["female"]))
    train_idx, test_idx = split_indices(len(names), 0.2, seed=0)
    train_idx = np.random.default_rng(0).permutation(train_idx)[: args.n_train]  # the course: 10,000 names
    vocab = CharVocab(names)
    ids = [vocab.encode(name) for name in names]
    X_np, lengths_np = pad_batch(ids)
    X_all, lengths_all, y_all = torch.from_numpy(X_np), torch.from_numpy(lengths_np), torch.from_numpy(y).float()
    V = len(vocab)
    n_loop = min(args.loop_names or len(train_idx), len(train_idx))

    print(f"torch {torch.__version__}, {device}, {torch.get_num_threads()} thread(s), {platform.processor() or platform.machine()}; "
          f"{len(train_idx)} training names ({n_loop} for the loops), {len(test_idx)} test names, "
          f"{V} symbols, {args.epochs} epochs\n")
    rows = []

    for label, every_char in [("loop, loss at every character (course)", True), ("loop, loss once per name", False)]:
        seed_everything(0)
        model = CourseRNN(V, HIDDEN).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        rng = np.random.default_rng(0)
        times = []
        for _ in range(args.epochs):
            start = time.perf_counter()
            loop_epoch(model, opt, ids, y, rng.permutation(train_idx[:n_loop]), 100, every_char, device)
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times) / n_loop * 10_000
        acc = accuracy(BatchedCourseRNN(model), X_all, lengths_all, y_all, test_idx, device)  # the same function, faster
        rows.append((label, seconds, acc, n_loop < len(train_idx)))
        print(f"  done: {label}", flush=True)

    label = "batched, same model and start, loss once per name"
    seed_everything(0)
    model = BatchedCourseRNN(CourseRNN(V, HIDDEN).to(device))  # row 2's initial parameters
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)  # row 2's mini-batches
    times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        batched_epoch(model, opt, X_all, lengths_all, y_all, rng.permutation(train_idx), 100, device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times) / len(train_idx) * 10_000
    rows.append((label, seconds, accuracy(model, X_all, lengths_all, y_all, test_idx, device), False))
    print(f"  done: {label}", flush=True)

    reference = rows[0][1]
    print(f"\n| method | s/epoch per 10k names | speed-up vs the course's loop | test accuracy after {args.epochs} epochs |")
    print("| --- | ---: | ---: | ---: |")
    for label, seconds, (acc, half), partial in rows:
        shown = f"{100 * acc:.1f}% ± {100 * half:.1f}"
        print(f"| {label} | {seconds:.2f} | {reference / seconds:.1f}x | {f'({shown})' if partial else shown} |")


if __name__ == "__main__":
    main()
