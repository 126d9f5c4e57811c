"""dlnotes.attention against PyTorch in float64: attention, masks, score functions, multi-head attention, positions."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd import gradcheck
from torch.func import functional_call

from dlnotes import attention as A

from .conftest import generator as _gen
from .oracle import (assert_same, assert_same_as_torch, grads, leaf_copies, random_upstream,
                     same_initialisation)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D = torch.float64
N, H, L, S, E = 3, 2, 5, 7, 8  # batch, heads, query length, key length, features
INF = math.inf


def _randn(*shape, seed=0, scale=1.0, dtype=D):
    return scale * torch.randn(shape, dtype=dtype, generator=_gen(seed))


def _bool(*shape, seed=0, p=0.6):
    """A random boolean mask, True with probability p."""
    return torch.rand(shape, generator=_gen(seed)) < p


def _with_live_rows(mask):
    """`mask` (True = takes part) with key 0 always taking part, so that no query row is all masked out."""
    mask = mask.clone()
    mask[..., 0] = True
    return mask


# ---- scaled_dot_product_attention ----

SDPA_CASES = {
    # name: (query shape, key shape, value shape, mask or None, kwargs)
    "no-mask": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), None, {}),
    "unbatched": ((L, E), (S, E), (S, 6), None, {}),
    "one-leading-dim": ((N, L, E), (N, S, E), (N, S, 3), None, {}),
    "broadcast-qkv": ((N, H, L, E), (H, S, E), (S, 6), None, {}),
    "bool-mask": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), _with_live_rows(_bool(N, H, L, S, seed=1)), {}),
    "bool-mask-LS": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), _with_live_rows(_bool(L, S, seed=2)), {}),
    "bool-mask-broadcast": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), _with_live_rows(_bool(N, 1, 1, S, seed=3)), {}),
    "float-mask": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), _randn(N, H, L, S, seed=4), {}),
    "float-mask-broadcast": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), _randn(H, 1, S, seed=5), {}),
    "float-mask-with-inf": ((N, H, L, E), (N, H, S, E), (N, H, S, 6),
                            torch.where(_with_live_rows(_bool(L, S, seed=6)), _randn(L, S, seed=7), -INF), {}),
    "causal-square": ((N, H, L, E), (N, H, L, E), (N, H, L, 6), None, {"is_causal": True}),
    "causal-L<S": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), None, {"is_causal": True}),
    "causal-L>S": ((N, H, S, E), (N, H, L, E), (N, H, L, 6), None, {"is_causal": True}),
    "custom-scale": ((N, H, L, E), (N, H, S, E), (N, H, S, 6), None, {"scale": 0.3}),
    "custom-scale-mask": ((N, L, E), (N, S, E), (N, S, 6), _with_live_rows(_bool(L, S, seed=8)), {"scale": 2.0}),
    "causal-scale": ((L, E), (L, E), (L, E), None, {"is_causal": True, "scale": 0.7}),
    "L<S-query-scaled": ((2, E), (S, E), (S, 4), None, {}),
}


@pytest.mark.parametrize("case", SDPA_CASES)
def test_sdpa_matches_torch(case):
    """Values and gradients w.r.t. query, key, value and a float mask, with a random upstream gradient."""
    q_shape, k_shape, v_shape, mask, kwargs = SDPA_CASES[case]
    q, k, v = _randn(*q_shape, seed=10, scale=1.5), _randn(*k_shape, seed=11, scale=1.5), _randn(*v_shape, seed=12)
    assert_same_as_torch(A.scaled_dot_product_attention, F.scaled_dot_product_attention, q, k, v, mask, seed=13,
                         **kwargs)


def test_sdpa_float32():
    q, k, v = (_randn(N, H, L, E, seed=s, dtype=torch.float32) for s in (14, 15, 16))
    out = A.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert out.dtype == torch.float32
    assert_same(out, F.scaled_dot_product_attention(q, k, v, is_causal=True))


def test_sdpa_is_causal_is_the_causal_mask_top_left():
    """is_causal=True is the boolean mask tril(ones(L, S)): query i sees keys 0..i, also when L != S."""
    for Lq, Sk in ((L, L), (L, S), (S, L)):
        q, k, v = _randn(Lq, E, seed=17), _randn(Sk, E, seed=18), _randn(Sk, 3, seed=19)
        mask = A.causal_mask(Lq, Sk)
        causal = A.scaled_dot_product_attention(q, k, v, is_causal=True)
        assert_same(causal, A.scaled_dot_product_attention(q, k, v, mask))
        assert_same(causal, F.scaled_dot_product_attention(q, k, v, mask))
    out = A.scaled_dot_product_attention(q, k, v, is_causal=True)  # L > S here: query 0 sees key 0 only
    assert_same(out[0], v[0])


def test_sdpa_weights_are_a_softmax_over_the_keys():
    """With V = I the output is the weight matrix: rows sum to 1, masked entries are 0."""
    q, k = _randn(L, E, seed=20), _randn(S, E, seed=21)
    mask = _with_live_rows(_bool(L, S, seed=22))
    weights = A.scaled_dot_product_attention(q, k, torch.eye(S, dtype=D), mask)  # (L, S)
    assert_same(weights.sum(-1), torch.ones(L, dtype=D))
    assert (weights[~mask] == 0).all() and (weights[mask] > 0).all()
    assert_same(weights, torch.softmax((q @ k.T / math.sqrt(E)).masked_fill(~mask, -INF), dim=-1))


def test_sdpa_fully_masked_row_gives_zeros_as_torch():
    """A query whose keys are all masked out: output 0 and gradient 0, as PyTorch's function (not NaN)."""
    q, k, v = _randn(N, L, E, seed=23), _randn(N, S, E, seed=24), _randn(N, S, 4, seed=25)
    mask = _with_live_rows(_bool(N, L, S, seed=26))
    mask[1, 2] = False  # batch 1, query 2 sees nothing
    float_mask = torch.zeros(N, L, S, dtype=D).masked_fill(~mask, -INF)
    for m in (mask, float_mask):
        assert_same_as_torch(A.scaled_dot_product_attention, F.scaled_dot_product_attention, q, k, v, m, seed=27)
        out = A.scaled_dot_product_attention(q, k, v, m)
        assert (out[1, 2] == 0).all() and out.isfinite().all()


