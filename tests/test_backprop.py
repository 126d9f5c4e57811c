"""dlnotes.backprop: hand-written backward passes against autograd and torch.nn (float64)."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.testing import assert_close

from dlnotes import get_device
from dlnotes import backprop as bp

from .conftest import generator as _gen
from .oracle import assert_same, grads, leaf_copies, random_upstream

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D = torch.float64
ACTIVATIONS = {bp.Sigmoid: nn.Sigmoid, bp.Tanh: nn.Tanh, bp.ReLU: nn.ReLU, bp.Softplus: nn.Softplus}
FUNCTIONS = {bp.Sigmoid: torch.sigmoid, bp.Tanh: torch.tanh, bp.ReLU: torch.relu, bp.Softplus: F.softplus}


def _random_net(depth: int, activation: type, g: torch.Generator, **kw) -> bp.Sequential:
    """`depth` Linear layers of random widths in [1, 6), with `activation` between them."""
    widths = torch.randint(1, 6, (depth + 1,), generator=g).tolist()
    layers = []
    for i in range(depth):
        layers += [bp.Linear(widths[i], widths[i + 1], **kw)] + ([activation()] if i < depth - 1 else [])
    return bp.Sequential(*layers)


def _torch_copy(layer: bp.Layer) -> nn.Module:
    """The same network in torch.nn: weight = W.T, bias = b."""
    if isinstance(layer, bp.Sequential):
        return nn.Sequential(*map(_torch_copy, layer.layers))
    if isinstance(layer, bp.Linear):
        linear = nn.Linear(layer.in_features, layer.out_features, dtype=layer.W.dtype, device=layer.W.device)
        with torch.no_grad():
            linear.weight.copy_(layer.W.T)
            linear.bias.copy_(layer.b)
        return linear
    return ACTIVATIONS[type(layer)]()


def _assert_grads_match_autograd(model: bp.Sequential, X: torch.Tensor, y: torch.Tensor,
                                 make_loss=bp.MSELoss, ref_loss=F.mse_loss) -> None:
    """dA of the input and every dW, db of `model` equal autograd's on its torch.nn copy; loss: MSE unless given."""
    ref, (X_ref,) = _torch_copy(model), leaf_copies(X)
    expected_loss = ref_loss(ref(X_ref), y)
    dX, *param_grads = grads(expected_loss, [X_ref, *ref.parameters()])
    expected = [g.T if g.ndim == 2 else g for g in param_grads]  # weight.grad.T is dW

    loss_fn = make_loss()
    loss = loss_fn(model(X), y)
    dA = model.backward(loss_fn.backward())
    assert [g.shape for g in model.grads()] == [p.shape for p in model.parameters()]  # rule 0
    assert_same([loss, dA, *model.grads()], [expected_loss.detach(), dX, *expected])


@pytest.mark.parametrize("N", [1, 8])
@pytest.mark.parametrize("activation", list(ACTIVATIONS), ids=lambda a: a.__name__)
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_gradients_of_random_networks_match_autograd(depth, activation, N):
    g = _gen(100 * depth + N)
    torch.manual_seed(depth)
    model = _random_net(depth, activation, g, dtype=D)
    X = torch.randn(N, model[0].in_features, dtype=D, generator=g)  # (N, in)
    y = torch.randn(N, model[-1].out_features, dtype=D, generator=g)  # (N, out)
    _assert_grads_match_autograd(model, X, y)


def test_gradients_of_a_nested_mixed_network_ending_in_an_activation_match_autograd():
    torch.manual_seed(0)
    model = bp.Sequential(bp.Sequential(bp.Linear(4, 6, dtype=D), bp.Tanh()), bp.Linear(6, 5, dtype=D), bp.Softplus(),
                          bp.Linear(5, 3, dtype=D), bp.ReLU(), bp.Linear(3, 2, dtype=D), bp.Sigmoid())
    g = _gen(1)
    X, y = 3 * torch.randn(7, 4, dtype=D, generator=g), torch.rand(7, 2, dtype=D, generator=g)
    _assert_grads_match_autograd(model, X, y)
    assert len(model.parameters()) == len(model.grads()) == 8


