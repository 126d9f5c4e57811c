r"""Tang poems as plain text for the character-level language models of lecture 13.

全唐诗 (the chinese-poetry project's `poet.tang.*.json`) is stored in traditional characters;
`tang_poems()` converts it to simplified characters with OpenCC's `t2s` table, so that the notes'
readers see the characters they read every day. OpenCC's tables change between releases (1.1.9 and
1.4.2 convert 14 characters of this corpus differently), so dlnotes pins `opencc==1.4.2`: the lab's
vocabulary and checkpoint depend on the exact text. Each poem becomes one string: its paragraphs
joined, punctuation kept (`，` `。` `？` `！` `；` end lines).

```python
from dlnotes.data.poems import tang_poems, poem_lines

poems = tang_poems()              # 8,007 strings, about 510k characters
poem_lines(poems[0])[:2]          # ['秦川雄帝宅', '函谷壮皇居']
```

See: the tiny-GPT lab (docs/labs/tang-gpt.zh.ipynb).
"""

from __future__ import annotations

import re

import numpy as np

from .._checks import expect
from .chars import CharVocab, split_indices
from .loaders import load_chinese_poetry

__all__ = ["tang_poems", "to_simplified", "poem_lines", "split_poems", "poem_stream", "LINE_END"]

LINE_END = "，。？！；"
"""The punctuation marks that end a line of verse."""


def to_simplified(texts: list[str]) -> list[str]:
    """Traditional → simplified Chinese with OpenCC's `t2s` conversion (the `opencc` package)."""
    expect(isinstance(texts, list) and all(isinstance(t, str) for t in texts), "to_simplified",
           "a list of strings", type(texts).__name__, TypeError)
    try:
        import opencc
    except ImportError as e:  # pragma: no cover - opencc is a dependency of dlnotes
        raise ImportError("to_simplified needs OpenCC: pip install opencc") from e
    converter = opencc.OpenCC("t2s")
    return [converter.convert(t) for t in texts]


def tang_poems(simplified: bool = True) -> list[str]:
    """The poems of 全唐诗 (8 files, 8,007 poems), one string per poem, empty poems left out.

    Args:
        simplified: convert to simplified characters (OpenCC `t2s`); `False` keeps the traditional text.
    """
    poems = ["".join(p["paragraphs"]).strip() for p in load_chinese_poetry("tang")]
    poems = [p for p in poems if p]
    return to_simplified(poems) if simplified else poems


def poem_lines(text: str) -> list[str]:
    """The lines of a poem: the pieces between line-ending punctuation, empty pieces dropped."""
    expect(isinstance(text, str), "poem_lines", "a str", type(text).__name__, TypeError)
    return [s for s in re.split(f"[{LINE_END}]", text) if s]


def split_poems(poems: list[str], seed: int = 0) -> dict[str, list[str]]:
    """Split by poem (never inside one): 80 % train, 10 % validation, 10 % test, seeded."""
    train, held = split_indices(len(poems), 0.2, seed=seed)
    val, test = held[: len(held) // 2], held[len(held) // 2:]
    return {name: [poems[i] for i in idx] for name, idx in (("train", train), ("val", val), ("test", test))}


def poem_stream(vocab: CharVocab, poems: list[str]) -> np.ndarray:
    """One int64 token stream: `<eos>`, then each poem followed by `<eos>` (the marker both ends and starts a poem)."""
    expect(vocab.eos_index is not None, "poem_stream", "a CharVocab made with eos=True", repr(vocab))
    ids = [vocab.eos_index]
    for poem in poems:
        ids += vocab.encode(poem, add_eos=True)
    return np.array(ids, dtype=np.int64)