def test_sdpa_gradcheck():
    q, k, v = (_randn(2, 4, 3, seed=s).requires_grad_() for s in (28, 29, 30))
    bias = _randn(4, 4, seed=31).requires_grad_()
    mask = _with_live_rows(_bool(4, 4, seed=32))
    assert gradcheck(lambda q, k, v, b: A.scaled_dot_product_attention(q, k, v, b), (q, k, v, bias))
    assert gradcheck(lambda q, k, v: A.scaled_dot_product_attention(q, k, v, mask, scale=0.5), (q, k, v))
    assert gradcheck(lambda q, k, v: A.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))


_q, _k, _v = torch.zeros(2, L, 4), torch.zeros(2, S, 4), torch.zeros(2, S, 3)

SDPA_BAD = [
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, torch.ones(L, S, dtype=torch.bool), is_causal=True),
     ValueError, r"scaled_dot_product_attention expects either attn_mask or is_causal=True, not both, got both"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, dropout_p=0.1), NotImplementedError,
     r"expects dropout_p = 0 \(dropout of the weights is not implemented\), got 0.1"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, enable_gqa=True), NotImplementedError,
     r"expects enable_gqa=False \(grouped-query attention is not implemented\), got True"),
    (lambda: A.scaled_dot_product_attention(_q, torch.zeros(2, S, 5), _v), ValueError,
     r"expects query and key with the same last dimension \(E\), got \(2, 5, 4\) and \(2, 7, 5\)"),
    (lambda: A.scaled_dot_product_attention(_q, _k, torch.zeros(2, S + 1, 3)), ValueError,
     r"expects key and value of the same length \(S\), got \(2, 7, 4\) and \(2, 8, 3\)"),
    (lambda: A.scaled_dot_product_attention(_q, torch.zeros(3, S, 4), torch.zeros(3, S, 3)), ValueError,
     r"expects query, key and value with broadcastable leading \(batch, head\) dimensions, got \(2, 5, 4\)"),
    (lambda: A.scaled_dot_product_attention(torch.zeros(4), _k, _v), ValueError,
     r"expects query with at least 2 dimensions \(\.\.\., length, features\), got \(4,\)"),
    (lambda: A.scaled_dot_product_attention(_q.double(), _k, _v), ValueError,
     r"expects query, key and value of one dtype, got torch.float64, torch.float32 and torch.float32"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, torch.ones(L, S + 1, dtype=torch.bool)), ValueError,
     r"expects attn_mask broadcastable to \(2, 5, 7\), got \(5, 8\)"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, torch.zeros(3, L, S)), ValueError,
     r"expects attn_mask broadcastable to \(2, 5, 7\), got \(3, 5, 7\)"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, torch.ones(L, S, dtype=torch.long)), ValueError,
     r"expects a boolean or floating attn_mask, got torch.int64"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, scale=math.nan), ValueError,
     r"expects scale None or a finite number, got nan"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, is_causal=1), ValueError,
     r"expects is_causal True or False, got 1"),
    (lambda: A.scaled_dot_product_attention([[0.0]], _k, _v), TypeError,
     r"scaled_dot_product_attention expects query to be a torch.Tensor, got list"),
    (lambda: A.scaled_dot_product_attention(_q, _k, _v, [[True]]), TypeError,
     r"expects attn_mask to be a torch.Tensor, got list"),
]


