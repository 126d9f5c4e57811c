"""dlnotes.init against torch.nn.init: the same gains, and the same numbers from the same generator state."""

import math

import pytest
import torch

from dlnotes import init

from .conftest import generator as _gen

pytestmark = pytest.mark.usefixtures("one_torch_thread")

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
SHAPES = [(7, 5), (5, 7), (1, 1), (6, 4, 3), (16, 3, 5, 5), (4, 8, 3, 2), (2, 3, 2, 2, 2)]
IDS = ["x".join(map(str, s)) for s in SHAPES]


def _same_fill(ours, theirs, shape, dtype, seed, **kwargs):
    """Fill two equal-shaped tensors from two generators with one seed; they must be equal to the bit."""
    a, b = torch.empty(shape, dtype=dtype), torch.empty(shape, dtype=dtype)
    assert ours(a, generator=_gen(seed), **kwargs) is a
    theirs(b, generator=_gen(seed), **kwargs)
    assert torch.equal(a, b), (shape, dtype, kwargs)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_equals_torch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == torch.nn.init.calculate_gain(nonlinearity)
    for param in (0, 1, 0.2, -0.5, 3):
        assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_calculate_gain_values():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))  # default slope 0.01
    assert init.calculate_gain("leaky_relu", 0) == math.sqrt(2)  # slope 0: the ReLU


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_fan_in_and_fan_out_equals_torch(shape):
    w = torch.empty(shape)
    assert init.fan_in_and_fan_out(w) == torch.nn.init._calculate_fan_in_and_fan_out(w)


def test_fan_in_and_fan_out_of_a_conv_weight():
    assert init.fan_in_and_fan_out(torch.empty(16, 3, 5, 5)) == (3 * 25, 16 * 25)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_xavier_equals_torch(shape, dtype):
    for seed, gain in enumerate([1.0, 0.5, init.calculate_gain("tanh"), 2]):
        _same_fill(init.xavier_uniform_, torch.nn.init.xavier_uniform_, shape, dtype, seed, gain=gain)
        _same_fill(init.xavier_normal_, torch.nn.init.xavier_normal_, shape, dtype, seed, gain=gain)


KAIMING = [dict(), dict(a=0.2), dict(a=math.sqrt(5)), dict(mode="fan_out"), dict(nonlinearity="relu"),
           dict(mode="fan_out", nonlinearity="relu"), dict(nonlinearity="tanh"), dict(nonlinearity="linear"),
           dict(a=-0.3, mode="fan_out"), dict(nonlinearity="selu"), dict(mode="FAN_IN")]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_kaiming_equals_torch(shape, dtype):
    for seed, kwargs in enumerate(KAIMING):
        _same_fill(init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, shape, dtype, seed, **kwargs)
        _same_fill(init.kaiming_normal_, torch.nn.init.kaiming_normal_, shape, dtype, seed, **kwargs)


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
def test_global_generator_and_parameters(name):
    """Without a generator both draw from the global one; a Parameter is filled in place, outside autograd."""
    a, b = torch.nn.Parameter(torch.empty(8, 4, 3)), torch.nn.Parameter(torch.empty(8, 4, 3))
    state = torch.get_rng_state()
    try:
        torch.manual_seed(123)
        out = getattr(init, name)(a)
        torch.manual_seed(123)
        getattr(torch.nn.init, name)(b)
    finally:
        torch.set_rng_state(state)
    assert out is a and a.requires_grad and a.grad_fn is None and torch.equal(a, b)


def test_kaiming_normal_std_is_sqrt_2_over_fan_in():
    """The slides' erratum: the standard deviation is sqrt(2 / n_in), not 2 / sqrt(n_in)."""
    w = init.kaiming_normal_(torch.empty(1000, 64, 3, 3, dtype=torch.float64), nonlinearity="relu",
                             generator=_gen(0))
    fan_in = 64 * 9
    assert w.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.01)
    assert abs(w.mean().item()) < 0.01 * math.sqrt(2 / fan_in)


def test_xavier_uniform_bound_and_variance():
    w = init.xavier_uniform_(torch.empty(600, 400, dtype=torch.float64), generator=_gen(1))
    a = math.sqrt(6 / (600 + 400))
    assert w.abs().max().item() <= a
    assert w.var().item() == pytest.approx(2 / (600 + 400), rel=0.01)


def test_zero_element_tensor_is_a_no_op():
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_normal_(torch.empty(0, 3)).shape == (0, 3)


_w = torch.zeros(4, 3)
BAD = [
    (lambda: init.fan_in_and_fan_out(torch.empty(5)), ValueError,
     r"fan_in_and_fan_out expects a tensor of at least 2 dimensions .*got shape \(5,\)"),
    (lambda: init.xavier_uniform_(torch.tensor(1.0)), ValueError,
     r"xavier_uniform_ expects a tensor of at least 2 .*got shape \(\)"),
    (lambda: init.kaiming_normal_(torch.empty(3)), ValueError, r"kaiming_normal_ expects .*got shape \(3,\)"),
    (lambda: init.kaiming_uniform_(_w, mode="fan_avg"), ValueError,
     r"kaiming_uniform_ expects mode in \('fan_in', 'fan_out'\), got 'fan_avg'"),
    (lambda: init.kaiming_normal_(_w, mode=None), ValueError, r"mode in .*got None"),
    (lambda: init.kaiming_normal_(_w, nonlinearity="gelu"), ValueError,
     r"calculate_gain expects nonlinearity in .*got 'gelu'"),
    (lambda: init.kaiming_normal_(_w, a="0.1"), ValueError,
     r"param \(the negative slope of leaky_relu\) .*got '0.1'"),
    (lambda: init.kaiming_uniform_(_w, a=True), ValueError, r"negative slope .*got True"),
    (lambda: init.calculate_gain("leaky_relu", math.nan), ValueError, r"finite number, got nan"),
    (lambda: init.calculate_gain("softmax"), ValueError, r"nonlinearity in .*got 'softmax'"),
    (lambda: init.xavier_uniform_(_w, gain=-1.0), ValueError,
     r"xavier_uniform_ expects gain a finite number >= 0, got -1.0"),
    (lambda: init.xavier_normal_(_w, gain=True), ValueError, r"gain .*got True"),
    (lambda: init.xavier_normal_(_w, gain="1"), ValueError, r"gain .*got '1'"),
    (lambda: init.xavier_normal_(_w, gain=math.inf), ValueError, r"gain .*got inf"),
    (lambda: init.fan_in_and_fan_out([[1.0, 2.0]]), TypeError,
     r"fan_in_and_fan_out expects tensor to be a torch.Tensor, got list"),
]


@pytest.mark.parametrize("call, error, message", BAD, ids=[m[:40] for *_, m in BAD])
def test_bad_input_raises_naming_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_torch_nn_init_is_not_called(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("torch.nn.init was called")

    for name in torch.nn.init.__all__:
        monkeypatch.setattr(torch.nn.init, name, refuse)
    monkeypatch.setattr(torch.nn.init, "_calculate_fan_in_and_fan_out", refuse)
    w = torch.empty(4, 3, 2)
    for name in ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]:
        getattr(init, name)(w)
    assert init.calculate_gain("tanh") == 5 / 3 and init.fan_in_and_fan_out(w) == (6, 8)
