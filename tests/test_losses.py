"""dlnotes.losses against PyTorch (float64, values and gradients) and against NumPy formulas."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Categorical
from torch.testing import assert_close

from dlnotes import get_device
from dlnotes import losses as L

from .conftest import generator as _gen
from .oracle import assert_same_as_torch, leaf_copies

D = torch.float64
REDUCTIONS = ("mean", "sum", "none")
SHAPES = [(), (7,), (2, 3, 4)]


# ---- elementwise losses: (ours, PyTorch's, make(shape, generator) -> (input, target)) ----

def _regression(shape, g):
    return torch.randn(shape, dtype=D, generator=g), torch.randn(shape, dtype=D, generator=g)


def _probabilities(shape, g):  # interior probabilities, soft targets
    return 0.02 + 0.96 * torch.rand(shape, dtype=D, generator=g), torch.rand(shape, dtype=D, generator=g)


def _logits(shape, g):
    return 5 * torch.randn(shape, dtype=D, generator=g), torch.rand(shape, dtype=D, generator=g)


ELEMENTWISE = {
    "mse_loss": (L.mse_loss, F.mse_loss, _regression),
    "l1_loss": (L.l1_loss, F.l1_loss, _regression),
    "binary_cross_entropy": (L.binary_cross_entropy, F.binary_cross_entropy, _probabilities),
    "binary_cross_entropy_with_logits": (L.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, _logits),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_losses_match_pytorch(name, shape, reduction):
    ours, theirs, make = ELEMENTWISE[name]
    x, y = make(shape, _gen(sum(shape) + 10))
    assert_same_as_torch(ours, theirs, x, y, reduction=reduction)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_losses_pass_gradcheck(name):
    ours, _, make = ELEMENTWISE[name]
    x, y = make((3, 4), _gen(2))
    for reduction in REDUCTIONS:
        assert torch.autograd.gradcheck(lambda a, b: ours(a, b, reduction=reduction), leaf_copies(x, y))


def test_bce_at_probabilities_exactly_0_and_1_matches_pytorch():
    x = torch.tensor([0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1e-50, 1 - 1e-16], dtype=D)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3, 0.7, 0.7, 0.2], dtype=D)
    for reduction in REDUCTIONS:
        assert_same_as_torch(L.binary_cross_entropy, F.binary_cross_entropy, x, y, reduction=reduction)
    loss = L.binary_cross_entropy(leaf_copies(x)[0], y, reduction="none")
    assert torch.isfinite(loss).all() and loss[1] == 100  # log 0 clamped at -100


def test_bce_gradient_at_0_and_1_is_finite_and_eps_floored():
    x, = leaf_copies(torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=D))
    y = torch.tensor([1.0, 0.0, 0.0, 1.0], dtype=D)
    dx, = torch.autograd.grad(L.binary_cross_entropy(x, y, reduction="sum"), [x])
    assert_close(dx, torch.tensor([-1e12, 1e12, 0.0, 0.0], dtype=D))  # (x - y) / max(x (1 - x), 1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, D])
def test_bce_with_logits_is_finite_and_exact_at_large_logits(dtype):
    x = torch.tensor([1e4, -1e4, 1e4, -1e4, 50.0, -50.0, 50.0, -50.0, 0.0, 0.0], dtype=dtype)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.7], dtype=dtype)
    for reduction in REDUCTIONS:
        assert_same_as_torch(L.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, x, y,
                             reduction=reduction)
    x, = leaf_copies(x)
    loss = L.binary_cross_entropy_with_logits(x, y, reduction="none")
    dx, = torch.autograd.grad(loss.sum(), [x])
    assert torch.isfinite(loss).all() and torch.isfinite(dx).all()
    assert_close(loss[:4], torch.tensor([0.0, 0.0, 1e4, 1e4], dtype=dtype))
    assert_close(dx, torch.sigmoid(x.detach()) - y)  # sigma(x) - y, also at the kink x = 0


# ---- classification ----

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 3), (1, 10), (4, 1), (6,)], ids=str)
def test_cross_entropy_and_nll_loss_match_pytorch(shape, reduction):
    g = _gen(shape[0])
    z = 3 * torch.randn(shape, dtype=D, generator=g)
    y = torch.randint(shape[-1], shape[:-1], generator=g)
    assert_same_as_torch(L.cross_entropy, F.cross_entropy, z, y, reduction=reduction)
    assert_same_as_torch(L.nll_loss, F.nll_loss, torch.log_softmax(z, -1), y, reduction=reduction)


def test_cross_entropy_and_nll_loss_pass_gradcheck():
    g = _gen(3)
    z, y = torch.randn(4, 5, dtype=D, generator=g), torch.randint(5, (4,), generator=g)
    assert torch.autograd.gradcheck(lambda a: L.cross_entropy(a, y, reduction="none"), leaf_copies(z))
    assert torch.autograd.gradcheck(lambda a: L.nll_loss(a, y, reduction="sum"), leaf_copies(z))


def test_cross_entropy_accepts_other_integer_dtypes_for_targets():
    z, y = torch.randn(4, 3, dtype=D, generator=_gen(4)), torch.tensor([0, 2, 1, 2])
    assert_close(L.cross_entropy(z, y.to(torch.int32)), F.cross_entropy(z, y))


@pytest.mark.parametrize("dtype", [torch.float32, D])
def test_cross_entropy_is_stable_where_naive_log_softmax_fails(dtype):
    z = torch.tensor([[1000.0, 0.0, -1000.0]] * 3, dtype=dtype)
    y = torch.tensor([0, 1, 2])
    naive = torch.log(z.exp() / z.exp().sum(-1, keepdim=True))  # exp(1000) = inf
    assert not torch.isfinite(naive).any()  # [nan, -inf, -inf] per row
    assert_same_as_torch(L.cross_entropy, F.cross_entropy, z, y, reduction="none")
    z, = leaf_copies(z)
    loss = L.cross_entropy(z, y, reduction="none")
    dz, = torch.autograd.grad(loss.sum(), [z])
    assert_close(loss, torch.tensor([0.0, 1000.0, 2000.0], dtype=dtype))
    assert torch.isfinite(dz).all()


# ---- KL divergence ----

def _simplex(shape, seed):
    return torch.softmax(2 * torch.randn(shape, dtype=D, generator=_gen(seed)), dim=-1)


def _torch_kl(p, q):
    return torch.distributions.kl_divergence(Categorical(probs=p), Categorical(probs=q))


@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 6)], ids=str)
def test_kl_divergence_matches_torch_distributions(shape):
    p, q = _simplex(shape, 0), _simplex(shape, 1)
    kl = L.kl_divergence(p, q)
    assert kl.shape == shape[:-1]
    assert_close(kl, _torch_kl(p, q))
    assert_close(kl, F.kl_div(q.log(), p, reduction="none").sum(-1))  # F.kl_div: arguments swapped, log input
    assert (kl >= 0).all()
    assert_close(L.kl_divergence(p, p), torch.zeros(shape[:-1], dtype=D))


def test_kl_divergence_is_asymmetric():
    p, q = torch.tensor([0.5, 0.5], dtype=D), torch.tensor([0.9, 0.1], dtype=D)
    assert_close(L.kl_divergence(p, q).item(), 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1))
    assert_close(L.kl_divergence(q, p).item(), 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5))
    assert L.kl_divergence(p, q) > L.kl_divergence(q, p) + 0.1


def test_kl_divergence_zeros_in_p_and_q():
    p = torch.tensor([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]], dtype=D)
    q = torch.tensor([[0.25, 0.25, 0.5], [1.0, 0.0, 0.0]], dtype=D)
    kl = L.kl_divergence(p, q)
    assert_close(kl[0].item(), math.log(2))  # 0 log(0 / q) = 0
    assert kl[1].item() == math.inf  # q = 0 < p
    assert_close(kl, _torch_kl(p, q))
    p, = leaf_copies(p[0])
    dp, = torch.autograd.grad(L.kl_divergence(p, q[0]), [p])
    assert torch.isfinite(dp).all()  # no nan from 0 log 0


def test_kl_divergence_passes_gradcheck():
    p, q = _simplex((3, 4), 5), _simplex((3, 4), 6)
    assert torch.autograd.gradcheck(L.kl_divergence, leaf_copies(p, q), eps=1e-7, atol=1e-5)


# ---- hinge and check loss against NumPy ----

def _np_reduce(a: np.ndarray, reduction: str):
    return {"mean": np.mean, "sum": np.sum, "none": np.asarray}[reduction](a)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_hinge_and_check_loss_match_numpy(shape, reduction):
    g = _gen(20 + len(shape))
    f, t = 2 * torch.randn(shape, dtype=D, generator=g), torch.randn(shape, dtype=D, generator=g)
    y = torch.where(torch.rand(shape, dtype=D, generator=g) < 0.5, -1.0, 1.0).to(D)
    fn, tn, yn = f.numpy(), t.numpy(), y.numpy()
    assert_close(L.hinge_loss(f, y, reduction=reduction), torch.as_tensor(_np_reduce(np.maximum(0, 1 - yn * fn), reduction)))
    for tau in (0.1, 0.5, 0.9):
        u = tn - fn
        expected = _np_reduce(np.where(u >= 0, tau * u, (tau - 1) * u), reduction)
        assert_close(L.check_loss(f, t, tau, reduction=reduction), torch.as_tensor(expected))


def test_hinge_and_check_loss_pass_gradcheck():
    g = _gen(7)
    f, t = torch.randn(10, dtype=D, generator=g), torch.randn(10, dtype=D, generator=g)
    y = torch.tensor([1.0, -1.0] * 5, dtype=D)
    assert torch.autograd.gradcheck(lambda a: L.hinge_loss(a, y, reduction="sum"), leaf_copies(f))
    assert torch.autograd.gradcheck(lambda a, b: L.check_loss(a, b, 0.3, reduction="none"), leaf_copies(f, t))


@pytest.mark.parametrize("tau", [0.1, 0.25, 0.5, 0.9])
def test_check_loss_minimiser_is_the_quantile(tau):
    y = torch.from_numpy(np.random.default_rng(0).standard_normal(101))  # n tau not an integer: unique minimiser
    candidates = torch.sort(y).values  # a piecewise-linear convex sum is minimised at a sample point
    risk = torch.stack([L.check_loss(c.expand_as(y), y, tau) for c in candidates])
    best = candidates[risk.argmin()].item()
    assert best == np.quantile(y.numpy(), tau, method="inverted_cdf")
    for c in (best - 1e-3, best + 1e-3):  # and it is a strict minimum
        assert L.check_loss(torch.full_like(y, c), y, tau) > risk.min()


def test_check_loss_at_one_half_is_half_l1():
    f, t = torch.randn(8, dtype=D, generator=_gen(8)), torch.randn(8, dtype=D, generator=_gen(9))
    assert_close(L.check_loss(f, t, 0.5), L.l1_loss(f, t) / 2)


# ---- bad input ----

def _z(*shape):
    return torch.zeros(shape, dtype=D)


_P = torch.tensor([0.5, 0.5], dtype=D)
_T = torch.tensor
SAME_SHAPE = "expects input and target of the same shape"
RANKS = r"expects input of shape \(N, C\) or \(C,\), got shape"
BAD = {  # id: (call, message pattern)
    "mse-shape": (lambda: L.mse_loss(_z(3), _z(3, 1)), r"mse_loss expects input and target of the same shape, "
                                                       r"got \(3,\) and \(3, 1\)"),
    "l1-shape": (lambda: L.l1_loss(_z(3), _z(1)), "l1_loss " + SAME_SHAPE),
    "bce-shape": (lambda: L.binary_cross_entropy(_z(2), _z(2, 1)), "binary_cross_entropy " + SAME_SHAPE),
    "bce-input": (lambda: L.binary_cross_entropy(_T([0.5, 1.5], dtype=D), _z(2)),
                  r"binary_cross_entropy expects input probabilities in \[0, 1\], got values in \[0.5, 1.5\]"),
    "bce-input-nan": (lambda: L.binary_cross_entropy(_T([math.nan], dtype=D), _z(1)), r"input probabilities in \[0, 1\]"),
    "bce-target": (lambda: L.binary_cross_entropy(_z(2), _T([0.0, -1.0], dtype=D)),
                   r"binary_cross_entropy expects target in \[0, 1\], got values in \[-1, 0\]"),
    "logits-shape": (lambda: L.binary_cross_entropy_with_logits(_z(2), _z(3)),
                     "binary_cross_entropy_with_logits " + SAME_SHAPE),
    "logits-target": (lambda: L.binary_cross_entropy_with_logits(_z(2), _T([0.0, 2.0], dtype=D)),
                      r"binary_cross_entropy_with_logits expects target in \[0, 1\]"),
    "ce-index-high": (lambda: L.cross_entropy(_z(2, 3), _T([0, 5])),
                      r"cross_entropy expects class indices in \[0, 3\), got values in \[0, 5\]"),
    "ce-index-negative": (lambda: L.cross_entropy(_z(2, 3), _T([-1, 2])), r"class indices in \[0, 3\), got values in \[-1, 2\]"),
    "ce-float-target": (lambda: L.cross_entropy(_z(2, 3), _T([0.0, 1.0])),
                        r"cross_entropy expects integer class indices as target, got dtype torch.float32"),
    "ce-bool-target": (lambda: L.cross_entropy(_z(2, 3), _T([True, False])), "integer class indices"),
    "ce-3d": (lambda: L.cross_entropy(_z(2, 3, 4), torch.zeros(2, 4, dtype=torch.long)),
              "cross_entropy " + RANKS + r" \(2, 3, 4\)"),
    "ce-0d": (lambda: L.cross_entropy(_z(), _T(0)), "cross_entropy " + RANKS + r" \(\)"),
    "ce-batch": (lambda: L.cross_entropy(_z(2, 3), _T([0, 1, 2])),
                 r"cross_entropy expects target of shape \(2,\) for input of shape \(2, 3\), got \(3,\)"),
    "ce-unbatched": (lambda: L.cross_entropy(_z(3), _T([1])),
                     r"expects target of shape \(\) for input of shape \(3,\), got \(1,\)"),
    "nll-index": (lambda: L.nll_loss(_z(2, 3), _T([3, 0])),
                  r"nll_loss expects class indices in \[0, 3\), got values in \[0, 3\]"),
    "nll-float-target": (lambda: L.nll_loss(_z(2), _T([1.0])), "nll_loss expects integer class indices"),
    "nll-3d": (lambda: L.nll_loss(_z(2, 2, 2), torch.zeros(2, dtype=torch.long)), "nll_loss " + RANKS),
    "hinge-target": (lambda: L.hinge_loss(_z(2), _T([0.0, 1.0], dtype=D)),
                     r"hinge_loss expects target in \{-1, \+1\}, got values in \[0, 1\]"),
    "hinge-shape": (lambda: L.hinge_loss(_z(2), _z(2, 2)), "hinge_loss " + SAME_SHAPE),
    "check-shape": (lambda: L.check_loss(_z(2), _z(3), 0.5), "check_loss " + SAME_SHAPE),
    "kl-sum": (lambda: L.kl_divergence(_P, _T([0.5, 0.6], dtype=D)),
               r"kl_divergence expects q to sum to 1 along the last dimension \(within 1e-06\), got values in \[1.1, 1.1\]"),
    "kl-negative": (lambda: L.kl_divergence(_T([1.5, -0.5], dtype=D), _P),
                    r"kl_divergence expects p to be non-negative, got values in \[-0.5, 1.5\]"),
    "kl-shape": (lambda: L.kl_divergence(_P, _z(3)), r"kl_divergence expects p and q of the same shape, got \(2,\) and \(3,\)"),
    "kl-0d": (lambda: L.kl_divergence(_z(), _z()), r"kl_divergence expects probability vectors of shape \(..., C\), got 0-d"),
    "reduction": (lambda: L.mse_loss(_z(2), _z(2), reduction="avg"),
                  r"reduction must be one of \('mean', 'sum', 'none'\), got 'avg'"),
    "reduction-none-object": (lambda: L.cross_entropy(_z(2, 3), _T([0, 1]), reduction=None), "reduction must be one of"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_raises_value_error(case):
    call, match = BAD[case]
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("tau", [0, 1, 0.0, 1.0, -0.1, 1.5, math.nan, True, "0.5", None])
def test_check_loss_rejects_tau_outside_open_unit_interval(tau):
    with pytest.raises(ValueError, match=r"check_loss expects tau in the open interval \(0, 1\)"):
        L.check_loss(_z(2), _z(2), tau)


def test_unknown_and_positional_options_are_refused():
    with pytest.raises(TypeError):
        L.cross_entropy(_z(2, 3), torch.tensor([0, 1]), weight=torch.ones(3))  # no weight / ignore_index / label_smoothing
    with pytest.raises(TypeError):
        L.mse_loss(_z(2), _z(2), "sum")  # reduction is keyword-only


# ---- device and dtype ----

@pytest.mark.parametrize("name", list(ELEMENTWISE) + ["cross_entropy"])
def test_losses_run_on_the_default_device_in_float32(name):
    device = get_device()
    if name == "cross_entropy":
        ours, theirs = L.cross_entropy, F.cross_entropy
        x, y = torch.randn(6, 4, generator=_gen(11)), torch.randint(4, (6,), generator=_gen(11))
    else:
        ours, theirs, make = ELEMENTWISE[name]
        x, y = (a.float() for a in make((6, 4), _gen(11)))
    x, y = x.to(device), y.to(device)
    out = ours(x, y)
    assert out.device.type == device.type and out.dtype == torch.float32
    assert_close(out, theirs(x, y))