@pytest.mark.parametrize("call, error, message", SDPA_BAD, ids=[m[:50] for _, _, m in SDPA_BAD])
def test_sdpa_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- causal_mask ----

def test_causal_mask():
    assert A.causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    assert A.causal_mask(2, 4).tolist() == [[True, False, False, False], [True, True, False, False]]
    assert A.causal_mask(3, 1).tolist() == [[True], [True], [True]]
    assert A.causal_mask(0).shape == (0, 0) and A.causal_mask(L).dtype == torch.bool
    future = nn.Transformer.generate_square_subsequent_mask(L)  # PyTorch's float mask: -inf above the diagonal
    assert torch.equal(~A.causal_mask(L), future.isinf())
    for bad in ((-1,), (2.0,), (3, -2)):
        with pytest.raises(ValueError, match=r"causal_mask expects non-negative int sizes L and S, got"):
            A.causal_mask(*bad)


# ---- sinusoidal_positional_encoding ----

def _pe_formula(max_len: int, d: int) -> torch.Tensor:
    """PE[p, j] = sin(p / 10000^(2i/d)) for j = 2i, cos(p / 10000^(2i/d)) for j = 2i + 1, entry by entry."""
    rows = [[(math.sin if j % 2 == 0 else math.cos)(p / 10000 ** (2 * (j // 2) / d)) for j in range(d)]
            for p in range(max_len)]
    return torch.tensor(rows, dtype=D)


@pytest.mark.parametrize("max_len, d", [(50, 16), (20, 7), (3, 1), (1, 2)])
def test_positional_encoding_is_the_formula(max_len, d):
    pe = A.sinusoidal_positional_encoding(max_len, d)
    assert pe.shape == (max_len, d) and pe.dtype == torch.float32
    assert_same(pe.double(), _pe_formula(max_len, d), rtol=0, atol=1e-7)  # float32 rounding of the float64 values
    assert_same(pe[0, 0::2], torch.zeros((d + 1) // 2))  # sin 0
    assert_same(pe[0, 1::2], torch.ones(d // 2))  # cos 0


@pytest.mark.parametrize("d", [16, 7])
def test_positional_offset_is_a_fixed_rotation(d):
    """(sin ω(p+k), cos ω(p+k)) = R(ωk) (sin ωp, cos ωp) for every position p: one matrix per offset k."""
    pe = A.sinusoidal_positional_encoding(60, d).double()
    omega = 10000.0 ** (-torch.arange(0, d - 1, 2, dtype=D) / d)  # (d // 2,): the frequencies of the full pairs
    for k in (1, 5, 17):
        c, s = torch.cos(omega * k), torch.sin(omega * k)  # (d // 2,)
        R = torch.stack([torch.stack([c, s], -1), torch.stack([-s, c], -1)], -2)  # (d // 2, 2, 2)
        pairs = pe[:, : 2 * (d // 2)].reshape(60, d // 2, 2)  # (P, d // 2, 2): (sin, cos) per frequency
        rotated = torch.einsum("iab,pib->pia", R, pairs[:-k])  # (P - k, d // 2, 2)
        assert_same(rotated, pairs[k:], rtol=0, atol=1e-6)


def test_positional_encoding_bad_sizes():
    with pytest.raises(ValueError, match=r"sinusoidal_positional_encoding expects max_len an int ≥ 1, got 0"):
        A.sinusoidal_positional_encoding(0, 4)
    with pytest.raises(ValueError, match=r"sinusoidal_positional_encoding expects d_model an int ≥ 1, got 4.0"):
        A.sinusoidal_positional_encoding(3, 4.0)


# ---- score functions ----

DQ, DK, HID = 4, 6, 5


def _randomised(module: nn.Module, seed: int) -> nn.Module:
    with torch.no_grad():
        for j, p in enumerate(module.parameters()):
            p.copy_(_randn(*p.shape, seed=seed + j))
    return module


def test_additive_score_is_the_formula():
    score = _randomised(A.AdditiveScore(DQ, DK, HID, dtype=D), seed=40)
    q, k = _randn(2, L, DQ, seed=43), _randn(2, S, DK, seed=44)
    out = score(q, k)
    assert out.shape == (2, L, S)
    W, U, v = score.W.weight, score.U.weight, score.v.weight[0]  # (D_a, D_k), (D_a, D_q), (D_a,)
    with torch.no_grad():
        expected = torch.tensor([[[v @ torch.tanh(W @ k[b, j] + U @ q[b, i]) for j in range(S)] for i in range(L)]
                                 for b in range(2)], dtype=D)  # s(k_j, q_i) = v'tanh(W k_j + U q_i)
    assert_same(out, expected)
    assert_same(score(q[0], k[0]), expected[0])  # unbatched
    assert score(_randn(3, 1, L, DQ, seed=45), _randn(2, S, DK, seed=46)).shape == (3, 2, L, S)  # broadcast


def test_dot_and_scaled_dot_scores_are_the_formula():
    q, k, v = _randn(2, L, DQ, seed=47), _randn(2, S, DQ, seed=48), _randn(2, S, 3, seed=49)
    dot = A.DotScore()(q, k)
    expected = torch.tensor([[[q[b, i] @ k[b, j] for j in range(S)] for i in range(L)] for b in range(2)], dtype=D)
    assert dot.shape == (2, L, S)
    assert_same(dot, expected)
    assert_same(A.ScaledDotScore()(q, k), expected / math.sqrt(DQ))
    q_long = _randn(S + 2, DQ, seed=50)  # L > S: the scale goes on the keys
    assert_same(A.ScaledDotScore()(q_long, k[0]), q_long @ k[0].T / math.sqrt(DQ))
    weights = torch.softmax(A.ScaledDotScore()(q, k), dim=-1)  # the scores of scaled dot-product attention
    assert_same(weights @ v, F.scaled_dot_product_attention(q, k, v))


def test_bilinear_score_is_the_formula():
    score = _randomised(A.BilinearScore(DQ, DK, dtype=D), seed=51)
    q, k = _randn(2, L, DQ, seed=52), _randn(2, S, DK, seed=53)
    out = score(q, k)
    with torch.no_grad():
        expected = torch.tensor([[[k[b, j] @ score.W.weight @ q[b, i] for j in range(S)] for i in range(L)]
                                 for b in range(2)], dtype=D)  # s(k_j, q_i) = k_j' W q_i
    assert out.shape == (2, L, S)
    assert_same(out, expected)
    identity = A.BilinearScore(DQ, DQ, dtype=D)
    with torch.no_grad():
        identity.W.weight.copy_(torch.eye(DQ, dtype=D))
    k_same = _randn(2, S, DQ, seed=54)
    assert_same(identity(q, k_same), A.DotScore()(q, k_same))  # W = I is the dot product


def test_score_parameters_and_initialisation():
    torch.manual_seed(0)
    additive, bilinear = A.AdditiveScore(DQ, DK, HID), A.BilinearScore(DQ, DK)
    assert [(n, tuple(p.shape)) for n, p in additive.named_parameters()] == [
        ("W.weight", (HID, DK)), ("U.weight", (HID, DQ)), ("v.weight", (1, HID))]
    assert sum(p.numel() for p in additive.parameters()) == HID * (DK + DQ + 1)
    assert [(n, tuple(p.shape)) for n, p in bilinear.named_parameters()] == [("W.weight", (DK, DQ))]
    assert sum(p.numel() for p in bilinear.parameters()) == DQ * DK
    assert list(A.DotScore().parameters()) == list(A.ScaledDotScore().parameters()) == []
    for p, fan_in in ((additive.W.weight, DK), (additive.U.weight, DQ), (additive.v.weight, HID),
                      (bilinear.W.weight, DQ)):
        assert 0 < p.abs().max() <= 1 / math.sqrt(fan_in)
    assert "(W): Linear(in_features=6, out_features=5, bias=False)" in repr(additive)
    assert "(W): Linear(in_features=4, out_features=6, bias=False)" in repr(bilinear)
    assert A.AdditiveScore(DQ, DK, HID, dtype=D).W.weight.dtype == D
    assert A.BilinearScore(DQ, DK).double()(_randn(L, DQ, seed=58), _randn(S, DK, seed=59)).dtype == D


@pytest.mark.parametrize("make", [lambda: A.AdditiveScore(3, 2, 4, dtype=D), lambda: A.BilinearScore(3, 2, dtype=D),
                                  A.DotScore, A.ScaledDotScore], ids=["additive", "bilinear", "dot", "scaled-dot"])
def test_score_gradcheck(make):
    """Gradients w.r.t. the query, the key and every parameter."""
    score = make()
    _randomised(score, seed=55)
    dk = 2 if isinstance(score, (A.AdditiveScore, A.BilinearScore)) else 3
    q, k = _randn(2, 3, 3, seed=56).requires_grad_(), _randn(2, 4, dk, seed=57).requires_grad_()
    names = [n for n, _ in score.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in score.parameters()]
    assert gradcheck(lambda q, k, *ps: functional_call(score, dict(zip(names, ps)), (q, k)), (q, k, *params))


SCORE_BAD = [
    (lambda: A.AdditiveScore(DQ, DK, HID)(torch.zeros(L, DQ + 1), torch.zeros(S, DK)),
     r"AdditiveScore expects query with 4 features \(last dim\), got shape \(5, 5\)"),
    (lambda: A.AdditiveScore(DQ, DK, HID)(torch.zeros(L, DQ), torch.zeros(S, DQ)),
     r"AdditiveScore expects key with 6 features \(last dim\), got shape \(7, 4\)"),
    (lambda: A.BilinearScore(DQ, DK)(torch.zeros(L, DK), torch.zeros(S, DK)),
     r"BilinearScore expects query with 4 features \(last dim\), got shape \(5, 6\)"),
    (lambda: A.DotScore()(torch.zeros(L, DQ), torch.zeros(S, DK)),
     r"DotScore expects query and key with the same last dimension \(D\), got \(5, 4\) and \(7, 6\)"),
    (lambda: A.ScaledDotScore()(torch.zeros(L, DQ), torch.zeros(S, DK)), r"ScaledDotScore expects query and key "),
    (lambda: A.DotScore()(torch.zeros(2, L, DQ), torch.zeros(3, S, DQ)),
     r"DotScore expects query and key with broadcastable leading dimensions, got \(2, 5, 4\) and \(3, 7, 4\)"),
    (lambda: A.ScaledDotScore()(torch.zeros(DQ), torch.zeros(S, DQ)),
     r"ScaledDotScore expects query of shape \(\.\.\., L, D\) with at least 2 dimensions, got shape \(4,\)"),
    (lambda: A.AdditiveScore(DQ, 0, HID), r"AdditiveScore expects key_dim an integer >= 1, got 0"),
    (lambda: A.BilinearScore(2.5, DK), r"BilinearScore expects query_dim an integer >= 1, got 2.5"),
]


@pytest.mark.parametrize("call, message", SCORE_BAD, ids=[m[:45] for _, m in SCORE_BAD])
def test_score_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_score_type_errors():
    with pytest.raises(TypeError, match=r"DotScore expects key to be a torch.Tensor, got list"):
        A.DotScore()(torch.zeros(L, DQ), [[0.0] * DQ])
    with pytest.raises(TypeError, match=r"AdditiveScore expects query to be a torch.Tensor, got ndarray"):
        A.AdditiveScore(DQ, DK, HID)(torch.zeros(L, DQ).numpy(), torch.zeros(S, DK))


# ---- MultiheadAttention ----

def _mha_pair(*args, **kwargs):
    """Ours with random parameters (biases too), and torch's with ours' state dict loaded (strict)."""
    ours = _randomised(A.MultiheadAttention(*args, dtype=D, **kwargs), seed=60)
    with torch.no_grad():
        ours.in_proj_weight.mul_(0.5)  # scores of order 1: the softmax neither uniform nor one-hot
    theirs = nn.MultiheadAttention(*args, dtype=D, **kwargs)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


def _outputs(result):
    out, weights = result
    return [out] if weights is None else [out, weights]


def _assert_mha_agree(ours, theirs, query, key, value, seed=0, **kwargs):
    """Same output and weights; same gradients w.r.t. query, key, value and every parameter (random upstream).

    Self-attention (`key is query`) and `key is value` are kept as such on both sides.
    """
    def inputs():
        q = leaf_copies(query)[0]
        k = q if key is query else leaf_copies(key)[0]
        v = k if value is key else leaf_copies(value)[0]
        return q, k, v, [x for x in dict.fromkeys([q, k, v])]  # the distinct leaves, in order

    *a, a_leaves = inputs()
    *b, b_leaves = inputs()
    got, expected = ours(*a, **kwargs), theirs(*b, **kwargs)
    assert (got[1] is None) == (expected[1] is None)
    assert_same(_outputs(got), _outputs(expected))
    flat, flat_expected = (torch.cat([t.reshape(-1) for t in _outputs(r)]) for r in (got, expected))
    upstream = random_upstream(flat_expected, seed)
    assert_same(grads(flat, [*a_leaves, *ours.parameters()], upstream),
                grads(flat_expected, [*b_leaves, *theirs.parameters()], upstream))
    return got


def _inputs(kind: str, batch_first: bool, batched: bool = True):
    """query, key, value for self-attention, cross-attention with key = value, or three different tensors."""
    def seq(length, seed):
        shape = ((N, length) if batch_first else (length, N)) if batched else (length,)
        return _randn(*shape, E, seed=seed)

    query = seq(L, 61)
    if kind == "self":
        return query, query, query
    key = seq(S, 62)
    return (query, key, key) if kind == "kv" else (query, key, seq(S, 63))


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq-first", "batch-first"])
@pytest.mark.parametrize("kind", ["self", "kv", "cross"])
@pytest.mark.parametrize("weights", ["average", "per-head", "none"])
def test_mha_matches_torch(weights, kind, batch_first, batched):
    ours, theirs = _mha_pair(E, H, batch_first=batch_first)
    kwargs = {"need_weights": weights != "none", "average_attn_weights": weights == "average"}
    out, w = _assert_mha_agree(ours, theirs, *_inputs(kind, batch_first, batched), **kwargs)
    Lq, Sk = L, L if kind == "self" else S
    lead = ((N, Lq) if batch_first else (Lq, N)) if batched else (Lq,)
    assert out.shape == (*lead, E)
    shapes = {"average": (N, Lq, Sk), "per-head": (N, H, Lq, Sk)}
    assert w is None if weights == "none" else w.shape == shapes[weights][0 if batched else 1:]


def _kpm(float_: bool, batched: bool = True):
    mask = ~_with_live_rows(_bool(N, S, seed=64, p=0.6))  # True = padding; key 0 is never padding
    mask = mask if batched else mask[0]
    return torch.zeros(mask.shape, dtype=D).masked_fill(mask, -INF) if float_ else mask


MASKS = {
    "kpm-bool": lambda b: {"key_padding_mask": _kpm(False, b)},
    "kpm-float": lambda b: {"key_padding_mask": _kpm(True, b)},
    "attn-bool-2d": lambda b: {"attn_mask": ~_with_live_rows(_bool(L, S, seed=65))},
    "attn-float-2d": lambda b: {"attn_mask": _randn(L, S, seed=66)},
    "attn-bool-3d": lambda b: {"attn_mask": ~_with_live_rows(_bool(N * H if b else H, L, S, seed=67))},
    "attn-float-3d": lambda b: {"attn_mask": _randn(N * H if b else H, L, S, seed=68)},
    "both-bool": lambda b: {"key_padding_mask": _kpm(False, b), "attn_mask": _bool(L, S, seed=69, p=0.3)},
    "both-float": lambda b: {"key_padding_mask": _kpm(True, b), "attn_mask": _randn(N * H if b else H, L, S, seed=70)},
}


@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no-weights"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("mask", MASKS)
def test_mha_masks_match_torch(mask, batched, need_weights):
    """PyTorch's conventions: boolean True is masked out, floats are added; attn_mask (L, S) or (N·h, L, S)."""
    ours, theirs = _mha_pair(E, H, batch_first=True)
    _assert_mha_agree(ours, theirs, *_inputs("cross", True, batched), seed=1, need_weights=need_weights,
                      average_attn_weights=False, **MASKS[mask](batched))


def test_mha_key_padding_mask_hides_the_keys():
    ours, _ = _mha_pair(E, H, batch_first=True)
    query, key, value = _inputs("cross", True)
    pad = _kpm(False)
    _, w = ours(query, key, value, key_padding_mask=pad, average_attn_weights=False)  # (N, H, L, S)
    assert (w[pad[:, None, None, :].expand_as(w)] == 0).all()  # no weight on padding
    assert_same(w.sum(-1), torch.ones(N, H, L, dtype=D))
    value2 = value.clone()
    value2[pad] = 100.0  # changing the padded values changes nothing
    assert_same(ours(query, key, value2, key_padding_mask=pad)[0], ours(query, key, value, key_padding_mask=pad)[0])


@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no-weights"])
@pytest.mark.parametrize("mask_type", ["bool", "float"])
@pytest.mark.parametrize("with_kpm", [False, True], ids=["", "kpm"])
def test_mha_is_causal_with_a_causal_mask(need_weights, mask_type, with_kpm):
    ours, theirs = _mha_pair(E, H)
    causal = ~A.causal_mask(L)  # MultiheadAttention's convention: True = masked out (the future)
    mask = causal if mask_type == "bool" else nn.Transformer.generate_square_subsequent_mask(L, dtype=D)
    kwargs = {"key_padding_mask": _kpm(mask_type == "float")[:, :L]} if with_kpm else {}
    x = _randn(L, N, E, seed=71)
    out = _assert_mha_agree(ours, theirs, x, x, x, seed=2, attn_mask=mask, is_causal=True, need_weights=need_weights,
                            **kwargs)
    without_hint = ours(x, x, x, attn_mask=mask, need_weights=need_weights, **kwargs)
    assert_same(out[0], without_hint[0])  # the hint changes nothing


def test_mha_is_causal_hint_is_trusted_as_in_torch():
    """Without weights and padding, PyTorch does not read attn_mask under is_causal=True: neither do we."""
    ours, theirs = _mha_pair(E, H)
    x = _randn(L, N, E, seed=72)
    not_causal = torch.zeros(L, L, dtype=torch.bool)
    _assert_mha_agree(ours, theirs, x, x, x, attn_mask=not_causal, is_causal=True, need_weights=False)
    assert_same(ours(x, x, x, attn_mask=not_causal, is_causal=True, need_weights=False)[0],
                ours(x, x, x, attn_mask=~A.causal_mask(L), need_weights=False)[0])


def test_mha_fully_masked_query_as_torch():
    """All keys of batch element 1 padded: NaN with need_weights (plain softmax), zero weights without, as torch."""
    ours, theirs = _mha_pair(E, H, batch_first=True)
    query, key, value = _inputs("cross", True)
    pad = torch.zeros(N, S, dtype=torch.bool)
    pad[1] = True
    for need_weights in (True, False):
        got = ours(query, key, value, key_padding_mask=pad, need_weights=need_weights)
        expected = theirs(query, key, value, key_padding_mask=pad, need_weights=need_weights)
        assert_same(_outputs(got), _outputs(expected), equal_nan=True)
        assert got[0][1].isnan().all() == need_weights and got[0][[0, 2]].isfinite().all()
    _assert_mha_agree(ours, theirs, query, key, value, key_padding_mask=pad, need_weights=False)


def test_mha_gradcheck():
    mha = _randomised(A.MultiheadAttention(4, 2, batch_first=True, dtype=D), seed=73)
    q, kv = _randn(2, 3, 4, seed=74).requires_grad_(), _randn(2, 5, 4, seed=75).requires_grad_()
    mask = _bool(3, 5, seed=76, p=0.3)
    mask[:, 0] = False
    names = [n for n, _ in mha.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in mha.parameters()]

    def f(q, kv, *ps):
        out, w = functional_call(mha, dict(zip(names, ps)), (q, kv, kv), {"attn_mask": mask})
        return out, w

    assert gradcheck(f, (q, kv, *params))


MAKE = [lambda m: m.MultiheadAttention(E, H), lambda m: m.MultiheadAttention(E, 4, bias=False),
        lambda m: m.MultiheadAttention(E, 1, 0.0, True, False, False, None, None, True),
        lambda m: m.MultiheadAttention(E, H, kdim=E, vdim=E, dropout=0.25)]


@pytest.mark.parametrize("make", MAKE, ids=["default", "no-bias", "positional", "kdim-vdim-E"])
def test_mha_parameters_initialisation_and_attributes_as_torch(make):
    ours, theirs = same_initialisation(make, A, nn)
    attributes = ["embed_dim", "kdim", "vdim", "num_heads", "head_dim", "dropout", "batch_first", "_qkv_same_embed_dim",
                  "bias_k", "bias_v", "add_zero_attn", "q_proj_weight", "k_proj_weight", "v_proj_weight"]
    assert [getattr(ours, a) for a in attributes] == [getattr(theirs, a) for a in attributes]
    biases = ours.in_proj_bias is not None
    assert sum(p.numel() for p in ours.parameters()) == 4 * E * E + (4 * E if biases else 0)
    if biases:
        assert (ours.in_proj_bias == 0).all() and (ours.out_proj.bias == 0).all()
    assert isinstance(ours.out_proj, nn.Linear) and not isinstance(ours, nn.MultiheadAttention)


@pytest.mark.parametrize("direction", ["torch-to-ours", "ours-to-torch"])
@pytest.mark.parametrize("make", MAKE[:3], ids=["default", "no-bias", "positional"])
def test_mha_state_dict_round_trip(make, direction):
    source, target = (make(nn), make(A)) if direction == "torch-to-ours" else (make(A), make(nn))
    state = source.state_dict()
    assert list(state) == list(target.state_dict())
    target.load_state_dict(state)  # strict
    x = _randn(N, L, E, seed=77, dtype=torch.float32)
    x = x if source.batch_first else x.transpose(0, 1)
    with torch.no_grad():  # torch's eval fast path is not taken: training mode
        assert_same(_outputs(target(x, x, x)), _outputs(source(x, x, x)))


def test_mha_dropout_is_refused_in_training_only():
    ours, theirs = _mha_pair(E, H, dropout=0.3)
    x = _randn(L, N, E, seed=78)
    with pytest.raises(NotImplementedError, match=r"MultiheadAttention expects dropout 0 in training mode \(dropout "
                       r"of the weights is not implemented; call \.eval\(\) to run without it\), got dropout=0\.3"):
        ours(x, x, x)
    ours.eval(), theirs.eval()  # dropout does nothing in eval mode
    _assert_mha_agree(ours, theirs, x, x, x)


def test_no_pytorch_attention_op_is_called(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a PyTorch attention op was called")

    for name in ["scaled_dot_product_attention", "multi_head_attention_forward", "_scaled_dot_product_attention_math"]:
        monkeypatch.setattr(F, name, refuse, raising=False)
    for name in ["_native_multi_head_attention", "_scaled_dot_product_flash_attention_for_cpu"]:
        monkeypatch.setattr(torch, name, refuse, raising=False)
    mha = A.MultiheadAttention(E, H, dtype=D)
    x = _randn(L, N, E, seed=79).requires_grad_()
    for need_weights in (True, False):
        mha(x, x, x, need_weights=need_weights)[0].sum().backward()
    A.scaled_dot_product_attention(x, x, x, is_causal=True).sum().backward()


_x = torch.zeros(L, N, E)
_mha = A.MultiheadAttention(E, H)

MHA_BAD = [
    (lambda: A.MultiheadAttention(E, 3), ValueError,
     r"MultiheadAttention expects embed_dim divisible by num_heads, got embed_dim=8, num_heads=3"),
    (lambda: A.MultiheadAttention(0, 1), ValueError, r"MultiheadAttention expects embed_dim an integer >= 1, got 0"),
    (lambda: A.MultiheadAttention(E, 0), ValueError, r"MultiheadAttention expects num_heads an integer >= 1, got 0"),
    (lambda: A.MultiheadAttention(E, H, add_bias_kv=True), ValueError,
     r"MultiheadAttention expects add_bias_kv=False \(bias_k and bias_v are not implemented\), got True"),
    (lambda: A.MultiheadAttention(E, H, add_zero_attn=True), ValueError,
     r"MultiheadAttention expects add_zero_attn=False \(the zero key and value are not implemented\), got True"),
    (lambda: A.MultiheadAttention(E, H, kdim=4), ValueError,
     r"MultiheadAttention expects kdim None or embed_dim \(8\) \(other key and value sizes are not implemented\), "
     r"got 4"),
    (lambda: A.MultiheadAttention(E, H, vdim=6), ValueError, r"MultiheadAttention expects vdim None or embed_dim"),
    (lambda: A.MultiheadAttention(E, H, dropout=1.5), ValueError, r"expects dropout in \[0, 1\], got 1.5"),
    (lambda: A.MultiheadAttention(E, H, batch_first=1), ValueError, r"expects batch_first True or False, got 1"),
    (lambda: _mha(_x, _x, _x, attn_mask=None, is_causal=True), ValueError,
     r"MultiheadAttention expects an attn_mask with is_causal=True \(is_causal is only a hint that attn_mask is "
     r"causal\), got attn_mask=None"),
    (lambda: _mha(_x[None], _x, _x), ValueError,
     r"MultiheadAttention expects query of shape \(L, N, E\) or unbatched \(L, E\), got shape \(1, 5, 3, 8\)"),
    (lambda: _mha(_x, _x[0], _x[0]), ValueError,
     r"MultiheadAttention expects key with 3 dimensions like query, got shape \(3, 8\)"),
    (lambda: _mha(_x[..., :4], _x, _x), ValueError,
     r"MultiheadAttention expects query with embed_dim = 8 features \(last dim\), got shape \(5, 3, 4\)"),
    (lambda: _mha(_x, _x, _x[:4]), ValueError,
     r"MultiheadAttention expects key and value of the same shape, got \(5, 3, 8\) and \(4, 3, 8\)"),
    (lambda: _mha(_x, _x[:, :2], _x[:, :2]), ValueError,
     r"MultiheadAttention expects query and key with the same batch size N, got \(5, 3, 8\) and \(5, 2, 8\)"),
    (lambda: _mha(_x.double(), _x, _x), ValueError,
     r"MultiheadAttention expects query of the parameters' dtype torch.float32, got torch.float64"),
    (lambda: _mha(_x, _x, _x, attn_mask=torch.zeros(L, L + 1)), ValueError,
     r"MultiheadAttention expects attn_mask of shape \(L, S\) = \(5, 5\) or \(N·num_heads, L, S\) = \(6, 5, 5\), "
     r"got shape \(5, 6\)"),
    (lambda: _mha(_x[:, 0], _x[:, 0], _x[:, 0], attn_mask=torch.zeros(N * H, L, L)), ValueError,
     r"expects attn_mask of shape \(L, S\) = \(5, 5\) or \(num_heads, L, S\) = \(2, 5, 5\), got shape \(6, 5, 5\)"),
    (lambda: _mha(_x, _x, _x, key_padding_mask=torch.zeros(L, N, dtype=torch.bool)), ValueError,
     r"MultiheadAttention expects key_padding_mask of shape \(3, 5\) \(N, S\), or \(S,\) unbatched, got \(5, 3\)"),
    (lambda: _mha(_x, _x, _x, attn_mask=torch.zeros(L, L, dtype=torch.long)), ValueError,
     r"MultiheadAttention expects a boolean or floating attn_mask, got torch.int64"),
    (lambda: _mha(_x, _x, _x, need_weights=None), ValueError, r"expects need_weights True or False, got None"),
    (lambda: _mha(_x, "key", _x), TypeError, r"MultiheadAttention expects key to be a torch.Tensor, got str"),
    (lambda: _mha(_x, _x, _x, attn_mask=[[0.0]]), TypeError,
     r"MultiheadAttention expects attn_mask to be a torch.Tensor, got list"),
]


@pytest.mark.parametrize("call, error, message", MHA_BAD, ids=[m[:50] for _, _, m in MHA_BAD])
def test_mha_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
