"""dlnotes.normalization against torch.nn.functional and torch.nn in float64: values, gradients, running statistics."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlnotes import normalization as N

from .conftest import generator as _gen
from .oracle import assert_same, assert_same_as_torch, grads, leaf_copies, random_upstream

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D = torch.float64
SHAPES = [(6, 4), (5, 3, 7), (4, 3, 5, 6), (2, 3, 2, 2, 3)]  # (N, C), (N, C, L), (N, C, H, W), (N, C, D, H, W)
SHAPE_IDS = ["x".join(map(str, s)) for s in SHAPES]
AFFINE = ["weight-bias", "weight", "bias", "none"]


def _randn(*shape, seed=0, scale=1.0, shift=0.0):
    return scale * torch.randn(shape, dtype=D, generator=_gen(seed)) + shift


def _affine_params(kind: str, size, seed: int = 1):
    weight = _randn(*size, seed=seed) if "weight" in kind else None
    bias = _randn(*size, seed=seed + 1) if "bias" in kind else None
    return weight, bias


def _running_stats(C: int, seed: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    g = _gen(seed)
    return torch.randn(C, dtype=D, generator=g), torch.rand(C, dtype=D, generator=g) + 0.5


# ---- batch_norm ----

@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_batch_norm_training_matches_torch(shape, affine):
    """Values, gradients (through the hand-written backward) and the updated running statistics."""
    x = _randn(*shape, scale=3.0, shift=1.5)
    weight, bias = _affine_params(affine, shape[1:2])
    ours, theirs = _running_stats(shape[1]), _running_stats(shape[1])
    assert_same_as_torch(lambda x, w, b: N.batch_norm(x, *ours, w, b, training=True, momentum=0.3, eps=1e-3),
                         lambda x, w, b: F.batch_norm(x, *theirs, w, b, training=True, momentum=0.3, eps=1e-3),
                         x, weight, bias, seed=len(shape))
    assert_same(ours, theirs)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_batch_norm_training_without_running_statistics(shape):
    x, (weight, bias) = _randn(*shape, seed=3), _affine_params("weight-bias", shape[1:2])
    assert_same_as_torch(lambda *a: N.batch_norm(a[0], None, None, *a[1:], training=True),
                         lambda *a: F.batch_norm(a[0], None, None, *a[1:], training=True), x, weight, bias)


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_batch_norm_eval_matches_torch(shape, affine):
    x = _randn(*shape, seed=4, scale=2.0)
    weight, bias = _affine_params(affine, shape[1:2])
    stats = _running_stats(shape[1])
    before = [s.clone() for s in stats]
    assert_same_as_torch(lambda x, w, b: N.batch_norm(x, *stats, w, b, eps=1e-2),
                         lambda x, w, b: F.batch_norm(x, *stats, w, b, eps=1e-2), x, weight, bias, seed=5)
    assert_same(list(stats), before)  # evaluation leaves them alone


def test_batch_norm_running_variance_is_unbiased():
    x = _randn(5, 2, 3, seed=6)
    running_mean, running_var = torch.zeros(2, dtype=D), torch.ones(2, dtype=D)
    N.batch_norm(x, running_mean, running_var, training=True, momentum=1.0)
    assert_same(running_mean, x.mean(dim=(0, 2)))
    assert_same(running_var, x.var(dim=(0, 2), correction=1))


def test_batch_norm_float32_channels_last_and_no_grad():
    x = torch.randn(4, 5, 6, 7, generator=_gen(7)).to(memory_format=torch.channels_last)
    weight, bias = torch.rand(5, generator=_gen(8)) + 0.5, torch.randn(5, generator=_gen(9))
    ours, theirs = [torch.zeros(5), torch.ones(5)], [torch.zeros(5), torch.ones(5)]
    assert_same_as_torch(lambda *a: N.batch_norm(a[0], *ours, *a[1:], training=True),
                         lambda *a: F.batch_norm(a[0], *theirs, *a[1:], training=True), x, weight, bias)
    with torch.no_grad():
        assert_same(N.batch_norm(x, *ours, weight, bias, True), F.batch_norm(x, *theirs, weight, bias, True))
    assert_same(ours, theirs)


def test_batch_norm_gradcheck():
    x = _randn(4, 3, 5, seed=10, scale=2.0).requires_grad_()
    weight, bias = (t.requires_grad_() for t in _affine_params("weight-bias", (3,)))
    assert torch.autograd.gradcheck(lambda *a: N._BatchNormTraining.apply(*a, 1e-5)[0], (x, weight, bias))
    assert torch.autograd.gradcheck(lambda x: N._BatchNormTraining.apply(x, None, None, 1e-5)[0], (x,))
    assert torch.autograd.gradcheck(lambda x, w: N.batch_norm(x, None, None, w, None, True), (x[:, :, :2], weight))
    stats = _running_stats(3)
    assert torch.autograd.gradcheck(lambda *a: N.batch_norm(a[0], *stats, *a[1:]), (x, weight, bias))


def test_batch_norm_backward_is_once_differentiable():
    x = _randn(4, 3, seed=11).requires_grad_()
    y = N.batch_norm(x, None, None, training=True)
    upstream = random_upstream(y).requires_grad_()
    (dx,) = torch.autograd.grad(y, x, upstream, create_graph=True)
    with pytest.raises(RuntimeError, match="differentiate twice"):  # not silently wrong
        dx.sum().backward()


# ---- BatchNorm1d / BatchNorm2d ----

def _assert_modules_agree(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, seed: int = 0) -> None:
    """Same output, same gradients w.r.t. the input and every parameter, same buffers afterwards."""
    a, b = leaf_copies(x, x)
    out, expected = ours(a), theirs(b)
    assert_same(out, expected)
    upstream = random_upstream(expected, seed)
    assert_same(grads(out, [a, *ours.parameters()], upstream), grads(expected, [b, *theirs.parameters()], upstream))
    assert_same(list(ours.buffers()), list(theirs.buffers()))


def _randomize(module: nn.Module, seed: int) -> nn.Module:
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(torch.randn(p.shape, dtype=p.dtype, generator=_gen(seed + i)))
    return module


BN_CASES = [(N.BatchNorm1d, nn.BatchNorm1d, (8, 3)), (N.BatchNorm1d, nn.BatchNorm1d, (6, 3, 5)),
            (N.BatchNorm2d, nn.BatchNorm2d, (4, 3, 5, 4))]
BN_OPTIONS = [{}, {"momentum": None}, {"momentum": 0.5, "affine": False}, {"track_running_stats": False},
              {"bias": False}, {"eps": 1e-2, "momentum": None, "bias": False}]


@pytest.mark.parametrize("options", BN_OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
@pytest.mark.parametrize("ours_cls, theirs_cls, shape", BN_CASES, ids=lambda c: getattr(c, "__name__", None))
def test_batch_norm_module_trains_then_evaluates_like_torch(ours_cls, theirs_cls, shape, options):
    ours = _randomize(ours_cls(shape[1], dtype=D, **options), seed=20)
    theirs = theirs_cls(shape[1], dtype=D, **options)
    theirs.load_state_dict(ours.state_dict())  # ours into torch
    assert repr(ours) == repr(theirs)
    for step in range(4):
        _assert_modules_agree(ours, theirs, _randn(*shape, seed=30 + step, scale=1 + step, shift=step), seed=step)
    if ours.track_running_stats:
        assert ours.num_batches_tracked.item() == 4
    ours.eval(), theirs.eval()
    _assert_modules_agree(ours, theirs, _randn(*shape, seed=40, scale=2.0), seed=9)


def test_momentum_none_is_the_cumulative_average():
    bn = N.BatchNorm1d(2, momentum=None, dtype=D)
    batches = [_randn(5, 2, seed=50 + k, shift=k) for k in range(3)]
    for x in batches:
        bn(x)
    assert_same(bn.running_mean, torch.stack([x.mean(0) for x in batches]).mean(0))
    assert_same(bn.running_var, torch.stack([x.var(0) for x in batches]).mean(0))


def test_track_running_stats_false_uses_the_batch_in_eval_too():
    bn = N.BatchNorm2d(3, track_running_stats=False, dtype=D)
    x = _randn(2, 3, 4, 4, seed=60)
    assert bn.running_mean is None and bn.num_batches_tracked is None
    assert set(bn.state_dict()) == {"weight", "bias"}
    assert_same(bn.eval()(x), bn.train()(x))


@pytest.mark.parametrize("direction", ["torch-to-ours", "ours-to-torch"])
@pytest.mark.parametrize("make", [lambda m: m.BatchNorm2d(3, dtype=D), lambda m: m.BatchNorm1d(3, dtype=D),
                                  lambda m: m.LayerNorm((3, 4), dtype=D)], ids=["bn2d", "bn1d", "ln"])
def test_state_dict_round_trip(make, direction):
    source, target = (make(nn), make(N)) if direction == "torch-to-ours" else (make(N), make(nn))
    _randomize(source, seed=70)
    shape = (5, 3, 4) if isinstance(source, (nn.BatchNorm1d, N.BatchNorm1d)) else (5, 3, 3, 4)
    for step in range(3):
        source(_randn(*shape, seed=71 + step, shift=step))  # train: the running statistics move
    state = source.state_dict()
    assert list(state) == list(target.state_dict())
    target.load_state_dict(state)  # strict
    source.eval(), target.eval()
    x = _randn(*shape, seed=80)
    assert_same(target(x), source(x))
    assert_same(list(target.state_dict().values()), list(state.values()))


def test_reset_parameters_gives_a_fresh_module():
    ours = _randomize(N.BatchNorm1d(3, dtype=D), seed=75)
    ours(_randn(4, 3, seed=76))
    ours.reset_parameters()
    assert_same(list(ours.state_dict().values()), list(nn.BatchNorm1d(3, dtype=D).state_dict().values()))


# ---- layer_norm / LayerNorm ----

LN_CASES = [((4, 7), 7), ((4, 7), (7,)), ((2, 3, 5), (3, 5)), ((2, 3, 4, 5), [4, 5]), ((6,), (6,)),
            ((2, 2, 3, 4), (2, 3, 4))]


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("shape, normalized_shape", LN_CASES, ids=[str(c) for c in LN_CASES])
def test_layer_norm_matches_torch(shape, normalized_shape, affine):
    x = _randn(*shape, seed=90, scale=3.0, shift=-1.0)
    size = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    weight, bias = _affine_params(affine, size, seed=91)
    assert_same_as_torch(lambda x, w, b: N.layer_norm(x, normalized_shape, w, b, eps=1e-3),
                         lambda x, w, b: F.layer_norm(x, size, w, b, eps=1e-3), x, weight, bias, seed=len(shape))


@pytest.mark.parametrize("options", [{}, {"bias": False}, {"elementwise_affine": False}, {"eps": 0.1}],
                         ids=["default", "bias=False", "no-affine", "eps"])
@pytest.mark.parametrize("normalized_shape", [5, (5,), (3, 5), [2, 3, 5]], ids=str)
def test_layer_norm_module_matches_torch(normalized_shape, options):
    ours = _randomize(N.LayerNorm(normalized_shape, dtype=D, **options), seed=100)
    theirs = nn.LayerNorm(normalized_shape, dtype=D, **options)
    theirs.load_state_dict(ours.state_dict())
    assert repr(ours) == repr(theirs) and ours.normalized_shape == theirs.normalized_shape
    _assert_modules_agree(ours, theirs, _randn(4, 2, 3, 5, seed=101, scale=2.0))
    _assert_modules_agree(ours.eval(), theirs.eval(), _randn(2, 3, 5, seed=102))


def test_layer_norm_normalizes_each_sample():
    y = N.layer_norm(_randn(3, 4, 10, seed=103, scale=5.0, shift=2.0), 10, eps=0.0)
    assert_same(y.mean(-1), torch.zeros(3, 4, dtype=D), atol=1e-12, rtol=0)
    assert_same(y.var(-1, correction=0), torch.ones(3, 4, dtype=D))


# ---- dropout / Dropout ----

@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_is_exact_given_the_mask(p):
    x = _randn(40, 30, seed=110)
    a, = leaf_copies(x)
    y = N.dropout(a, p, generator=_gen(111))
    keep = torch.rand(x.shape, generator=_gen(111)) >= p  # the documented mask
    assert torch.equal(y, x * (keep.to(D) / (1 - p)))
    upstream = random_upstream(y, seed=1)
    assert torch.equal(grads(y, [a], upstream)[0], upstream * (keep.to(D) / (1 - p)))
    theirs = F.dropout(x, p)  # PyTorch's mask differs; where both keep, the scaled values agree
    both = keep & (theirs != 0)
    assert both.any() and torch.equal(y[both], theirs[both])


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_statistics(p):
    """Zero fraction p and mean preserved, each within 4 standard errors; PyTorch's dropout alike."""
    n = 400_000
    x = torch.ones(n)
    for y in (N.dropout(x, p, generator=_gen(120)), F.dropout(x, p)):
        assert abs((y == 0).float().mean().item() - p) < 4 * math.sqrt(p * (1 - p) / n)
        assert abs(y.mean().item() - 1) < 4 * math.sqrt(p / (1 - p) / n)  # Var[ξ/(1-p)] = p/(1-p)


