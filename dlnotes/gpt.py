r"""A tiny GPT (decoder-only Transformer) of lec13, built on `dlnotes.attention`.

The model is the autoregressive factorisation $\log p(u) = \sum_i \log p(u_i \mid u_{<i})$ with each
conditional a softmax over the vocabulary: token + learned position embeddings, `n_layer`
pre-LN blocks ($x \leftarrow x + \mathrm{Attn}(\mathrm{LN}(x))$, $x \leftarrow x + \mathrm{MLP}(\mathrm{LN}(x))$),
a final layer norm, and an output layer that shares its weight with the token embedding
(weight tying). The causal mask keeps position $i$ from seeing $u_{>i}$. Nanogpt-sized in spirit;
the attention itself is `dlnotes.attention.scaled_dot_product_attention`.

`train` is the training loop of the lab and of the longer run that made the lab's checkpoint
(`experiments/lecture13/`), so both run the same code; `evaluate_nll` gives held-out nats per token.

See: the tiny-GPT lab (docs/labs/tang-gpt.zh.ipynb)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from ._checks import check_tensor, expect, is_int, is_real
from .attention import scaled_dot_product_attention

__all__ = ["GPTConfig", "GPT", "get_batch", "train", "evaluate_nll", "to_checkpoint", "from_checkpoint"]


@dataclass(frozen=True)
class GPTConfig:
    """Sizes of a `GPT`: vocabulary $V$, context `block_size` $T$, `n_layer` blocks of `n_head` heads, width $C$."""

    vocab_size: int
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            v = getattr(self, name)
            expect(is_int(v) and v >= 1, "GPTConfig", f"{name} an int ≥ 1", repr(v))
        expect(self.n_embd % self.n_head == 0, "GPTConfig", "n_embd divisible by n_head",
               f"n_embd={self.n_embd}, n_head={self.n_head}")
        expect(is_real(self.dropout) and 0 <= self.dropout < 1, "GPTConfig", "dropout in [0, 1)", repr(self.dropout))


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with the causal mask: one (C, 3C) projection to Q, K, V, one (C, C) out."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: Tensor) -> Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # (B, T, C) each
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, h, T, C/h)
        y = scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, h, T, C/h)
        y = y.transpose(1, 2).reshape(B, T, C)  # (B, T, C): heads side by side
        return self.drop(self.proj(y))  # (B, T, C)


class Block(nn.Module):
    """A pre-LN Transformer block: $x + \\mathrm{Attn}(\\mathrm{LN}(x))$, then $x + \\mathrm{MLP}(\\mathrm{LN}(x))$."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = nn.Sequential(nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(),
                                 nn.Linear(4 * cfg.n_embd, cfg.n_embd), nn.Dropout(cfg.dropout))

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln1(x))  # (B, T, C): residual path around attention
        return x + self.mlp(self.ln2(x))  # (B, T, C): and around the MLP


