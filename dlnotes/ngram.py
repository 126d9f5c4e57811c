r"""Count-based language models, the baselines a neural language model must beat (lecture 13).

On a token stream $u_1, \dots, u_n$ over a vocabulary of size $V$:

- `UnigramLM`: $p(w) = (c(w) + \alpha) / (n + \alpha V)$ (add-$\alpha$);
- `BigramLM(method="add_k")`: $p(w \mid v) = (c(v w) + k) / (c(v) + k V)$;
- `BigramLM(method="interpolated")`: $\lambda\, c(v w)/c(v) + (1 - \lambda)\, p_\text{uni}(w)$
  (Jelinek–Mercer; contexts never seen fall back to the unigram);
- `BigramLM(method="kneser_ney")`: interpolated Kneser–Ney with discount $d$,
  $p(w \mid v) = \max(c(v w) - d, 0)/c(v) + d\, N_{1+}(v\,\bullet)/c(v)\; p_\text{cont}(w)$, where the
  continuation probability $p_\text{cont}(w) \propto N_{1+}(\bullet\, w)$ (in how many contexts $w$ was
  seen) is itself discounted towards the uniform distribution, so every token has mass.

`nll` returns held-out nats per token; every distribution sums to one (the tests check it).
NumPy only: counts are kept sparse (pairs as $vV + w$ keys), so $V \approx 5{,}600$ costs no
$V \times V$ table.

See: the tiny-GPT lab (docs/labs/tang-gpt.zh.ipynb)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import expect, is_int, is_real

__all__ = ["UnigramLM", "BigramLM"]


def _as_tokens(who: str, tokens: ArrayLike, vocab_size: int) -> np.ndarray:
    u = np.asarray(tokens)
    expect(u.ndim == 1 and u.size >= 2 and np.issubdtype(u.dtype, np.integer), who,
           "a 1-D integer token stream of at least 2 tokens", f"shape {u.shape} and dtype {u.dtype}")
    expect(bool((u >= 0).all() and (u < vocab_size).all()), who, f"tokens in [0, {vocab_size})",
           f"values in [{u.min()}, {u.max()}]")
    return u.astype(np.int64)


class UnigramLM:
    r"""$p(w) = (c(w) + \alpha) / (n + \alpha V)$, fitted on a token stream."""

    def __init__(self, tokens: ArrayLike, vocab_size: int, alpha: float = 1.0) -> None:
        expect(is_int(vocab_size) and vocab_size >= 1, "UnigramLM", "vocab_size an int ≥ 1", repr(vocab_size))
        expect(is_real(alpha) and alpha > 0, "UnigramLM", "alpha > 0", repr(alpha))
        u = _as_tokens("UnigramLM", tokens, vocab_size)
        counts = np.bincount(u, minlength=vocab_size).astype(np.float64)  # (V,)
        self.probs = (counts + alpha) / (counts.sum() + alpha * vocab_size)  # (V,)

    def nll(self, tokens: ArrayLike) -> float:
        """Held-out nats per token over the stream (every token scored, context-free)."""
        u = _as_tokens("UnigramLM.nll", tokens, len(self.probs))
        return float(-np.log(self.probs[u]).mean())


class BigramLM:
    r"""A bigram model $p(u_i \mid u_{i-1})$ with add-$k$, interpolated or Kneser–Ney smoothing.

    Args:
        tokens: the training stream (1-D ints).
        vocab_size: $V$.
        method: `"add_k"`, `"interpolated"` or `"kneser_ney"`.
        k: the add-$k$ pseudo-count; lam: $\lambda$ of the interpolation; d: the Kneser–Ney discount in (0, 1).
    """

    METHODS = ("add_k", "interpolated", "kneser_ney")

    def __init__(self, tokens: ArrayLike, vocab_size: int, method: str = "kneser_ney", *, k: float = 0.1,
                 lam: float = 0.8, d: float = 0.75) -> None:
        expect(method in self.METHODS, "BigramLM", f"method in {self.METHODS}", repr(method))
        expect(is_int(vocab_size) and vocab_size >= 1, "BigramLM", "vocab_size an int ≥ 1", repr(vocab_size))
        expect(is_real(k) and k > 0, "BigramLM", "k > 0", repr(k))
        expect(is_real(lam) and 0 <= lam <= 1, "BigramLM", "lam in [0, 1]", repr(lam))
        expect(is_real(d) and 0 < d < 1, "BigramLM", "d in (0, 1)", repr(d))
        u = _as_tokens("BigramLM", tokens, vocab_size)
        self.V, self.method, self.k, self.lam, self.d = vocab_size, method, k, lam, d
        V = vocab_size
        keys, pair_counts = np.unique(u[:-1] * V + u[1:], return_counts=True)  # sparse c(v w)
        self.keys, self.pair_counts = keys, pair_counts.astype(np.float64)
        self.ctx_counts = np.bincount(u[:-1], minlength=V).astype(np.float64)  # c(v) as a context
        self.unigram = UnigramLM(u, V, alpha=1.0).probs  # (V,)
        self.followers = np.bincount(keys // V, minlength=V).astype(np.float64)  # N1+(v •)
        n_ctx = np.bincount(keys % V, minlength=V).astype(np.float64)  # N1+(• w)
        total, seen = n_ctx.sum(), (n_ctx > 0).sum()
        self.p_cont = np.maximum(n_ctx - d, 0) / total + d * seen / total / V  # (V,): sums to 1

    def _pair_count(self, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        q = v * self.V + w
        pos = np.searchsorted(self.keys, q).clip(max=len(self.keys) - 1)
        return np.where(self.keys[pos] == q, self.pair_counts[pos], 0.0)

    def _prob(self, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        c_vw, c_v = self._pair_count(v, w), self.ctx_counts[v]
        if self.method == "add_k":
            return (c_vw + self.k) / (c_v + self.k * self.V)
        safe = np.maximum(c_v, 1.0)
        if self.method == "interpolated":
            lam = np.where(c_v > 0, self.lam, 0.0)
            return lam * c_vw / safe + (1 - lam) * self.unigram[w]
        backoff = np.where(c_v > 0, self.d * self.followers[v] / safe, 1.0)  # mass left for p_cont
        return np.maximum(c_vw - self.d, 0) / safe + backoff * self.p_cont[w]

    def next_token_probs(self, v: int) -> np.ndarray:
        r"""The distribution $p(\cdot \mid v)$, shape `(V,)`, summing to 1."""
        expect(is_int(v) and 0 <= v < self.V, "BigramLM.next_token_probs", f"a token in [0, {self.V})", repr(v))
        return self._prob(np.full(self.V, v), np.arange(self.V))

    def nll(self, tokens: ArrayLike) -> float:
        r"""Held-out nats per token, $-\frac{1}{n-1}\sum_{i \ge 2} \log p(u_i \mid u_{i-1})$."""
        u = _as_tokens("BigramLM.nll", tokens, self.V)
        return float(-np.log(self._prob(u[:-1], u[1:])).mean())

    def sample(self, start: int, n: int, rng: np.random.Generator, temperature: float = 1.0) -> list[int]:
        """Draw `n` tokens after `start`, each from $p(\\cdot \\mid \\text{previous})^{1/\\text{temperature}}$."""
        expect(is_real(temperature) and temperature > 0, "BigramLM.sample", "temperature > 0", repr(temperature))
        out, v = [], start
        for _ in range(n):
            p = self.next_token_probs(v) ** (1 / temperature)
            v = int(rng.choice(self.V, p=p / p.sum()))
            out.append(v)
        return out
