"""seed_everything, get_device and the plotting helpers."""

import random

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import dlnotes
from dlnotes import get_device, seed_everything
from dlnotes.plotting import OKABE_ITO, save_figure


def test_seed_everything_reproduces_all_generators():
    seed_everything(123)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(123)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a
    seed_everything(124)
    assert torch.rand(1).item() != a[2]


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "1", True, None])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed_everything expects an integer"):
        seed_everything(bad)


def test_get_device_default_and_override(monkeypatch):
    monkeypatch.delenv("DLNOTES_DEVICE", raising=False)
    assert get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv("DLNOTES_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    monkeypatch.setenv("DLNOTES_DEVICE", "tpu-9000")
    with pytest.raises(ValueError, match="DLNOTES_DEVICE='tpu-9000'"):
        get_device()


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    for k in range(3):
        ax.plot([0, 1, 2], [k, k + 1, k * 2], label=f"line {k}")
    ax.legend()
    return fig


def test_save_figure_is_deterministic_and_creates_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("DLNOTES_FIGURE_DIR", str(tmp_path / "a" / "b"))
    p1 = save_figure(_figure(), "demo")
    first = p1.read_bytes()
    p2 = save_figure(_figure(), "demo")
    assert p1 == p2 == tmp_path / "a" / "b" / "demo.svg"
    assert p2.read_bytes() == first
    assert b"<dc:date>" not in first  # no timestamp in the file
    assert plt.get_fignums() == []  # save_figure closes the figure


def test_style_is_colour_blind_safe_with_distinct_line_styles():
    fig = _figure()
    lines = fig.axes[0].get_lines()
    assert [l.get_color() for l in lines] == [c for c in OKABE_ITO[:3]]
    assert len({l.get_linestyle() for l in lines}) == 3
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)  # opaque white: reads on dark theme
    plt.close(fig)


@pytest.mark.parametrize("name,fmt,err", [("a/b", "svg", ValueError), ("x.svg", "svg", ValueError),
                                          ("ok", "pdf", ValueError), ("Upper", "svg", ValueError)])
def test_save_figure_rejects_bad_names(tmp_path, monkeypatch, name, fmt, err):
    monkeypatch.setenv("DLNOTES_FIGURE_DIR", str(tmp_path))
    fig = _figure()
    with pytest.raises(err):
        save_figure(fig, name, fmt=fmt)
    plt.close(fig)
    with pytest.raises(TypeError, match="matplotlib Figure"):
        save_figure("not a figure", "x")


def test_version():
    assert dlnotes.__version__.count(".") == 2


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_tests_cannot_reach_the_network():
    """pytest-socket (--allow-hosts in pyproject.toml) blocks every host but loopback."""
    import socket

    import pytest_socket

    with pytest.raises(pytest_socket.SocketConnectBlockedError):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