class GPT(nn.Module):
    r"""A decoder-only Transformer language model: `forward(idx)` gives the logits of $p(u_{i+1} \mid u_{\le i})$.

    Args:
        cfg: the sizes (`GPTConfig`).

    Weights are drawn as in GPT-2: normal with standard deviation 0.02, the residual projections
    scaled by $1/\sqrt{2 \cdot n_\text{layer}}$, biases zero; the output layer is the token embedding.
    """

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        expect(isinstance(cfg, GPTConfig), "GPT", "a GPTConfig", type(cfg).__name__, TypeError)
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)  # token embedding, (V, C)
        self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd)  # learned position embedding, (T, C)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.head.weight = self.wte.weight  # weight tying: one (V, C) matrix in and out
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("attn.proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def num_parameters(self) -> int:
        """Number of parameters, the tied matrix counted once."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: Tensor, targets: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        r"""Logits `(B, T, V)` and, with `targets` `(B, T)`, the mean cross-entropy in nats per token."""
        check_tensor("GPT", "idx", idx)
        expect(idx.ndim == 2 and idx.dtype == torch.long, "GPT", "idx of shape (B, T) and dtype int64",
               f"shape {tuple(idx.shape)} and {idx.dtype}")
        B, T = idx.shape
        expect(1 <= T <= self.cfg.block_size, "GPT", f"a sequence length in [1, block_size={self.cfg.block_size}]", T)
        pos = torch.arange(T, device=idx.device)  # (T,)
        x = self.drop(self.wte(idx) + self.wpe(pos))  # (B, T, C)
        for block in self.blocks:
            x = block(x)  # (B, T, C)
        logits = self.head(self.ln_f(x))  # (B, T, V)
        if targets is None:
            return logits, None
        expect(targets.shape == idx.shape, "GPT", "targets of the same shape as idx", tuple(targets.shape))
        loss = nn.functional.cross_entropy(logits.reshape(B * T, -1), targets.reshape(B * T))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx: Tensor, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 generator: torch.Generator | None = None) -> Tensor:
        r"""Append `max_new_tokens` tokens drawn from $p(u_{i+1} \mid u_{\le i})^{1/\text{temperature}}$.

        Args:
            idx: the prompt, `(B, T0)` int64 with $T_0 \ge 1$; the model sees its last `block_size` tokens.
            max_new_tokens: how many tokens to draw.
            temperature: divides the logits; below 1 sharpens, above 1 flattens.
            top_k: keep only the `top_k` most likely tokens before sampling (None: all).
            generator: a `torch.Generator` on the model's device, for reproducible samples.

        Returns:
            `(B, T0 + max_new_tokens)`: the prompt followed by the samples.
        """
        expect(is_int(max_new_tokens) and max_new_tokens >= 0, "GPT.generate", "max_new_tokens an int ≥ 0",
               repr(max_new_tokens))
        expect(is_real(temperature) and temperature > 0, "GPT.generate", "temperature > 0", repr(temperature))
        expect(top_k is None or (is_int(top_k) and top_k >= 1), "GPT.generate", "top_k None or an int ≥ 1", repr(top_k))
        check_tensor("GPT.generate", "idx", idx)
        expect(idx.ndim == 2 and idx.shape[1] >= 1, "GPT.generate", "idx of shape (B, T0) with T0 ≥ 1", tuple(idx.shape))
        was_training = self.training
        self.eval()
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.cfg.block_size:])  # (B, T, V)
            logits = logits[:, -1, :] / temperature  # (B, V): the next token's scores
            if top_k is not None and top_k < logits.shape[-1]:
                kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (B, 1): the k-th largest
                logits = logits.masked_fill(logits < kth, -math.inf)
            probs = torch.softmax(logits, dim=-1)  # (B, V)
            nxt = torch.multinomial(probs, 1, generator=generator)  # (B, 1)
            idx = torch.cat([idx, nxt], dim=1)  # (B, T + 1)
        self.train(was_training)
        return idx


def get_batch(data: Tensor, block_size: int, batch_size: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """Random windows of a token stream: inputs `(B, T)` and the targets shifted by one, `(B, T)`."""
    expect(data.ndim == 1 and len(data) > block_size, "get_batch", f"a 1-D token stream longer than block_size={block_size}",
           tuple(data.shape))
    start = torch.randint(len(data) - block_size, (batch_size,), generator=generator)  # (B,)
    offsets = torch.arange(block_size)  # (T,)
    x = data[start[:, None] + offsets]  # (B, T)
    y = data[start[:, None] + offsets + 1]  # (B, T)
    return x, y


@torch.no_grad()
def evaluate_nll(model: GPT, data: Tensor, batch_size: int = 64, max_tokens: int | None = None) -> float:
    r"""Held-out loss in nats per token: $-\frac1n\sum_i \log p(u_i \mid \text{context})$ over a token stream.

    The stream is cut into windows of `block_size` + 1 tokens that overlap by half a window; every
    token after the first is scored once, with at least half a window of context (except at the start).
    `max_tokens` scores only the first tokens of the stream (a fixed slice).
    """
    T = model.cfg.block_size
    data = data if max_tokens is None else data[: max_tokens + 1]
    expect(data.ndim == 1 and len(data) >= 2, "evaluate_nll", "a 1-D token stream of at least 2 tokens", tuple(data.shape))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    stride = max(1, T // 2)
    starts = list(range(0, max(1, len(data) - T), stride))
    total, count = 0.0, 0
    for b in range(0, len(starts), batch_size):
        chunk = starts[b: b + batch_size]
        n = min(T, len(data) - 1 - chunk[0])
        x = torch.stack([data[s: s + n] for s in chunk if s + n < len(data)]).to(device)  # (B, n)
        y = torch.stack([data[s + 1: s + n + 1] for s in chunk if s + n < len(data)]).to(device)  # (B, n)
        logits, _ = model(x)
        nll = nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none").cpu()  # (B, n)
        for row, s in zip(nll, chunk):
            first = 0 if s == 0 else T - stride  # score each token once
            total += row[first:].double().sum().item()
            count += row[first:].numel()
    last = starts[-1] + T  # tokens past the last full window
    if last < len(data) - 1:
        x = data[len(data) - 1 - T: len(data) - 1][None].to(device)  # (1, T)
        y = data[len(data) - T:][None].to(device)  # (1, T)
        nll = nn.functional.cross_entropy(model(x)[0].transpose(1, 2), y, reduction="none").cpu()[0]
        tail = len(data) - 1 - last
        total += nll[-tail:].double().sum().item()
        count += tail
    model.train(was_training)
    return total / count


def train(model: GPT, data: Tensor, *, steps: int, batch_size: int = 32, lr: float = 1e-3,
          weight_decay: float = 0.1, warmup: int = 100, seconds: float | None = None,
          generator: torch.Generator | None = None, log_every: int = 0,
          callback: Callable[[int, float], None] | None = None) -> list[tuple[int, float]]:
    r"""AdamW on random windows of `data`, learning rate warmed up linearly then cosine-decayed to lr/10.

    Args:
        model: the `GPT` (its device receives the batches).
        data: the training token stream, 1-D int64 (kept on the CPU).
        steps: optimisation steps (the schedule's length).
        seconds: stop early after this many seconds of wall time (None: run all steps).
        generator: a CPU `torch.Generator` that draws the windows.
        log_every: record the loss every this many steps (0: never).
        callback: called as `callback(step, loss)` at each logged step (e.g. to print or validate).

    Returns:
        `[(step, training loss), ...]` at the logged steps.
    """
    expect(is_int(steps) and steps >= 1, "train", "steps an int ≥ 1", repr(steps))
    device = next(model.parameters()).device
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))

    def lr_at(step: int) -> float:
        if step < warmup:
            return lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return lr / 10 + (lr - lr / 10) * 0.5 * (1 + math.cos(math.pi * progress))

    model.train()
    log, start = [], time.perf_counter()
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        x, y = get_batch(data, model.cfg.block_size, batch_size, generator)
        _, loss = model(x.to(device), y.to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if log_every and (step % log_every == 0 or step == steps - 1):
            log.append((step, loss.item()))
            if callback is not None:
                callback(step, log[-1][1])
        if seconds is not None and time.perf_counter() - start > seconds:
            break
    return log


def to_checkpoint(model: GPT, **extra) -> dict:
    """A small checkpoint: the config, the weights in float16 (the tied output matrix stored once), and `extra`."""
    state = {k: v.detach().cpu().half() for k, v in model.state_dict().items() if k != "head.weight"}
    return {"config": asdict(model.cfg), "state_dict": state, **extra}


def from_checkpoint(ckpt: dict) -> GPT:
    """The `GPT` saved by `to_checkpoint`, in float32 on the CPU (move it with `.to(device)`)."""
    expect(isinstance(ckpt, dict) and {"config", "state_dict"} <= set(ckpt), "from_checkpoint",
           "a dict with 'config' and 'state_dict' (made by to_checkpoint)", type(ckpt).__name__)
    model = GPT(GPTConfig(**ckpt["config"]))
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in ckpt["state_dict"].items()}, strict=False)
    expect(missing == ["head.weight"] and not unexpected, "from_checkpoint", "the weights of this config",
           f"missing {missing}, unexpected {unexpected}")
    return model
