"""dlnotes.ngram: count-based baselines are proper distributions and match their formulas."""

import math

import numpy as np
import pytest

from dlnotes.ngram import BigramLM, UnigramLM

TOKENS = np.array([0, 1, 2, 1, 2, 3, 1, 2, 0, 1, 3, 3])
V = 5  # token 4 never occurs


def test_unigram_is_add_alpha():
    lm = UnigramLM(TOKENS, V, alpha=0.5)
    counts = np.bincount(TOKENS, minlength=V)
    np.testing.assert_allclose(lm.probs, (counts + 0.5) / (len(TOKENS) + 0.5 * V))
    assert math.isclose(lm.nll([1, 4]), -(math.log(lm.probs[1]) + math.log(lm.probs[4])) / 2)


@pytest.mark.parametrize("method", BigramLM.METHODS)
def test_every_conditional_sums_to_one_and_nll_is_the_mean_pair_loss(method):
    lm = BigramLM(TOKENS, V, method)
    for v in range(V):  # seen contexts, a context seen only at the end (3), one never seen (4)
        p = lm.next_token_probs(v)
        assert p.min() > 0 and math.isclose(p.sum(), 1.0, rel_tol=1e-12)
    test = [1, 2, 4, 3, 0]
    expected = -np.mean([math.log(lm.next_token_probs(a)[b]) for a, b in zip(test[:-1], test[1:])])
    assert math.isclose(lm.nll(test), expected, rel_tol=1e-12)


def test_add_k_and_interpolation_follow_their_formulas():
    c12, c1 = 3, 4  # "1 2" three times; "1" is a context four times
    assert math.isclose(BigramLM(TOKENS, V, "add_k", k=0.5).next_token_probs(1)[2], (c12 + 0.5) / (c1 + 0.5 * V))
    uni = UnigramLM(TOKENS, V, alpha=1.0).probs
    lm = BigramLM(TOKENS, V, "interpolated", lam=0.7)
    assert math.isclose(lm.next_token_probs(1)[2], 0.7 * c12 / c1 + 0.3 * uni[2])
    np.testing.assert_allclose(lm.next_token_probs(4), uni)  # never a context: the unigram


def test_kneser_ney_by_hand():
    d = 0.75
    lm = BigramLM(TOKENS, V, "kneser_ney", d=d)
    pairs = set(zip(TOKENS[:-1], TOKENS[1:]))
    n_ctx = np.array([sum(1 for a, b in pairs if b == w) for w in range(V)], dtype=float)
    p_cont = np.maximum(n_ctx - d, 0) / len(pairs) + d * (n_ctx > 0).sum() / len(pairs) / V
    followers_1 = sum(1 for a, b in pairs if a == 1)  # 1 → 2 and 1 → 3
    expected = (3 - d) / 4 + d * followers_1 / 4 * p_cont[2]
    assert math.isclose(lm.next_token_probs(1)[2], expected, rel_tol=1e-12)
    assert math.isclose(lm.next_token_probs(1)[4], d * followers_1 / 4 * p_cont[4], rel_tol=1e-12)


def test_sampling_is_reproducible():
    lm = BigramLM(TOKENS, V)
    a = lm.sample(1, 20, np.random.default_rng(0), temperature=0.8)
    assert a == lm.sample(1, 20, np.random.default_rng(0), temperature=0.8) and len(a) == 20


@pytest.mark.parametrize("call,message", [
    (lambda: BigramLM(TOKENS, V, "witten_bell"), "method in"),
    (lambda: BigramLM(TOKENS, 3), r"tokens in \[0, 3\)"),
    (lambda: BigramLM([[1, 2]], V), "1-D integer token stream"),
    (lambda: BigramLM([0.5, 1.0], V), "1-D integer token stream"),
    (lambda: BigramLM(TOKENS, V, "kneser_ney", d=1.0), r"d in \(0, 1\)"),
    (lambda: UnigramLM(TOKENS, V, alpha=0), "alpha > 0"),
    (lambda: BigramLM(TOKENS, V).next_token_probs(9), r"a token in \[0, 5\)"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
