"""seed_everything, get_device and the plotting helpers."""

import os
import random
import subprocess
import sys
import textwrap

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


def _run_script(code: str, cwd, backend: str | None = "Agg") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | ({"MPLBACKEND": backend} if backend else {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_a_copied_figure_block_writes_nothing_in_the_readers_folder(tmp_path):
    proc = _run_script("""
        import matplotlib.pyplot as plt
        from dlnotes.plotting import save_figure, use_style
        use_style()
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        print(save_figure(fig, "x"), plt.get_fignums())
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["None", "[1]"]  # nothing written, the figure still open for plt.show()
    assert list(tmp_path.iterdir()) == []


def test_importing_dlnotes_changes_no_matplotlib_state(tmp_path):
    proc = _run_script("""
        import matplotlib
        def state():  # dict.items: reading rcParams["backend"] would itself choose a backend
            return matplotlib.rcParams._get_backend_or_none(), dict(dict.items(matplotlib.rcParams))
        before = state()
        import dlnotes, dlnotes.plotting, dlnotes.data, dlnotes.losses, dlnotes.backprop, dlnotes.conv, dlnotes.optim
        after = state()
        print(before[0], before == after)
        """, tmp_path, backend=None)  # no backend chosen yet: importing dlnotes must not choose one
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["None", "True"]


def test_recording_collects_figures_and_ends_with_the_block(tmp_path):
    from dlnotes.plotting import recording

    with recording(tmp_path / "figs") as rec:
        p1 = save_figure(_figure(), "demo")
        first = p1.read_bytes()
        p2 = save_figure(_figure(), "demo")
    assert p1 == p2 == tmp_path / "figs" / "demo.svg" and rec.names == ["demo.svg", "demo.svg"]
    assert p2.read_bytes() == first  # deterministic
    assert b"<dc:date>" not in first  # no timestamp in the file
    assert save_figure(_figure(), "after") is None and not (tmp_path / "figs" / "after.svg").exists()
    assert len(plt.get_fignums()) == 3  # save_figure never closes a figure
    plt.close("all")


def test_save_figure_writes_where_asked(tmp_path):
    fig = _figure()
    assert save_figure(fig, "a", path=tmp_path / "out") == tmp_path / "out" / "a.svg"
    assert save_figure(fig, "a", path=tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="path must end in one of"):
        save_figure(fig, "a", path=tmp_path / "c.pdf")
    plt.close(fig)


def test_style_is_colour_blind_safe_with_distinct_line_styles():
    from dlnotes.plotting import style

    default_cycle = plt.rcParams["axes.prop_cycle"]
    with style():
        fig = _figure()
    lines = fig.axes[0].get_lines()
    assert [l.get_color() for l in lines] == [c for c in OKABE_ITO[:3]]
    assert len({l.get_linestyle() for l in lines}) == 3
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)  # opaque white: reads on dark theme
    assert plt.rcParams["axes.prop_cycle"] == default_cycle  # the context restored the settings
    plt.close(fig)


@pytest.mark.parametrize("name,fmt,err", [("a/b", "svg", ValueError), ("x.svg", "svg", ValueError),
                                          ("ok", "pdf", ValueError), ("Upper", "svg", ValueError)])
def test_save_figure_rejects_bad_names(name, fmt, err):
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
