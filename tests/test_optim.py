"""dlnotes.optim against torch.optim (foreach=False) in float64, and against the lecture's formulas."""

import io
import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from dlnotes import optim

from .conftest import generator as _gen
from .oracle import assert_same

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D = torch.float64
EXACT = dict(rtol=0, atol=1e-12)

# (name, hyperparameters): PyTorch's defaults, then other values
CASES = [
    ("SGD", {}), ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("Adagrad", {}), ("Adagrad", {"lr": 0.3, "eps": 1e-3}),
    ("RMSprop", {}), ("RMSprop", {"lr": 3e-3, "alpha": 0.7, "eps": 1e-4}),
    ("Adadelta", {}), ("Adadelta", {"lr": 0.5, "rho": 0.6, "eps": 1e-3}),
    ("Adam", {}), ("Adam", {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-4}),
]
IDS = [f"{name}-{'default' if not kw else 'custom'}" for name, kw in CASES]


def _ours(name, params, **kw):
    return getattr(optim, name)(params, **kw)


def _torch(name, params, **kw):
    return getattr(torch.optim, name)(params, foreach=False, **kw)


def _random_state(name: str, p: torch.Tensor, g: torch.Generator) -> dict:
    """A state after 5 steps: random averages (squares non-negative), the same keys as PyTorch's."""
    signed = {"SGD": ["momentum_buffer"], "Adam": ["exp_avg"]}.get(name, [])
    squares = {"Adagrad": ["sum"], "RMSprop": ["square_avg"], "Adadelta": ["square_avg", "acc_delta"],
               "Adam": ["exp_avg_sq"]}.get(name, [])
    state = {"step": 5}
    state.update({k: torch.randn(p.shape, dtype=D, generator=g) for k in signed})
    state.update({k: torch.rand(p.shape, dtype=D, generator=g) * 1e-2 for k in squares})
    return state


def _pair(name, groups_kw, fresh, seed=0):
    """Our optimizer and PyTorch's, on equal copies of three parameters (the third without a gradient)."""
    g = _gen(seed)
    shapes = [(4, 3), (5,), (2,)]
    values = [torch.randn(s, dtype=D, generator=g) for s in shapes]
    grads = [torch.randn(s, dtype=D, generator=g) for s in shapes[:2]] + [None]
    states = [_random_state(name, v, g) for v in values]
    made = []
    for make, step_type in ((_ours, int), (_torch, lambda k: torch.tensor(float(k), dtype=D))):
        params = [v.clone().requires_grad_() for v in values]
        for p, grad in zip(params, grads):
            p.grad = None if grad is None else grad.clone()
        groups = [{"params": params[:1], **groups_kw[0]}, {"params": params[1:], **groups_kw[-1]}]
        opt = make(name, groups if len(groups_kw) == 2 else params, **({} if len(groups_kw) == 2 else groups_kw[0]))
        if not fresh:
            for p, s in zip(params[:2], states):
                opt.state[p] = {k: step_type(v) if k == "step" else v.clone() for k, v in s.items()}
        made.append((opt, params))
    return made


def _assert_same_step(name, groups_kw, fresh):
    (ours, a), (theirs, b) = _pair(name, groups_kw, fresh)
    before = a[2].detach().clone()
    ours.step()
    theirs.step()
    assert_same(a, b, **EXACT)
    assert torch.equal(a[2], before) and a[2] not in ours.state  # grad None: skipped, no state
    for p, q in zip(a[:2], b[:2]):
        for key, value in ours.state[p].items():
            if key != "step":
                assert_close(value, theirs.state[q][key], **EXACT)


@pytest.mark.parametrize("fresh", [True, False], ids=["first-step", "random-state"])
@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_one_step_equals_torch(name, kw, fresh):
    _assert_same_step(name, [kw], fresh)


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_two_param_groups_with_different_lr(name, kw):
    lr = kw.get("lr", 0.01)
    _assert_same_step(name, [{**kw, "lr": lr}, {**kw, "lr": 7 * lr}], fresh=False)