def test_networks_run_on_the_default_device_in_float32():
    device = get_device()
    torch.manual_seed(0)
    model = _random_net(3, bp.Tanh, _gen(2), device=device)
    X = torch.randn(5, model[0].in_features, device=device)
    out = model(X)
    assert out.device.type == device.type and out.dtype == torch.float32
    _assert_grads_match_autograd(model, X, torch.zeros_like(out))


def test_no_autograd_inside():
    torch.manual_seed(0)
    model = bp.Sequential(bp.Linear(3, 4, dtype=D), bp.ReLU(), bp.Linear(4, 1, dtype=D))
    model[0].W.requires_grad_()
    X = torch.randn(5, 3, dtype=D, requires_grad=True)
    out = model(X)
    dA = model.backward(torch.ones_like(out))
    assert not any(t.requires_grad for t in [out, dA, *model.grads()])


# ---- Linear ----

def test_linear_matches_nn_linear_with_w_equal_to_weight_transposed():
    ref = nn.Linear(5, 3, dtype=D)
    linear = bp.Linear(5, 3, dtype=D)
    linear.W, linear.b = ref.weight.detach().T, ref.bias.detach()  # the lecture's (in, out) layout
    A = torch.randn(4, 5, dtype=D, generator=_gen(3))
    assert_close(linear(A), ref(A).detach())


@pytest.mark.parametrize("dtype", [None, torch.float32, D])
def test_linear_initialises_like_nn_linear(dtype):
    torch.manual_seed(7)
    linear = bp.Linear(9, 4, dtype=dtype)
    torch.manual_seed(7)
    ref = nn.Linear(9, 4, dtype=dtype)
    assert linear.W.shape == (9, 4) and linear.b.shape == (4,)
    assert linear.W.dtype == linear.b.dtype == (dtype or torch.get_default_dtype())
    assert not linear.W.requires_grad and linear.W.is_contiguous()
    assert_close(linear.W, ref.weight.detach().T, rtol=0, atol=0)  # the same numbers from the same seed
    assert_close(linear.b, ref.bias.detach(), rtol=0, atol=0)
    assert linear.W.abs().max() <= 1 / 3 and linear.b.abs().max() <= 1 / 3  # U(-1/sqrt(9), 1/sqrt(9))


def test_linear_backward_follows_the_practice_rules():
    linear = bp.Linear(3, 2, dtype=D)
    A = torch.randn(6, 3, dtype=D, generator=_gen(4))  # (N, in)
    dZ = torch.randn(6, 2, dtype=D, generator=_gen(5))  # (N, out)
    linear(A)
    dA = linear.backward(dZ)
    assert_close(linear.dW, sum(torch.outer(A[i], dZ[i]) for i in range(6)))  # sum of per-example dz a^T, transposed
    assert_close(linear.db, dZ.T @ torch.ones(6, dtype=D))
    assert_close(dA, torch.stack([linear.W @ dZ[i] for i in range(6)]))  # row i: the theory's W^T dz, W = W_theory^T
    assert linear.grads() == [linear.dW, linear.db] and linear.parameters() == [linear.W, linear.b]


# ---- activations ----

GRID = torch.cat([torch.linspace(-30, 30, 121), torch.tensor([0.0, -0.0, 1e-12, -1e-12, 1e3, -1e3])])


@pytest.mark.parametrize("dtype", [torch.float32, D])
@pytest.mark.parametrize("activation", list(ACTIVATIONS), ids=lambda a: a.__name__)
def test_activations_and_derivatives_match_autograd_and_stay_finite(activation, dtype):
    Z = GRID.to(dtype).reshape(-1, 1)  # (N, 1)
    dA = random_upstream(Z, seed=6)  # (N, 1)
    (Z_ref,) = leaf_copies(Z)
    A_ref = FUNCTIONS[activation](Z_ref)
    layer = activation()
    A, dZ = layer(Z), layer.backward(dA)
    assert torch.isfinite(A).all() and torch.isfinite(dZ).all()
    assert_same([A, dZ], [A_ref.detach(), *grads(A_ref, [Z_ref], dA)])
    assert layer.parameters() == layer.grads() == []


def test_relu_derivative_at_zero_is_zero_as_in_autograd():
    Z = torch.zeros(1, 3, dtype=D, requires_grad=True)
    torch.relu(Z).sum().backward()
    relu = bp.ReLU()
    relu(Z.detach())
    assert_close(relu.backward(torch.ones(1, 3, dtype=D)), Z.grad)
    assert (Z.grad == 0).all()


