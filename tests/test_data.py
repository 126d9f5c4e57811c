"""dlnotes.data: IDX parsing, the registry, verified downloads (from a loopback server), loaders."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import threading

import numpy as np
import pytest

from dlnotes import data
from dlnotes.data import registry

from .conftest import in_ci

# ---------------------------------------------------------------- IDX files made here


def _idx(array: np.ndarray, code: int) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_roundtrip(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = _idx(images, 0x08)
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    out = data.read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, images)
    ints = np.array([1, -2, 70000], dtype=np.int32)
    path.write_bytes(_idx(ints, 0x0C)) if not gz else path.write_bytes(gzip.compress(_idx(ints, 0x0C)))
    np.testing.assert_array_equal(data.read_idx(path), ints)


def test_read_idx_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"\x01\x02\x08\x01")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(bad)
    bad.write_bytes(_idx(np.zeros((2, 2), np.uint8), 0x08)[:-1])
    with pytest.raises(ValueError, match=r"header says shape \(2, 2\)"):
        data.read_idx(bad)


# ---------------------------------------------------------------- registry and errors


def test_registry_covers_every_shared_dataset():
    assert data.datasets() == ["chinese_names", "chinese_poetry", "mnist", "names_by_language",
                               "tiny_shakespeare", "transliterated_names"]
    assert len(data.files("names_by_language")) == 18
    assert all(len(sha) == 64 for _, _, t in registry._DATASETS.values() for sha in t.values())


def test_unknown_dataset_lists_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'mnsit'; known datasets: chinese_names"):
        data.fetch_dataset("mnsit")
    with pytest.raises(ValueError, match="not a file of any dataset"):
        data.fetch("mnist/nope.gz")


def test_mirror_url(monkeypatch):
    monkeypatch.delenv("DLNOTES_MIRROR", raising=False)
    assert data.url_for("mnist/t10k-labels-idx1-ubyte.gz").startswith("https://ossci-datasets.s3.amazonaws.com/mnist/")
    monkeypatch.setenv("DLNOTES_MIRROR", "https://mirror.example.cn/dl/")
    assert data.url_for("chinese_poetry/诗经/shijing.json") == "https://mirror.example.cn/dl/chinese_poetry/%E8%AF%97%E7%BB%8F/shijing.json"


# ---------------------------------------------------------------- downloads from a loopback server

PAYLOAD = "line one\nline two\n".encode() * 2000


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.endswith("/missing.txt"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if self.path.endswith("/cut.txt"):  # interrupted transfer: half the bytes, then hang up
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.connection.close()
            return
        self.wfile.write(PAYLOAD)

    def log_message(self, *args):
        pass


@pytest.fixture()
def toy(tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    good = hashlib.sha256(PAYLOAD).hexdigest()
    table = {"ok.txt": good, "wrong.txt": "0" * 64, "cut.txt": good, "missing.txt": good}
    monkeypatch.setitem(registry._DATASETS, "toy", ("toy/", f"http://127.0.0.1:{server.server_port}/files/", table))
    monkeypatch.setenv("DLNOTES_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("DLNOTES_DATA", raising=False)
    monkeypatch.delenv("DLNOTES_MIRROR", raising=False)
    registry._verified.clear()
    yield tmp_path / "cache" / "toy"
    server.shutdown()


def test_download_verifies_and_caches(toy):
    path = data.fetch("toy/ok.txt")
    assert path == toy / "ok.txt" and path.read_bytes() == PAYLOAD
    assert os.listdir(toy) == ["ok.txt"]  # no temporary file left
    assert data.fetch("toy/ok.txt") == path  # second call: from the cache


def test_checksum_mismatch_names_file_and_hashes_and_leaves_nothing(toy):
    with pytest.raises(data.ChecksumError) as info:
        data.fetch("toy/wrong.txt")
    msg = str(info.value)
    assert "wrong.txt" in msg and "0" * 64 in msg and hashlib.sha256(PAYLOAD).hexdigest() in msg
    assert os.listdir(toy) == []


def test_interrupted_download_leaves_no_partial_file(toy):
    with pytest.raises(data.DataNotFoundError, match="save it as"):
        data.fetch("toy/cut.txt")
    assert os.listdir(toy) == []


def test_unreachable_file_says_which_url_and_where(toy):
    with pytest.raises(data.DataNotFoundError) as info:
        data.fetch("toy/missing.txt")
    assert "/files/missing.txt" in str(info.value) and str(toy / "missing.txt") in str(info.value)


def test_corrupted_cache_is_deleted(toy):
    path = data.fetch("toy/ok.txt")
    path.write_bytes(b"tampered")
    registry._verified.clear()
    with pytest.raises(data.ChecksumError, match="cached copy was deleted"):
        data.fetch("toy/ok.txt")
    assert not path.exists()


def test_local_dir_is_read_not_downloaded(toy, tmp_path, monkeypatch):
    local = tmp_path / "local"
    (local / "toy").mkdir(parents=True)
    monkeypatch.setenv("DLNOTES_DATA", str(local))
    with pytest.raises(data.DataNotFoundError, match=r"toy/ok.txt is not in DLNOTES_DATA=.*download http://127\.0\.0\.1"):
        data.fetch("toy/ok.txt")
    (local / "toy" / "ok.txt").write_bytes(b"other bytes")
    with pytest.raises(data.ChecksumError, match="ok.txt: sha256 is"):
        data.fetch("toy/ok.txt")
    assert (local / "toy" / "ok.txt").exists()  # a user's own file is never deleted
    (local / "toy" / "ok.txt").write_bytes(PAYLOAD)
    assert data.fetch("toy/ok.txt") == local / "toy" / "ok.txt"
    assert not toy.exists()  # nothing was downloaded


def test_cli_reports_errors(toy, capsys):
    from dlnotes.data.__main__ import main

    assert main(["fetch", "nosuch"]) == 1
    assert "unknown dataset" in capsys.readouterr().err
    assert main(["list"]) == 0
    assert "mnist" in capsys.readouterr().out


# ---------------------------------------------------------------- the real files (DLNOTES_DATA)

needs_data = pytest.mark.skipif(not os.environ.get("DLNOTES_DATA") and not in_ci(),
                                reason="set DLNOTES_DATA to the course data folder (e.g. ../shared/data)")


@needs_data
def test_mnist_train_counts():
    images, labels = data.load_mnist("train")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert round(float(images.mean() / 255), 4) == 0.1307
    test_images, test_labels = data.load_mnist("test")
    assert test_images.shape == (10000, 28, 28) and test_labels.shape == (10000,)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_mnist("validation")


@needs_data
def test_text_loaders():
    names = data.load_chinese_names()
    assert (len(names["male"]), len(names["female"])) == (21982, 15181)
    trans = data.load_transliterated_names()
    assert ("阿波洛尼娅", "Apollonia") in trans["female"]
    by_lang = data.load_names_by_language()
    assert len(by_lang) == 18 and sum(map(len, by_lang.values())) == 20074
    text = data.load_tiny_shakespeare()
    assert (len(text), len(set(text))) == (1115394, 65)
    shijing = data.load_chinese_poetry("shijing")
    assert shijing[0]["title"] == "关雎" and shijing[0]["author"] == "" and shijing[0]["paragraphs"]
    assert len(data.load_chinese_poetry("tang300")) == 366
    with pytest.raises(ValueError, match="unknown poetry collection"):
        data.load_chinese_poetry("yuan")
