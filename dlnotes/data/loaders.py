r"""Loaders of the course datasets. All return plain NumPy arrays or Python types.

See: [home](../) (README, section "Data")
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from .registry import fetch, fetch_dataset, files

__all__ = [
    "read_idx",
    "load_mnist",
    "load_chinese_names",
    "load_transliterated_names",
    "load_names_by_language",
    "load_tiny_shakespeare",
    "load_chinese_poetry",
    "POETRY_COLLECTIONS",
]

# IDX type codes (http://yann.lecun.com/exdb/mnist/): code -> big-endian dtype
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    r"""Parse an IDX file (plain or `.gz`), the format MNIST is distributed in.

    The header is two zero bytes, a type code, the number of dimensions $d$, then
    $d$ big-endian 32-bit sizes; the data follow in C order.

    Returns:
        an array of the stored shape, in native byte order.

    Raises:
        ValueError: bad magic number, unknown type code, or a size that does not match the data.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path.name}: not an IDX file (magic bytes {raw[:4].hex() or 'missing'})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path.name}: truncated IDX header")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"{path.name}: header says shape {shape} ({expected} bytes) but {len(raw) - header} bytes follow")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    r"""MNIST handwritten digits (LeCun et al., 1998), parsed from the original IDX files.

    Args:
        split: `"train"` (60,000 images) or `"test"` (the official 10,000-image test set).

    Returns:
        `(images, labels)`: images of shape (N, 28, 28), dtype uint8 (0 = white paper,
        255 = ink), and labels of shape (N,), dtype int64, in 0..9.
    """
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    images = read_idx(fetch(f"mnist/{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(fetch(f"mnist/{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    if images.shape[1:] != (28, 28) or images.shape[0] != labels.shape[0]:
        raise ValueError(f"load_mnist: unexpected shapes {images.shape} and {labels.shape}")
    return images, labels


def _read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_chinese_names() -> dict[str, list[str]]:
    r"""Chinese full names by gender (cyy0523xc/chinese-name-gender-analyse).

    Returns:
        `{"male": [...], "female": [...]}`, names as `str` in file order
        (21,982 male and 15,181 female; some minority names contain `·`).
    """
    return {g: _read_lines(fetch(f"chinese_names/name_gender/{g}.txt")) for g in ("male", "female")}


def load_transliterated_names() -> dict[str, list[tuple[str, str]]]:
    r"""Chinese transliterations of foreign given names, by gender.

    Returns:
        `{"male": [(chinese, english), ...], "female": [...]}`, e.g. `("阿波洛尼娅", "Apollonia")`.
    """
    out = {}
    for g in ("male", "female"):
        records = json.loads(fetch(f"chinese_names/transliterated_gender/name.{g}.json").read_text(encoding="utf-8"))
        out[g] = [(r["name"], r["enName"]) for r in records]
    return out


def load_names_by_language() -> dict[str, list[str]]:
    r"""Surnames by language of origin (the data of PyTorch's char-RNN tutorials).

    Returns:
        `{language: [surname, ...]}` for 18 languages, 20,074 names in all (ASCII files,
        duplicates kept as in the source).
    """
    return {Path(p).stem: _read_lines(p) for p in fetch_dataset("names_by_language")}


def load_tiny_shakespeare() -> str:
    r"""Tiny Shakespeare (Karpathy's char-rnn): one string of 1,115,394 characters, 65 distinct."""
    return fetch("tiny_shakespeare/input.txt").read_text(encoding="utf-8")


POETRY_COLLECTIONS = {
    "tang": [p for p in files("chinese_poetry") if "poet.tang." in p],
    "tang300": ["chinese_poetry/全唐诗/唐诗三百首.json"],
    "song": ["chinese_poetry/宋词/ci.song.0.json"],
    "song300": ["chinese_poetry/宋词/宋词三百首.json"],
    "shijing": ["chinese_poetry/诗经/shijing.json"],
}
"""Collection name -> files (registry layout); Tang poems are in traditional characters."""


def load_chinese_poetry(collection: str = "tang300") -> list[dict]:
    r"""Chinese poems from the chinese-poetry project.

    Args:
        collection: `"tang"` (全唐诗, the 8 files here), `"tang300"` (唐诗三百首),
            `"song"` (宋词, first file), `"song300"` (宋词三百首) or `"shijing"` (诗经).

    Returns:
        a list of poems, each `{"title": str, "author": str, "paragraphs": list[str]}`
        (诗经 has no author: `""`; its `content` is returned as `paragraphs`).
    """
    if collection not in POETRY_COLLECTIONS:
        raise ValueError(f"unknown poetry collection {collection!r}; known: {', '.join(POETRY_COLLECTIONS)}")
    poems = []
    for relpath in POETRY_COLLECTIONS[collection]:
        for r in json.loads(fetch(relpath).read_text(encoding="utf-8")):
            poems.append({
                "title": r.get("title") or r.get("rhythmic") or "",
                "author": r.get("author", ""),
                "paragraphs": list(r.get("paragraphs", r.get("content", []))),
            })
    return poems