# ---- MSELoss ----

@pytest.mark.parametrize("shape", [(5, 1), (4, 3), (6,)])
def test_mse_loss_matches_nn_mse_loss(shape):
    g = _gen(8)
    y_hat, y = torch.randn(shape, dtype=D, generator=g), torch.randn(shape, dtype=D, generator=g)
    (y_hat_ref,) = leaf_copies(y_hat)
    expected = nn.MSELoss()(y_hat_ref, y)
    loss_fn = bp.MSELoss()
    loss = loss_fn(y_hat, y)
    assert_same([loss, loss_fn.backward()], [expected.detach(), *grads(expected, [y_hat_ref])])


# ---- CrossEntropyLoss ----

@pytest.mark.parametrize("N, K", [(1, 1), (1, 5), (7, 2), (16, 10), (64, 3)])
def test_cross_entropy_loss_matches_nn_cross_entropy_loss_also_for_large_logits(N, K):
    g = _gen(10 * N + K)
    logits = 3 * torch.randn(N, K, dtype=D, generator=g)  # (N, K)
    logits = torch.where(torch.rand(N, K, generator=g) < 0.3, 50 * logits.sign(), logits)  # some +-50
    targets = torch.randint(0, K, (N,), generator=g)  # (N,) int64
    (logits_ref,) = leaf_copies(logits)
    expected = nn.CrossEntropyLoss()(logits_ref, targets)
    ce = bp.CrossEntropyLoss()
    assert_same([ce(logits, targets), ce.backward()], [expected.detach(), *grads(expected, [logits_ref])])
    assert_close(ce.backward().sum(1), torch.zeros(N, dtype=D))  # each row of softmax - onehot sums to 0


def test_cross_entropy_loss_is_finite_for_extreme_logits_and_backward_is_softmax_minus_onehot():
    logits = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 0.0]], dtype=D)
    logits.requires_grad_()
    targets = torch.tensor([0, 2, 1])
    ce = bp.CrossEntropyLoss()
    loss, dZ = ce(logits, targets), ce.backward()
    assert not loss.requires_grad and not dZ.requires_grad  # no autograd inside
    assert_close(loss, torch.tensor((0 + 1000 + math.log(3)) / 3, dtype=D))  # per row: 0, 1000, log 3
    assert_close(loss, F.cross_entropy(logits, targets).detach())
    expected_dZ = torch.tensor([[0.0, 0.0, 0.0], [0.0, 1.0, -1.0], [1 / 3, -2 / 3, 1 / 3]], dtype=D) / 3
    assert_close(dZ, expected_dZ)
    assert_close(dZ, (torch.softmax(logits, 1) - F.one_hot(targets, 3)).detach() / 3)


def test_gradient_descent_on_cross_entropy_gets_autograds_gradients_at_every_step():
    g = _gen(9)
    X = torch.randn(120, 2, dtype=D, generator=g)  # (N, 2)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()  # (N,): three classes, by quadrant
    torch.manual_seed(0)
    model = bp.Sequential(bp.Linear(2, 16, dtype=D), bp.Tanh(), bp.Linear(16, 8, dtype=D), bp.Softplus(),
                          bp.Linear(8, 3, dtype=D))
    first = bp.CrossEntropyLoss()(model(X), y).item()
    for _ in range(50):
        _assert_grads_match_autograd(model, X, y, bp.CrossEntropyLoss, F.cross_entropy)  # leaves dW, db set
        for W, dW in zip(model.parameters(), model.grads()):
            W -= 0.5 * dW
    assert bp.CrossEntropyLoss()(model(X), y).item() < 0.5 * first  # from 1.17 to 0.50


# ---- training ----

