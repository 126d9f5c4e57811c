"""Small pinned checkpoints shipped with dlnotes (package data), each made by a script in `experiments/`.

`load(name)` checks the file's sha256 against the pin below before `torch.load(..., weights_only=True)`,
so a corrupted or swapped file is an error, never a silently different model.
"""

from __future__ import annotations

import hashlib
from importlib import resources

PINNED = {
    # name: (file, sha256)
    # made by experiments/lecture13/train_gpt.py (command and log there):
    "tang_gpt": ("tang_gpt.pt", "348574e6c70427af3808fd03bc0d52ae4378ac6240bc1bf21ae8a345a9a344c7"),
    # made by experiments/lecture14/train_vae.py (commands and log there):
    "vae_mnist_20d": ("vae_mnist_20d.pt", "5dd15edf1712e9904330514581fb9db507990a312eb3282d7b7595b9011f568b"),
    "vae_mnist_2d": ("vae_mnist_2d.pt", "f756cda41191332dc57ef1524151602b0ebbe7d96ebdeecd6ada970e71fe082a"),
}


def load(name: str) -> dict:
    """The checkpoint `name` as saved (a dict of tensors and plain values), verified against its pin."""
    import torch

    if name not in PINNED:
        raise ValueError(f"checkpoints.load expects one of {sorted(PINNED)}, got {name!r}")
    file, sha = PINNED[name]
    data = resources.files(__name__).joinpath(file).read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got != sha:
        raise ValueError(f"checkpoint {file} has sha256 {got}, expected {sha}")
    import io

    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
