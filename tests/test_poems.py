"""dlnotes.data.poems: Tang poems in simplified characters, split by poem, as one token stream."""

import hashlib

import numpy as np
import pytest

from dlnotes.data.chars import CharVocab
from dlnotes.data.poems import poem_lines, poem_stream, split_poems, tang_poems, to_simplified


@pytest.fixture(scope="module")
def poems():
    return tang_poems()


def test_tang_poems_are_simplified(poems):
    assert len(poems) == 8007 and sum(map(len, poems)) == 510128
    # the exact corpus the tiny GPT was trained on: OpenCC's tables differ between releases (pinned 1.4.2)
    assert len(set("".join(poems))) == 5617
    assert hashlib.sha256("\n".join(poems).encode()).hexdigest() == (
        "fbbbbeaf00806540b5094aee671b149334709a190e40c7a9b4ad52bcc4d2f45e")
    assert poem_lines(poems[0])[:2] == ["秦川雄帝宅", "函谷壮皇居"]
    assert tang_poems(simplified=False)[0].startswith("秦川雄帝宅，函谷壯皇居。")
    assert to_simplified(["國風", "龍"]) == ["国风", "龙"]


def test_split_is_by_poem_and_covers_everything(poems):
    s = split_poems(poems)
    assert [len(s[k]) for k in ("train", "val", "test")] == [6406, 800, 801]
    assert sorted(s["train"] + s["val"] + s["test"]) == sorted(poems)
    assert split_poems(poems)["test"] == s["test"]


def test_stream_frames_each_poem_with_eos():
    vocab = CharVocab(["床前明月光", "疑是地上霜"], eos=True)
    u = poem_stream(vocab, ["床前", "明月光"])
    assert u.dtype == np.int64 and u[0] == u[3] == u[-1] == vocab.eos_index and len(u) == 8
    assert vocab.decode(u[1:]) == "床前"


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="eos=True"):
        poem_stream(CharVocab(["a"]), ["a"])
    with pytest.raises(TypeError, match="list of strings"):
        to_simplified("國")