def test_gradient_descent_fits_simulated_regression_like_autograd():
    torch.manual_seed(0)
    X = torch.randn(256, 2, dtype=D)  # (N, 2)
    y = torch.sin(2 * X[:, :1]) + 0.5 * X[:, 1:] ** 2 + 0.1 * torch.randn(256, 1, dtype=D)  # (N, 1)
    model = bp.Sequential(bp.Linear(2, 32, dtype=D), bp.Tanh(), bp.Linear(32, 1, dtype=D))
    ref = _torch_copy(model)
    loss_fn, losses = bp.MSELoss(), []
    for _ in range(200):
        losses.append(loss_fn(model(X), y).item())
        model.backward(loss_fn.backward())
        for W, dW in zip(model.parameters(), model.grads()):
            W -= 0.1 * dW
        ref.zero_grad()  # the same step by autograd on the torch.nn copy
        F.mse_loss(ref(X), y).backward()
        with torch.no_grad():
            for p in ref.parameters():
                p -= 0.1 * p.grad
    assert losses[-1] < 0.15 < 0.2 * losses[0]  # from 1.50 to 0.099; the noise variance is 0.01
    assert_same(model.parameters(), [p.detach().T if p.ndim == 2 else p.detach() for p in ref.parameters()])


# ---- Sequential ----

def test_sequential_indexing_length_and_repr():
    model = bp.Sequential(bp.Linear(3, 4), bp.ReLU(), bp.Linear(4, 1))
    assert len(model) == 3 and isinstance(model[1], bp.ReLU) and model[-1] is model.layers[-1]
    assert isinstance(model[:2], bp.Sequential) and len(model[:2]) == 2
    assert repr(model) == "Sequential(\n  (0): Linear(3, 4)\n  (1): ReLU()\n  (2): Linear(4, 1)\n)"
    assert len(model.parameters()) == 4


# ---- bad input ----

def _z(*shape):
    return torch.zeros(shape, dtype=D)


def _long(*values):
    return torch.tensor(values, dtype=torch.long)


def _linear(**attrs) -> bp.Linear:
    linear = bp.Linear(3, 4, dtype=D)
    for name, value in attrs.items():
        setattr(linear, name, value)
    return linear


def _ran(layer, *inputs):
    layer(*inputs)
    return layer


