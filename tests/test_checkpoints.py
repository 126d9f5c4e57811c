"""dlnotes.checkpoints: pinned, verified, small; the Tang-poem GPT beats the tuned bigram on held-out poems."""

import hashlib
from importlib import resources

import pytest
import torch

from dlnotes import checkpoints
from dlnotes.data.chars import CharVocab
from dlnotes.data.poems import poem_stream, split_poems, tang_poems
from dlnotes.gpt import GPT, evaluate_nll, from_checkpoint
from dlnotes.ngram import BigramLM


@pytest.mark.parametrize("name", sorted(checkpoints.PINNED))
def test_each_checkpoint_is_small_and_matches_its_pin(name):
    file, sha = checkpoints.PINNED[name]
    data = resources.files(checkpoints).joinpath(file).read_bytes()
    assert len(data) <= 5 * 2**20, f"{file} is {len(data) / 2**20:.1f} MB (limit 5 MB)"
    assert hashlib.sha256(data).hexdigest() == sha
    assert isinstance(checkpoints.load(name), dict)


def test_a_wrong_pin_or_name_is_an_error(monkeypatch):
    name = sorted(checkpoints.PINNED)[0]
    file, _ = checkpoints.PINNED[name]
    monkeypatch.setitem(checkpoints.PINNED, name, (file, "0" * 64))
    with pytest.raises(ValueError, match=f"checkpoint {file} has sha256 .*, expected 0000"):
        checkpoints.load(name)
    with pytest.raises(ValueError, match="checkpoints.load expects one of"):
        checkpoints.load("no-such-model")


def test_the_tang_gpt_beats_the_kneser_ney_bigram_by_0_3_nats_on_a_fixed_test_slice():
    poems = tang_poems()
    splits = split_poems(poems)
    vocab = CharVocab(poems, eos=True)
    train_ids = poem_stream(vocab, splits["train"])
    test_slice = poem_stream(vocab, splits["test"])[:8001]  # the first 8,000 scored characters
    model = from_checkpoint(checkpoints.load("tang_gpt"))
    assert isinstance(model, GPT) and model.cfg.vocab_size == len(vocab)
    gpt = evaluate_nll(model, torch.from_numpy(test_slice))
    bigram = BigramLM(train_ids, len(vocab), "kneser_ney", d=0.7).nll(test_slice)
    assert gpt <= bigram - 0.3, f"GPT {gpt:.3f} vs Kneser-Ney bigram {bigram:.3f} nats/char"