def _mlp(seed: int = 0) -> list[torch.Tensor]:
    g = _gen(seed)
    shapes = [(8, 3), (8,), (1, 8), (1,)]
    return [(0.5 * torch.randn(s, dtype=D, generator=g)).requires_grad_() for s in shapes]


def _train(opt, params, steps: int) -> list[float]:
    """Full-batch MSE of a 3-8-1 tanh network on fixed random data; `step(closure)` returns each loss."""
    g = _gen(1)
    X = torch.randn(32, 3, dtype=D, generator=g)  # (N, 3)
    y = torch.sin(X.sum(dim=1, keepdim=True))  # (N, 1)
    W1, b1, W2, b2 = params

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(torch.tanh(X @ W1.T + b1) @ W2.T + b2, y)
        loss.backward()
        return loss

    return [opt.step(closure).item() for _ in range(steps)]


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_200_step_trajectory_equals_torch(name, kw):
    a, b = _mlp(), _mlp()
    losses_a = _train(_ours(name, a, **kw), a, 200)
    losses_b = _train(_torch(name, b, **kw), b, 200)
    assert_close(losses_a, losses_b, rtol=0, atol=1e-6)
    assert_same(a, b, rtol=0, atol=1e-6)
    assert losses_a[-1] < losses_a[0]  # it trains


def _lecture_step(name, theta, g, state, lr, eps, decay):
    """The lecture's formulas, written directly (eps inside the root; Adadelta's numerator from D^(k-1))."""
    if name == "Adagrad":
        G = state["sum"] + g**2
        return theta - lr / torch.sqrt(G + eps) * g
    if name == "RMSprop":
        G = decay * state["square_avg"] + (1 - decay) * g**2
        return theta - lr / torch.sqrt(G + eps) * g
    if name == "Adadelta":
        G = decay * state["square_avg"] + (1 - decay) * g**2
        return theta - lr * torch.sqrt(state["acc_delta"] + eps) / torch.sqrt(G + eps) * g
    b1, b2 = decay
    k = state["step"] + 1
    m_hat = (b1 * state["exp_avg"] + (1 - b1) * g) / (1 - b1**k)
    v_hat = (b2 * state["exp_avg_sq"] + (1 - b2) * g**2) / (1 - b2**k)
    return theta - lr * m_hat / torch.sqrt(v_hat + eps)


@pytest.mark.parametrize("name, decay_name, decay", [("Adagrad", None, None), ("RMSprop", "alpha", 0.8),
                                                      ("Adadelta", "rho", 0.8), ("Adam", "betas", (0.8, 0.9))])