LINEAR_A = r"Linear\(3, 4\)\.forward expects A of shape \(N, 3\), got "
BAD = {  # id: (call, exception, message pattern)
    "A-features": (lambda: _linear()(_z(5, 2)), ValueError, LINEAR_A + r"\(5, 2\)"),
    "A-1d": (lambda: _linear()(_z(3)), ValueError, LINEAR_A + r"\(3,\)"),
    "A-3d": (lambda: _linear()(_z(2, 5, 3)), ValueError, LINEAR_A + r"\(2, 5, 3\)"),
    "A-list": (lambda: _linear()([[0.0] * 3]), TypeError, r"Linear\(3, 4\)\.forward expects A to be a torch\.Tensor, got list"),
    "A-dtype": (lambda: _linear()(torch.zeros(5, 3)), ValueError,
                r"expects A of dtype torch\.float64 \(like W\), got torch\.float32"),
    "W-assigned": (lambda: _linear(W=_z(4, 3))(_z(5, 3)), ValueError,
                   r"Linear\(3, 4\)\.forward expects W of shape \(3, 4\), got \(4, 3\)"),
    "b-assigned": (lambda: _linear(b=_z(1, 4))(_z(5, 3)), ValueError, r"expects b of shape \(4,\), got \(1, 4\)"),
    "dZ-shape": (lambda: _ran(_linear(), _z(5, 3)).backward(_z(5, 3)), ValueError,
                 r"Linear\(3, 4\)\.backward expects dZ of shape \(5, 4\), like the last Z, got \(5, 3\)"),
    "dZ-batch": (lambda: _ran(_linear(), _z(5, 3)).backward(_z(4, 4)), ValueError, r"dZ of shape \(5, 4\)"),
    "linear-backward-first": (lambda: _linear().backward(_z(5, 4)), RuntimeError,
                              r"Linear\(3, 4\)\.backward called before forward"),
    "linear-grads-first": (lambda: _ran(_linear(), _z(5, 3)).grads(), RuntimeError,
                           r"Linear\(3, 4\)\.grads called before backward"),
    "in-features-0": (lambda: bp.Linear(0, 4), ValueError, "Linear expects in_features to be a positive integer, got 0"),
    "out-features-float": (lambda: bp.Linear(3, 4.0), ValueError, "out_features to be a positive integer, got 4.0"),
    "in-features-bool": (lambda: bp.Linear(True, 4), ValueError, "in_features to be a positive integer, got True"),
    "dA-shape": (lambda: _ran(bp.Tanh(), _z(2, 3)).backward(_z(3, 2)), ValueError,
                 r"Tanh\(\)\.backward expects dA of shape \(2, 3\), like the last A, got \(3, 2\)"),
    "activation-backward-first": (lambda: bp.Sigmoid().backward(_z(2, 3)), RuntimeError,
                                  r"Sigmoid\(\)\.backward called before forward"),
    "activation-list": (lambda: bp.ReLU()([1.0]), TypeError, r"ReLU\(\)\.forward expects Z to be a torch\.Tensor"),
    "mse-shape": (lambda: bp.MSELoss()(_z(5, 1), _z(5)), ValueError,
                  r"MSELoss\.forward expects y of shape \(5, 1\), like y_hat, got \(5,\)"),
    "mse-backward-first": (lambda: bp.MSELoss().backward(), RuntimeError, "MSELoss.backward called before forward"),
    "ce-logits-list": (lambda: bp.CrossEntropyLoss()([[0.0]], _long(0)), TypeError,
                       r"CrossEntropyLoss\.forward expects logits to be a torch\.Tensor, got list"),
    "ce-logits-1d": (lambda: bp.CrossEntropyLoss()(_z(3), _long(0)), ValueError,
                     r"CrossEntropyLoss\.forward expects logits of shape \(N, K\) with N, K >= 1, got shape \(3,\)"),
    "ce-logits-empty": (lambda: bp.CrossEntropyLoss()(_z(0, 3), _long()), ValueError, r"got shape \(0, 3\)"),
    "ce-logits-int": (lambda: bp.CrossEntropyLoss()(_long(0, 1)[None], _long(0)), ValueError,
                      r"CrossEntropyLoss\.forward expects floating-point logits, got dtype torch\.int64"),
    "ce-targets-list": (lambda: bp.CrossEntropyLoss()(_z(2, 3), [0, 1]), TypeError,
                        r"expects targets to be a torch\.Tensor, got list"),
    "ce-targets-shape": (lambda: bp.CrossEntropyLoss()(_z(2, 3), _long(0, 1)[:, None]), ValueError,
                         r"expects targets of shape \(2,\), one class index per row of logits, got \(2, 1\)"),
    "ce-targets-float": (lambda: bp.CrossEntropyLoss()(_z(2, 3), _z(2)), ValueError,
                         r"expects class indices of dtype torch\.int64 as targets, got torch\.float64"),
    "ce-targets-int32": (lambda: bp.CrossEntropyLoss()(_z(2, 3), _long(0, 1).int()), ValueError, r"got torch\.int32"),
    "ce-targets-too-large": (lambda: bp.CrossEntropyLoss()(_z(2, 3), _long(0, 3)), ValueError,
                             r"CrossEntropyLoss\.forward expects class indices in \[0, 3\), got values in \[0, 3\]"),
    "ce-targets-negative": (lambda: bp.CrossEntropyLoss()(_z(2, 3), _long(-1, 2)), ValueError,
                            r"class indices in \[0, 3\), got values in \[-1, 2\]"),
    "ce-backward-first": (lambda: bp.CrossEntropyLoss().backward(), RuntimeError,
                          "CrossEntropyLoss.backward called before forward"),
    "sequential-ce": (lambda: bp.Sequential(bp.CrossEntropyLoss()), TypeError,
                      r"got dlnotes\.backprop\.CrossEntropyLoss at position 0"),
    "sequential-loss": (lambda: bp.Sequential(bp.Linear(3, 4), bp.MSELoss()), TypeError,
                        r"Sequential expects Layer instances, got dlnotes\.backprop\.MSELoss at position 1"),
    "sequential-nn": (lambda: bp.Sequential(nn.Linear(3, 4)), TypeError,
                      r"got torch\.nn\.modules\.linear\.Linear at position 0"),
    "sequential-backward-first": (lambda: bp.Sequential(bp.Linear(3, 4), bp.ReLU()).backward(_z(5, 4)), RuntimeError,
                                  r"ReLU\(\)\.backward called before forward"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_raises_a_clear_error(case):
    call, exception, match = BAD[case]
    with pytest.raises(exception, match=match):
        call()
