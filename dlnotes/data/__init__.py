r"""Datasets of the course: a pinned registry, verified downloads, and loaders.

Set `DLNOTES_DATA` to a folder that holds the files (CI uses `../shared/data`), or let
the loaders download into `~/.cache/dlnotes` (`DLNOTES_CACHE`), optionally from a
mirror (`DLNOTES_MIRROR`). `python -m dlnotes.data fetch` fetches and verifies all.

See: [home](../) (README, section "Data")
"""

from .loaders import (
    POETRY_COLLECTIONS,
    load_chinese_names,
    load_chinese_poetry,
    load_mnist,
    load_names_by_language,
    load_tiny_shakespeare,
    load_transliterated_names,
    read_idx,
)
from .registry import (
    ChecksumError,
    DataError,
    DataNotFoundError,
    cache_dir,
    datasets,
    fetch,
    fetch_dataset,
    files,
    url_for,
)

__all__ = [
    "DataError", "ChecksumError", "DataNotFoundError", "datasets", "files", "fetch", "fetch_dataset",
    "cache_dir", "url_for", "read_idx", "load_mnist", "load_chinese_names", "load_transliterated_names",
    "load_names_by_language", "load_tiny_shakespeare", "load_chinese_poetry", "POETRY_COLLECTIONS",
]
