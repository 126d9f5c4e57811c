"""dlnotes.data.chars: vocabulary, encoding, padded batches, seeded split."""

import numpy as np
import pytest

from dlnotes.data.chars import CharVocab, pad_batch, split_indices


def test_vocabulary_is_sorted_with_padding_first_and_round_trips():
    vocab = CharVocab(["李小龙", "anna", "bob"], bos=True, eos=True)
    assert vocab.itos[:3] == ["<pad>", "<bos>", "<eos>"] and vocab.itos[3:] == sorted("李小龙anbo")
    assert (vocab.pad_index, vocab.bos_index, vocab.eos_index) == (0, 1, 2) and len(vocab) == 10
    for word in ["李小龙", "bob", "nab"]:
        ids = vocab.encode(word, add_bos=True, add_eos=True)
        assert ids[0] == 1 and ids[-1] == 2 and vocab.decode(ids) == word
    assert vocab.decode([vocab.stoi["a"], 2, vocab.stoi["b"]]) == "a"  # stops at <eos>
    assert CharVocab(["ba"]).itos == CharVocab(["ab"]).itos  # deterministic


def test_min_count_leaves_out_rare_characters():
    vocab = CharVocab(["aab", "a"], min_count=2)
    assert vocab.itos == ["<pad>", "a"]
    with pytest.raises(ValueError, match=r"CharVocab.encode expects characters of the vocabulary, got 'b' in 'ab'"):
        vocab.encode("ab")


@pytest.mark.parametrize("call,err,message", [
    (lambda v: v.encode("a", add_eos=True), ValueError, "add_eos only with"),
    (lambda v: v.encode("a", add_bos=True), ValueError, "add_bos only with"),
    (lambda v: v.encode(["a"]), TypeError, "expects a str, got list"),
    (lambda v: v.encode("<pad>"), ValueError, "characters of the vocabulary"),
    (lambda v: v.decode([0, 7]), ValueError, r"indices in \[0, 3\), got 7"),
    (lambda v: CharVocab([1, 2]), TypeError, "texts to be strings, got int"),
    (lambda v: CharVocab(["a"], min_count=0), ValueError, "min_count"),
])
def test_bad_input_is_refused(call, err, message):
    with pytest.raises(err, match=message):
        call(CharVocab(["ab"]))


def test_pad_batch_pads_at_the_end_and_reports_lengths():
    X, lengths = pad_batch([[3, 4, 5], [6], [7, 8]], pad_index=0)
    assert X.dtype == lengths.dtype == np.int64
    assert X.tolist() == [[3, 4, 5], [6, 0, 0], [7, 8, 0]] and lengths.tolist() == [3, 1, 2]
    with pytest.raises(ValueError, match="non-empty sequences, got an empty one at position 1"):
        pad_batch([[1], []])
    with pytest.raises(ValueError, match="at least one sequence"):
        pad_batch([])


def test_split_indices_is_seeded_disjoint_and_complete():
    train, test = split_indices(10, 0.3, seed=1)
    assert len(test) == 3 and sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    again = split_indices(10, 0.3, seed=1)
    assert train.tolist() == again[0].tolist() and split_indices(10, 0.3, seed=2)[1].tolist() != test.tolist()
    state = np.random.get_state()[1].copy()
    split_indices(100)
    assert (np.random.get_state()[1] == state).all()  # the global generator is untouched
    for bad in [(1, 0.5), (10, 1.0), (10, 0), (True, 0.5)]:
        with pytest.raises(ValueError, match="split_indices expects"):
            split_indices(*bad)