def test_dropout_eval_p0_p1_inplace_and_module():
    x = _randn(5, 6, seed=130)
    assert N.dropout(x, 0.5, training=False) is x and N.dropout(x, 0.0) is x
    a, = leaf_copies(x)
    y = N.dropout(a, 1.0)
    assert_same(y, F.dropout(x, 1.0))
    assert not y.any() and not grads(y, [a], torch.ones_like(y))[0].any()
    z = x.clone()
    assert N.dropout(z, 0.3, inplace=True, generator=_gen(131)) is z
    assert torch.equal(z, N.dropout(x, 0.3, generator=_gen(131)))
    module = N.Dropout(0.3)
    assert repr(module) == repr(nn.Dropout(0.3)) and module.eval()(x) is x
    state = torch.get_rng_state()
    try:
        torch.manual_seed(0)
        y = module.train()(x)
        torch.manual_seed(0)
        assert torch.equal(y, N.dropout(x, 0.3))  # the module draws from the global generator
    finally:
        torch.set_rng_state(state)
    assert N.Dropout(0.3, inplace=True)(z) is z


def test_no_pytorch_twin_is_called(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a PyTorch twin was called")

    for owner, name in [(torch, "batch_norm"), (F, "batch_norm"), (torch, "native_batch_norm"), (torch, "layer_norm"),
                        (F, "layer_norm"), (torch, "native_layer_norm"), (torch, "dropout"), (F, "dropout")]:
        monkeypatch.setattr(owner, name, refuse)
    x = _randn(4, 3, 5, seed=140).requires_grad_()
    for y in (N.BatchNorm1d(3, dtype=D)(x), N.BatchNorm1d(3, dtype=D).eval()(x), N.LayerNorm(5, dtype=D)(x),
              N.Dropout()(x)):
        y.sum().backward()


# ---- bad input ----

_x = torch.zeros(4, 3, 5)
_stats = (torch.zeros(3), torch.ones(3))

BAD = [
    (lambda: N.batch_norm(torch.zeros(5), None, None, training=True),
     r"batch_norm expects an input of at least 2 dimensions \(N, C, \.\.\.\), got shape \(5,\)"),
    (lambda: N.batch_norm(torch.zeros(1, 3), None, None, training=True),
     r"batch_norm expects more than 1 value per channel when training, got input of shape \(1, 3\)"),
    (lambda: N.batch_norm(torch.zeros(1, 3, 1, 1), *_stats, training=True), r"more than 1 value per channel"),
    (lambda: N.BatchNorm2d(3)(torch.zeros(1, 3, 1, 1)), r"more than 1 value per channel"),
    (lambda: N.batch_norm(_x, None, None), r"expects running_mean and running_var when not training, got None"),
    (lambda: N.batch_norm(_x, _stats[0], None, training=True),
     r"running_mean and running_var both tensors or both None, got a tensor and None"),
    (lambda: N.batch_norm(_x, *_stats, training=True, momentum=None), r"momentum=None.*is for the modules"),
    (lambda: N.batch_norm(_x, *_stats, training=True, momentum=1.5),
     r"batch_norm expects momentum in \[0, 1\], got 1.5"),
    (lambda: N.batch_norm(_x, *_stats, training=True, eps=0), r"batch_norm expects eps > 0 when training, got 0"),
    (lambda: N.batch_norm(_x, *_stats, eps=-1e-5), r"batch_norm expects eps >= 0, got -1e-05"),
    (lambda: N.batch_norm(_x, *_stats, torch.ones(4)),
     r"batch_norm expects weight of shape \(3,\) for input of shape \(4, 3, 5\), got \(4,\)"),
    (lambda: N.batch_norm(_x, torch.zeros(2), torch.ones(2)), r"running_mean of shape \(3,\)"),
    (lambda: N.batch_norm(_x, *_stats, training=1), r"batch_norm expects training True or False, got 1"),
    (lambda: N.BatchNorm1d(3)(torch.zeros(2, 3, 4, 4)),
     r"BatchNorm1d expects input of shape \(N, C\) or \(N, C, L\), got shape \(2, 3, 4, 4\)"),
    (lambda: N.BatchNorm1d(3)(torch.zeros(3)), r"BatchNorm1d expects input of shape .*got shape \(3,\)"),
    (lambda: N.BatchNorm2d(3)(_x), r"BatchNorm2d expects input of shape \(N, C, H, W\), got shape \(4, 3, 5\)"),
    (lambda: N.BatchNorm1d(4)(_x), r"BatchNorm1d expects input with 4 channels \(dim 1\), got shape \(4, 3, 5\)"),
    (lambda: N.BatchNorm1d(0), r"BatchNorm1d expects num_features an integer >= 1, got 0"),
    (lambda: N.BatchNorm2d(3.0), r"num_features .*got 3.0"),
    (lambda: N.BatchNorm2d(3, momentum=2), r"BatchNorm2d expects momentum in \[0, 1\], got 2"),
    (lambda: N.BatchNorm2d(3, eps=-1.0), r"BatchNorm2d expects eps >= 0"),
    (lambda: N.BatchNorm1d(3, affine=1), r"BatchNorm1d expects affine True or False, got 1"),
    (lambda: N.BatchNorm1d(3, track_running_stats=None), r"track_running_stats True or False, got None"),
    (lambda: N.layer_norm(torch.zeros(2, 5, 4), (4, 5)),
     r"layer_norm expects input of shape \(\.\.\., 4, 5\), got shape \(2, 5, 4\)"),
    (lambda: N.layer_norm(torch.zeros(5), (1, 5)), r"input of shape \(\.\.\., 1, 5\), got shape \(5,\)"),
    (lambda: N.layer_norm(_x, 5, torch.ones(4)), r"layer_norm expects weight of shape \(5,\), got \(4,\)"),
    (lambda: N.layer_norm(_x, 5, None, torch.ones(1, 5)), r"bias of shape \(5,\), got \(1, 5\)"),
    (lambda: N.layer_norm(_x, 0), r"layer_norm expects normalized_shape an integer >= 1 or a non-empty sequence"),
    (lambda: N.layer_norm(_x, ()), r"normalized_shape .*got \(\)"),
    (lambda: N.layer_norm(_x, "5"), r"normalized_shape .*got '5'"),
    (lambda: N.layer_norm(_x, 5, eps=math.nan), r"eps >= 0, got nan"),
    (lambda: N.LayerNorm(5, elementwise_affine="yes"), r"LayerNorm expects elementwise_affine True or False"),
    (lambda: N.LayerNorm([3, -1]), r"LayerNorm expects normalized_shape .*got \[3, -1\]"),
    (lambda: N.dropout(_x, -0.1), r"dropout expects p in \[0, 1\], got -0.1"),
    (lambda: N.dropout(_x, 1.5), r"p in \[0, 1\], got 1.5"),
    (lambda: N.dropout(_x, math.nan), r"p in \[0, 1\], got nan"),
    (lambda: N.dropout(_x, True), r"p in \[0, 1\], got True"),
    (lambda: N.dropout(_x, 0.5, training="yes"), r"dropout expects training True or False, got 'yes'"),
    (lambda: N.Dropout(2), r"Dropout expects p in \[0, 1\], got 2"),
    (lambda: N.Dropout(0.5, inplace=1), r"Dropout expects inplace True or False, got 1"),
]


@pytest.mark.parametrize("call, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors_and_refused_positional_options():
    with pytest.raises(TypeError, match=r"batch_norm expects input to be a torch.Tensor, got list"):
        N.batch_norm([[1.0, 2.0]], None, None, training=True)
    with pytest.raises(TypeError, match=r"dropout\(\) takes from 1 to 3 positional arguments but 4"):
        N.dropout(_x, 0.5, True, True)  # PyTorch's 4th positional is inplace: keyword-only here
