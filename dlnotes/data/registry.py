r"""Where every dataset of the notes comes from, and how a file gets onto the disk.

Each file has a pinned URL and a sha256. `fetch` returns a verified local path:

1. `$DLNOTES_DATA` set: the file is read from that folder (the layout of this registry,
   e.g. `$DLNOTES_DATA/mnist/train-images-idx3-ubyte.gz`); it is never downloaded.
2. otherwise the user cache `$DLNOTES_CACHE` (default `~/.cache/dlnotes`); a missing
   file is downloaded (by pooch's HTTP downloader) from its canonical URL, or from
   `$DLNOTES_MIRROR/<relative path>` when a mirror base URL is set, into a temporary
   file that is checked and then renamed, so an interrupted or corrupted download
   leaves nothing behind.

See: [home](../) (README, section "Data")
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

__all__ = ["DataError", "ChecksumError", "DataNotFoundError", "datasets", "files", "fetch", "fetch_dataset", "cache_dir"]


class DataError(Exception):
    """Base class of the errors raised by `dlnotes.data`."""


class ChecksumError(DataError):
    """A file's sha256 is not the pinned one."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A file is neither on disk nor downloadable; the message says where to put it."""


# dataset -> (local folder, canonical base URL, {file name: sha256})
_DATASETS: dict[str, tuple[str, str, dict[str, str]]] = {
    "mnist": (
        "mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        {
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        },
    ),
    "chinese_names": (
        "chinese_names/name_gender/",
        "https://raw.githubusercontent.com/cyy0523xc/chinese-name-gender-analyse/de1677bf59beb93a5c5d5b236afbb0bc342262d7/data/",
        {
            "female.txt": "f13bce30b114498f5cbde9432a91762b5a7aaaf1f94168f1bf5f9f4d7a5d5609",
            "male.txt": "3b7a79c6a30bfb7145b256c5681de9a277a75880a054bcaf0fecd0deb679c9c8",
        },
    ),
    "transliterated_names": (
        "chinese_names/transliterated_gender/",
        "https://raw.githubusercontent.com/apporoad/Chinese-Names-Corpus/40e4d00206694d03cc28003f04ff9e61fa5d0322/",
        {
            "name.female.json": "c50c650aa899bdf6e5e2826a719312546b9ee2d30eb50e8136ead0cc84c6e2fd",
            "name.male.json": "46c038473178e139f750cd1a67e7fca489a387661e483d50462002e88f45b1c0",
        },
    ),
    "names_by_language": (
        "names_by_language/",
        "https://raw.githubusercontent.com/spro/practical-pytorch/ff2b4c46224c8f887910da343211a2e468eef9ac/data/names/",
        {
            "Arabic.txt": "6f424a8dbe51cbbbabab7a57d38b617210125e4e3991f3c657cb79b8f104bafc",
            "Chinese.txt": "49263ef55a8cb1740e841d65cad8214b2f9b5b869bc534c811746422496fa91e",
            "Czech.txt": "145bbbd6d0816578f03388e92c264d39ef1c60df920b081d371fa5c5cc055a8e",
            "Dutch.txt": "924f32b635170eae561f84538632138fc07d4c8bbd70ba3fb980de1ecc4d2af3",
            "English.txt": "9cca037066d3d5989e24bc01801416162de506b5e28e15b7c092a47905d29bf2",
            "French.txt": "81e65b36c60ed5b89a17422f6edcadbb89546f38ad69e960e64e7ba682012a95",
            "German.txt": "7449cd590b97a733e18d613a4155decd77ec35dc5f8aadd7a82204dce4f051db",
            "Greek.txt": "3555b5186de7f401e6d991b088e9e644ca3099116477818c25ab5793801389e6",
            "Irish.txt": "cf8c7013256252a88d2503127b87282a11f21b2ff6db1bded68834c19a1ec058",
            "Italian.txt": "f88414c27d0606a11a678b4859277828c2565d6cc4d9ee932deef6e94f3b35e4",
            "Japanese.txt": "e0e717e114fec3e7eade4d9dabe0067c475f43147e36a22b47902ee76ad9e67f",
            "Korean.txt": "cd54221ccb362a6cba4c78828838cf3268a0e59744767a37cf6ec4b74036b136",
            "Polish.txt": "45bab898af2f60ed3a728bbf6980e28821011a7caa53227553b5785903a40826",
            "Portuguese.txt": "50a8735f41f4f73757c8ce5b16cb0275cd86b2b214bcbc8c9805f508cb131c53",
            "Russian.txt": "43b3e64ce351f77f1ac9e0cdf7566012d127f4371875fd25208845b5c9d6f7c3",
            "Scottish.txt": "78d0252711d87d948ea86fe34826c51d2d794a8e52d15b5d6f7b6244d45d62dd",
            "Spanish.txt": "1bcb462ed3316756a85781d68232bddae04498fdddd5d9219c53fd1fbdeba7a7",
            "Vietnamese.txt": "f3f9e4164ab47601178a6e45b216464a64122f49d05541f24bf18a757253281d",
        },
    ),
    "tiny_shakespeare": (
        "tiny_shakespeare/",
        "https://raw.githubusercontent.com/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/",
        {
            "input.txt": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        },
    ),
    "chinese_poetry": (
        "chinese_poetry/",
        "https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/",
        {
            "全唐诗/poet.tang.0.json": "4f88f429938082523cdc72a1612bd7a7c3e3f7a33f8192c61ae51340efc3c92d",
            "全唐诗/poet.tang.1000.json": "6e703b8d8dcedbd6110f6d48d043665ca2131db2035a5bfcef5e59a19aeb6d75",
            "全唐诗/poet.tang.2000.json": "ec28efa7e2ae9cdbbba09f0ed186e32ccae47a325ad1e5816b7ad56071c1665a",
            "全唐诗/poet.tang.3000.json": "9e4ba2323752b6b9fbdba875cdbc6a26636fe0cabc85fd066370d4915952001f",
            "全唐诗/poet.tang.4000.json": "b8a7946c879b9658a6c667a4c55f776fae7e5e00a17789ab06b274c1429afc66",
            "全唐诗/poet.tang.5000.json": "a0306e6962cff01639ad9a00b042a201b8dec1f30fa5d768a7b112589887861e",
            "全唐诗/poet.tang.6000.json": "982a21d2b15922b406911f1c825785054314c686da86b2155d7aebb362d22771",
            "全唐诗/poet.tang.7000.json": "a6fb69d7b4343c904dc56ae5aae34facc2478d196b51c37ceba9d1e2f171b342",
            "全唐诗/唐诗三百首.json": "d77a145f7470da2ed2f79515944563c062ffc43fceda07f195a36ead66b7e5c7",
            "宋词/ci.song.0.json": "7761bc5ef50305753ea3dcea9e1ef3164e153e3ee366169e9c5a9a7d85b21b22",
            "宋词/宋词三百首.json": "ca5d74f7fdb9d5a6acc22a7c8b4395228cad4bb8be53df44c19ba83ab6983b20",
            "诗经/shijing.json": "3c7ca54d59424542ada99adfcc85420287fbbd5c8a511e9baf705cb2b04051e7",
        },
    ),
}

