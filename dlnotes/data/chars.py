r"""Characters as integers: a vocabulary, encoding and decoding, padded batches, a seeded split.

Shared by the character-level models of lectures 11–13 (names → gender, name generation,
the tiny GPT). Plain NumPy and Python types, so they work with or without torch:

```python
from dlnotes.data.chars import CharVocab, pad_batch

vocab = CharVocab(["anna", "bob"], eos=True)   # <pad>=0, <eos>=1, then a, b, n, o
ids = [vocab.encode(w, add_eos=True) for w in ["bob", "an"]]
X, lengths = pad_batch(ids)                   # (2, 4) int64 and [4, 3]
vocab.decode(X[1])                            # 'an'
```

See: the name-classification page (docs/rnn-classification.zh.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from .._checks import expect, is_int

__all__ = ["CharVocab", "pad_batch", "split_indices"]

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"


class CharVocab:
    r"""A character vocabulary: index 0 is padding, then the optional markers, then the characters.

    Characters are sorted by code point, so the same texts always give the same indices.

    Args:
        texts: the texts whose characters make the vocabulary.
        bos: add a begin-of-sequence marker `<bos>` (index 1).
        eos: add an end-of-sequence marker `<eos>` (after `<bos>` if both).
        min_count: leave out characters seen fewer times (encoding them is then an error).

    Attributes:
        itos: index → symbol (a character, or `"<pad>"`, `"<bos>"`, `"<eos>"`).
        stoi: symbol → index.
        pad_index: 0.
        bos_index: index of `<bos>`, or `None`.
        eos_index: index of `<eos>`, or `None`.
    """

    def __init__(self, texts: Iterable[str], *, bos: bool = False, eos: bool = False, min_count: int = 1) -> None:
        expect(is_int(min_count) and min_count >= 1, "CharVocab", "min_count to be an integer >= 1", repr(min_count))
        texts = list(texts)
        expect(all(isinstance(t, str) for t in texts), "CharVocab", "texts to be strings",
               next((type(t).__name__ for t in texts if not isinstance(t, str)), ""), TypeError)
        counts = Counter(ch for t in texts for ch in t)
        self.itos = [PAD] + [BOS] * bos + [EOS] * eos + sorted(ch for ch, c in counts.items() if c >= min_count)
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.pad_index = 0
        self.bos_index = self.stoi.get(BOS) if bos else None
        self.eos_index = self.stoi.get(EOS) if eos else None

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} symbols: {''.join(s for s in self.itos if len(s) == 1)[:40]!r}...)"

    def encode(self, text: str, *, add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """The indices of `text`'s characters, optionally framed by `<bos>` and `<eos>`.

        Raises:
            ValueError: for a character not in the vocabulary, or a marker the vocabulary lacks.
        """
        expect(isinstance(text, str), "CharVocab.encode", "a str", type(text).__name__, TypeError)
        unknown = sorted({ch for ch in text if ch not in self.stoi or len(self.itos[self.stoi[ch]]) != 1})
        expect(not unknown, "CharVocab.encode", "characters of the vocabulary", f"{''.join(unknown)!r} in {text!r}")
        expect(not add_bos or self.bos_index is not None, "CharVocab.encode", "add_bos only with CharVocab(..., bos=True)", "add_bos=True")
        expect(not add_eos or self.eos_index is not None, "CharVocab.encode", "add_eos only with CharVocab(..., eos=True)", "add_eos=True")
        return [self.bos_index] * add_bos + [self.stoi[ch] for ch in text] + [self.eos_index] * add_eos

    def decode(self, ids: Iterable[int]) -> str:
        """The text of `ids`: stops at the first `<eos>`, drops padding and `<bos>`."""
        out = []
        for i in (int(i) for i in ids):
            expect(0 <= i < len(self), "CharVocab.decode", f"indices in [0, {len(self)})", i)
            if i == self.eos_index:
                break
            if i != self.pad_index and i != self.bos_index:
                out.append(self.itos[i])
        return "".join(out)


def pad_batch(sequences: Sequence[Sequence[int]], pad_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Stack sequences of different lengths into one array, padded at the end.

    Args:
        sequences: $B$ non-empty sequences of integer indices.
        pad_index: the value that fills the tail of shorter sequences.

    Returns:
        `(X, lengths)`: `X` of shape $(B, T_{\max})$ and `lengths` of shape $(B,)$, both int64.
        `torch.from_numpy(X)` feeds an embedding; `lengths` serves
        `torch.nn.utils.rnn.pack_padded_sequence` or picks each sequence's last step.
    """
    expect(len(sequences) > 0, "pad_batch", "at least one sequence", "none")
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)  # (B,)
    expect(bool((lengths > 0).all()), "pad_batch", "non-empty sequences", f"an empty one at position {int(np.argmin(lengths))}")
    X = np.full((len(sequences), int(lengths.max())), pad_index, dtype=np.int64)  # (B, T_max)
    for row, seq in zip(X, sequences):
        row[: len(seq)] = seq
    return X, lengths


def split_indices(n: int, test_fraction: float = 0.2, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random split of `range(n)` into (train, test) index arrays, each sorted.

    Args:
        n: number of items.
        test_fraction: share of the items in the test part, in (0, 1).
        seed: seed of NumPy's generator (the split does not touch the global random state).
    """
    expect(is_int(n) and n >= 2, "split_indices", "n to be an integer >= 2", repr(n))
    expect(isinstance(test_fraction, float) and 0 < test_fraction < 1, "split_indices", "test_fraction in (0, 1)", repr(test_fraction))
    perm = np.random.default_rng(seed).permutation(n)
    n_test = max(1, min(n - 1, round(n * test_fraction)))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])