def test_lecture_formula(name, decay_name, decay):
    g = _gen(2)
    theta, grad = torch.randn(6, dtype=D, generator=g), torch.randn(6, dtype=D, generator=g)
    state = _random_state(name, theta, g)
    kw = {"lr": 0.1, "eps": 1e-3, **({decay_name: decay} if decay_name else {})}
    results = {}
    for inside in (False, True):
        p = theta.clone().requires_grad_()
        p.grad = grad.clone()
        opt = _ours(name, [p], **kw, **({} if name == "Adadelta" else {"eps_inside_sqrt": inside}))
        opt.state[p] = {k: v if k == "step" else v.clone() for k, v in state.items()}
        opt.step()
        results[inside] = p.detach()
    assert_close(results[True], _lecture_step(name, theta, grad, state, 0.1, 1e-3, decay), **EXACT)
    if name != "Adadelta":  # eps inside the root is a different optimizer
        assert (results[True] - results[False]).abs().max() > 1e-6


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_state_dict_round_trip_resumes_exactly(name, kw):
    kw = {**kw, **({"eps_inside_sqrt": True} if name in ("Adagrad", "RMSprop", "Adam") else {})}
    a = _mlp()
    _train(_ours(name, a, **kw), a, 100)  # uninterrupted

    b = _mlp()
    first = _ours(name, b, **kw)
    _train(first, b, 50)
    buffer = io.BytesIO()
    torch.save({"params": [p.detach() for p in b], "optimizer": first.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer)
    c = [p.clone().requires_grad_() for p in saved["params"]]
    resumed = _ours(name, c, **kw)
    resumed.load_state_dict(saved["optimizer"])
    assert resumed.state[c[0]]["step"] == 50
    _train(resumed, c, 50)
    for p, q in zip(a, c):
        assert torch.equal(p, q)


def test_lr_scheduler_changes_the_step():
    a, b = _mlp(), _mlp()
    opt_a, opt_b = optim.SGD(a, lr=0.1), torch.optim.SGD(b, lr=0.1, foreach=False)
    sched_a = torch.optim.lr_scheduler.StepLR(opt_a, step_size=3, gamma=0.5)
    sched_b = torch.optim.lr_scheduler.StepLR(opt_b, step_size=3, gamma=0.5)
    for _ in range(10):
        _train(opt_a, a, 1), _train(opt_b, b, 1)
        sched_a.step(), sched_b.step()
    assert_same(a, b, **EXACT)


BAD = [
    ("SGD", {"lr": -0.1}, "lr >= 0"), ("SGD", {"momentum": -0.5}, "momentum >= 0"),
    ("Adagrad", {"eps": -1e-10}, "eps >= 0"), ("Adagrad", {"lr": math.nan}, "lr"),
    ("RMSprop", {"alpha": 1.5}, r"alpha in \[0, 1\]"), ("RMSprop", {"alpha": -0.1}, "alpha"),
    ("Adadelta", {"rho": 1.1}, r"rho in \[0, 1\]"), ("Adadelta", {"eps": -1.0}, "eps"),
    ("Adam", {"betas": (1.0, 0.999)}, r"betas\[0\] in \[0, 1\)"), ("Adam", {"betas": (0.9, -0.1)}, r"betas\[1\]"),
    ("Adam", {"betas": 0.9}, "betas a pair"), ("Adam", {"lr": "0.1"}, "lr"),
    ("Adam", {"eps_inside_sqrt": 1}, "eps_inside_sqrt True or False"),
]


@pytest.mark.parametrize("name, kw, message", BAD)
def test_bad_hyperparameters_raise(name, kw, message):
    with pytest.raises(ValueError, match=f"dlnotes.optim.{name} expects {message}"):
        _ours(name, _mlp(), **kw)


@pytest.mark.parametrize("name, option", [("SGD", "nesterov"), ("SGD", "weight_decay"), ("SGD", "dampening"),
                                          ("Adagrad", "lr_decay"), ("Adagrad", "initial_accumulator_value"),
                                          ("RMSprop", "centered"), ("RMSprop", "momentum"),
                                          ("Adadelta", "eps_inside_sqrt"), ("Adam", "amsgrad"),
                                          ("Adam", "weight_decay"), ("Adam", "foreach"), ("Adam", "fused")])
def test_unsupported_options_are_refused(name, option):
    with pytest.raises(TypeError, match=rf"{name}\.__init__\(\) got an unexpected keyword argument '{option}'"):
        _ours(name, _mlp(), **{option: 0.1})
    params = _mlp()
    with pytest.raises(ValueError, match=f"^dlnotes.optim.{name} does not support {option}$"):
        _ours(name, [{"params": params[:2]}, {"params": params[2:], option: 0.1}])


def test_bad_hyperparameter_in_a_param_group_raises():
    params = _mlp()
    with pytest.raises(ValueError, match="dlnotes.optim.RMSprop expects lr >= 0, got -1"):
        optim.RMSprop([{"params": params[:2]}, {"params": params[2:], "lr": -1}])


def test_positional_arguments_cannot_mean_something_else():
    # torch.optim.Adagrad(params, 0.1, 0.01) sets lr_decay; ours refuses rather than set eps
    with pytest.raises(TypeError, match="positional argument"):
        optim.Adagrad(_mlp(), 0.1, 0.01)
    with pytest.raises(TypeError, match="positional argument"):  # Adam's 5th is PyTorch's weight_decay
        optim.Adam(_mlp(), 1e-3, (0.9, 0.999), 1e-8, 0.01)


def test_complex_parameters_are_refused():
    p = torch.zeros(3, dtype=torch.complex128, requires_grad=True)
    p.grad = torch.ones_like(p)
    with pytest.raises(ValueError, match="dlnotes.optim.Adam does not support sparse gradients or complex"):
        optim.Adam([p]).step()