_verified: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) already hashed


def datasets() -> list[str]:
    """Names of the datasets in the registry, sorted."""
    return sorted(_DATASETS)


def files(dataset: str) -> list[str]:
    """Relative paths (registry layout) of the files of `dataset`.

    Raises:
        ValueError: for an unknown dataset name (the message lists the known ones).
    """
    if dataset not in _DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; known datasets: {', '.join(datasets())}")
    folder, _, table = _DATASETS[dataset]
    return [folder + name for name in table]


def _lookup(relpath: str) -> tuple[str, str]:
    """(canonical URL, sha256) of a relative path."""
    for folder, base, table in _DATASETS.values():
        if relpath.startswith(folder) and relpath[len(folder):] in table:
            name = relpath[len(folder):]
            return base + quote(name), table[name]
    raise ValueError(f"{relpath!r} is not a file of any dataset; known datasets: {', '.join(datasets())}")


def url_for(relpath: str) -> str:
    """Download URL of `relpath`: `$DLNOTES_MIRROR/<relpath>` if a mirror is set, else canonical."""
    url, _ = _lookup(relpath)
    mirror = os.environ.get("DLNOTES_MIRROR", "").strip()
    return f"{mirror.rstrip('/')}/{quote(relpath)}" if mirror else url


def cache_dir() -> Path:
    """The download cache: `$DLNOTES_CACHE`, else `~/.cache/dlnotes`."""
    return Path(os.environ.get("DLNOTES_CACHE") or Path.home() / ".cache" / "dlnotes")


def sha256sum(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verify(path: Path, expected: str) -> None:
    stat = path.stat()
    if _verified.get(path) == (stat.st_size, stat.st_mtime_ns):
        return
    actual = sha256sum(path)
    if actual != expected:
        raise ChecksumError(f"{path}: sha256 is {actual}, expected {expected}")
    _verified[path] = (stat.st_size, stat.st_mtime_ns)


def _download(url: str, path: Path, expected: str) -> None:
    """Download `url` to `path` through a checked temporary file (never a partial `path`)."""
    import pooch

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        try:
            pooch.HTTPDownloader(progressbar=False, timeout=60)(url, str(tmp), None)
        except Exception as err:  # requests' errors, interrupted transfers, HTTP 404 ...
            raise DataNotFoundError(
                f"could not download {url} ({type(err).__name__}: {err}). Download it by hand and save it as "
                f"{path}, or set DLNOTES_MIRROR to a mirror base URL, or DLNOTES_DATA to a folder that has it."
            ) from err
        actual = sha256sum(tmp)
        if actual != expected:
            raise ChecksumError(
                f"{path.name} downloaded from {url}: sha256 is {actual}, expected {expected}; the file was removed"
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(relpath: str) -> Path:
    r"""Return the verified local path of one registry file, downloading it if needed.

    Args:
        relpath: path in the registry layout, e.g. `"mnist/train-images-idx3-ubyte.gz"`.

    Raises:
        ValueError: unknown file or dataset.
        DataNotFoundError: not in `$DLNOTES_DATA`, or the download failed (the message
            names the URL and where to save the file by hand).
        ChecksumError: the file's sha256 is not the pinned one (a cached or downloaded copy
            is deleted; a file in `$DLNOTES_DATA` is left for you to inspect).
    """
    url, expected = _lookup(relpath)
    local = os.environ.get("DLNOTES_DATA", "").strip()
    if local:
        path = Path(local) / relpath
        if not path.is_file():
            raise DataNotFoundError(
                f"{relpath} is not in DLNOTES_DATA={local}: download {url} and save it as {path}, "
                "or unset DLNOTES_DATA to download into the cache"
            )
        _verify(path, expected)
        return path
    path = cache_dir() / relpath
    if path.is_file():
        try:
            _verify(path, expected)
        except ChecksumError as err:
            path.unlink()
            raise ChecksumError(f"{err}; the cached copy was deleted, fetch again to download it anew") from None
        return path
    _download(url_for(relpath), path, expected)
    _verified[path] = (path.stat().st_size, path.stat().st_mtime_ns)
    return path


def fetch_dataset(dataset: str) -> list[Path]:
    """Fetch (or verify) every file of `dataset`; returns their local paths."""
    return [fetch(relpath) for relpath in files(dataset)]
