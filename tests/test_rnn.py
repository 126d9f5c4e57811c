"""dlnotes.rnn against torch.nn in float64: values and gradients of cells and sequences, state dicts, clipping."""

import math

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from dlnotes import rnn as R

from .conftest import generator as _gen
from .oracle import assert_same, grads, leaf_copies, parameter_names, random_upstream, same_initialisation

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D = torch.float64
T, B, I, H = 5, 3, 4, 6  # sequence length, batch, input and hidden features


def _randn(*shape, seed=0, scale=1.0, dtype=D):
    return scale * torch.randn(shape, dtype=dtype, generator=_gen(seed))


def _pair(ours_cls, theirs_cls, *args, **kwargs):
    """Our module, with fresh random parameters (scaled up, so that the gates saturate a little), and PyTorch's with a
    copy of them loaded."""
    ours = ours_cls(*args, dtype=D, **kwargs)
    with torch.no_grad():
        for k, p in enumerate(ours.parameters()):
            p.copy_(_randn(*p.shape, seed=100 + k, scale=0.7))
    theirs = theirs_cls(*args, dtype=D, **kwargs)
    theirs.load_state_dict(ours.state_dict())  # ours into torch, strict
    return ours, theirs


def _parts(out) -> list[torch.Tensor]:
    """The tensors of `h`, `(h, c)`, `(output, h_n)` or `(output, (h_n, c_n))`, in order."""
    return [out] if isinstance(out, torch.Tensor) else [t for o in out for t in _parts(o)]


def _flat(out) -> torch.Tensor:
    """All outputs as one vector, so that one random upstream covers every output."""
    return torch.cat([t.reshape(-1) for t in _parts(out)])


def _assert_modules_agree(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, hx=None, seed: int = 0) -> None:
    """Same outputs; same gradients w.r.t. the input, every initial state and every parameter (random upstream)."""
    states = [] if hx is None else [hx] if isinstance(hx, torch.Tensor) else list(hx)
    a, *a_hx = leaf_copies(x, *states)
    b, *b_hx = leaf_copies(x, *states)
    pack = (lambda s: None) if hx is None else (lambda s: s[0]) if isinstance(hx, torch.Tensor) else tuple
    out, expected = ours(a, pack(a_hx)), theirs(b, pack(b_hx))
    assert type(out) is type(expected) and len(out) == len(expected)
    assert_same(_flat(out), _flat(expected))
    assert [o.shape for o in _parts(out)] == [o.shape for o in _parts(expected)]
    upstream = random_upstream(_flat(expected), seed)
    assert_same(grads(_flat(out), [a, *a_hx, *ours.parameters()], upstream),
                grads(_flat(expected), [b, *b_hx, *theirs.parameters()], upstream))


# ---- cells ----

CELLS = {"rnn-tanh": (R.RNNCell, nn.RNNCell, {}), "rnn-relu": (R.RNNCell, nn.RNNCell, {"nonlinearity": "relu"}),
         "lstm": (R.LSTMCell, nn.LSTMCell, {}), "gru": (R.GRUCell, nn.GRUCell, {})}


def _cell_hx(kind: str, shape: tuple[int, ...], seed: int):
    h = _randn(*shape, seed=seed)
    return (h, _randn(*shape, seed=seed + 1)) if kind == "lstm" else h


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("given_hx", [False, True], ids=["zero-hx", "given-hx"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("kind", CELLS)
def test_cell_matches_torch(kind, batched, given_hx, bias):
    ours_cls, theirs_cls, kwargs = CELLS[kind]
    ours, theirs = _pair(ours_cls, theirs_cls, I, H, bias=bias, **kwargs)
    assert parameter_names(ours) == parameter_names(theirs) and repr(ours) == repr(theirs)
    lead = (B,) if batched else ()
    hx = _cell_hx(kind, (*lead, H), seed=2) if given_hx else None
    _assert_modules_agree(ours, theirs, _randn(*lead, I, seed=1, scale=2.0), hx, seed=3)


class _Unrolled(nn.Module):
    """A cell fed its own state over the time steps of x (T, B, I); returns the last state."""

    def __init__(self, cell: nn.Module) -> None:
        super().__init__()
        self.cell = cell

    def forward(self, x, hx):
        for x_t in x:
            hx = self.cell(x_t, hx)
        return hx


@pytest.mark.parametrize("kind", CELLS)
def test_cell_runs_a_sequence_like_torch(kind):
    """Ten steps fed back into the cell: the gradient through time agrees too."""
    ours_cls, theirs_cls, kwargs = CELLS[kind]
    ours, theirs = _pair(ours_cls, theirs_cls, I, H, **kwargs)
    _assert_modules_agree(_Unrolled(ours), _Unrolled(theirs), _randn(10, B, I, seed=4), _cell_hx(kind, (B, H), 5), 6)


# ---- sequences ----

SEQUENCES = {"rnn-tanh": (R.RNN, nn.RNN, {}), "rnn-relu": (R.RNN, nn.RNN, {"nonlinearity": "relu"}),
             "lstm": (R.LSTM, nn.LSTM, {}), "gru": (R.GRU, nn.GRU, {})}
CONFIGS = [{}, {"num_layers": 2}, {"bidirectional": True}, {"batch_first": True}, {"bias": False},
           {"num_layers": 2, "bidirectional": True, "batch_first": True},
           {"num_layers": 2, "bidirectional": True, "bias": False}, {"num_layers": 3, "batch_first": True}]


def _seq_hx(kind: str, module: nn.Module, batched: bool, seed: int):
    shape = ((2 if module.bidirectional else 1) * module.num_layers, *((B,) if batched else ()), H)
    return _cell_hx(kind, shape, seed)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
@pytest.mark.parametrize("kind", SEQUENCES)
def test_sequence_matches_torch(kind, config):
    """Batched and unbatched input, zero or given initial states: outputs and every gradient."""
    ours_cls, theirs_cls, kwargs = SEQUENCES[kind]
    ours, theirs = _pair(ours_cls, theirs_cls, I, H, **kwargs, **config)
    assert parameter_names(ours) == parameter_names(theirs) and repr(ours) == repr(theirs)
    x = _randn(*((B, T) if ours.batch_first else (T, B)), I, seed=10, scale=2.0)
    for k, (batched, given_hx) in enumerate([(True, False), (True, True), (False, False), (False, True)]):
        inp = x if batched else x[0] if ours.batch_first else x[:, 0]  # unbatched: (T, I), batch_first or not
        hx = _seq_hx(kind, ours, batched, seed=11 + 2 * k) if given_hx else None
        _assert_modules_agree(ours, theirs, inp, hx, seed=k)


def test_lstm_float32_and_eval_mode():
    ours, theirs = R.LSTM(I, H, num_layers=2), nn.LSTM(I, H, num_layers=2)
    theirs.load_state_dict(ours.state_dict())
    x = _randn(T, B, I, seed=20, dtype=torch.float32)
    for mode in ("train", "eval"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        out, (h, c) = ours(x)
        expected, (h_t, c_t) = theirs(x)
        assert_same([out, h, c], [expected, h_t, c_t])


def test_one_matmul_for_all_time_steps(monkeypatch):
    """The input projection of a layer is one product over T·B rows, not one per step."""
    calls = []
    addmm = torch.addmm
    monkeypatch.setattr(torch, "addmm", lambda *a, **k: calls.append(a[1].shape) or addmm(*a, **k))
    R.LSTM(I, H)(_randn(T, B, I, seed=21, dtype=torch.float32))
    assert calls[0] == (T * B, I) and calls[1:] == [(B, H)] * T


# ---- parameters and state dicts ----

MAKE = [lambda m: m.RNN(I, H, 2, "relu", bidirectional=True), lambda m: m.LSTM(I, H, 2, bias=False),
        lambda m: m.GRU(I, H, bidirectional=True, batch_first=True), lambda m: m.RNNCell(I, H, False, "relu"),
        lambda m: m.LSTMCell(I, H), lambda m: m.GRUCell(I, H, bias=False)]
MAKE_IDS = ["rnn", "lstm", "gru", "rnn-cell", "lstm-cell", "gru-cell"]


@pytest.mark.parametrize("make", MAKE, ids=MAKE_IDS)
def test_same_parameters_and_initialisation_as_torch(make):
    ours, theirs = same_initialisation(make, R, nn)  # U(-1/√H, 1/√H) in the same order
    assert max(p.abs().max().item() for p in ours.parameters()) <= 1 / math.sqrt(H)
    assert repr(ours) == repr(theirs)
    assert not isinstance(ours, (nn.RNNBase, nn.RNNCellBase))
    ours.reset_parameters()
    assert max(p.abs().max().item() for p in ours.parameters()) <= 1 / math.sqrt(H)


@pytest.mark.parametrize("direction", ["torch-to-ours", "ours-to-torch"])
@pytest.mark.parametrize("make", MAKE, ids=MAKE_IDS)
def test_state_dict_round_trip(make, direction):
    source, target = (make(nn), make(R)) if direction == "torch-to-ours" else (make(R), make(nn))
    state = source.state_dict()
    assert list(state) == list(target.state_dict())
    target.load_state_dict(state)  # strict
    cell = isinstance(source, (nn.RNNCellBase, R.RNNCell, R.LSTMCell, R.GRUCell))
    x = _randn(B, I, seed=30, dtype=torch.float32) if cell else _randn(B, T, I, seed=30, dtype=torch.float32)
    assert_same(_flat(target(x)), _flat(source(x)))
    assert_same(list(target.state_dict().values()), list(state.values()))


def test_module_conveniences():
    lstm = R.LSTM(I, H, num_layers=2, bidirectional=True)
    assert (lstm.input_size, lstm.hidden_size, lstm.num_layers, lstm.dropout, lstm.proj_size) == (I, H, 2, 0.0, 0)
    assert R.RNN(I, H, nonlinearity="relu").nonlinearity == "relu"
    assert lstm.to(D).weight_hh_l1_reverse.dtype == D  # .to() keeps the parameters registered
    out, (h, c) = lstm(_randn(T, 2, I, seed=31))
    assert out.shape == (T, 2, 2 * H) and h.shape == c.shape == (4, 2, H)
    out, h = R.GRU(I, H, batch_first=True, dtype=D)(_randn(2, T, I, seed=32))
    assert out.shape == (2, T, H) and h.shape == (1, 2, H)


# ---- the GRU's reset gate ----

def _slides_gru(cell: R.GRUCell, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """The slides' variant: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)."""
    (W_ir, W_iz, W_in), (W_hr, W_hz, W_hn) = cell.weight_ih.chunk(3), cell.weight_hh.chunk(3)
    (b_ir, b_iz, b_in), (b_hr, b_hz, b_hn) = cell.bias_ih.chunk(3), cell.bias_hh.chunk(3)
    r = torch.sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
    z = torch.sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
    n = torch.tanh(x @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
    return (1 - z) * n + z * h


def test_gru_reset_gate_is_pytorchs_not_the_slides():
    ours, theirs = _pair(R.GRUCell, nn.GRUCell, I, H)
    x, h = _randn(B, I, seed=40), _randn(B, H, seed=41)
    with torch.no_grad():
        assert_same(ours(x, h), theirs(x, h))
        slides = _slides_gru(ours, x, h)
        assert (slides - ours(x, h)).abs().max() > 1e-2  # a different function, not rounding
        ours.bias_hh[2 * H:] = 0  # b_hn = 0 and h = 0: r ⊙ (W_hn h + b_hn) = W_hn (r ⊙ h) = 0, so the two agree
        assert_same(_slides_gru(ours, x, torch.zeros_like(h)), ours(x, torch.zeros_like(h)))


# ---- clip_grad_norm_ ----

def _with_grads(seed: int, scale: float = 1.0) -> list[torch.Tensor]:
    """Four parameters, one of them without a gradient."""
    params = [torch.zeros(s, dtype=D, requires_grad=True) for s in [(3, 4), (5,), (2, 2, 2), (7,)]]
    for k, p in enumerate(params[:3]):
        p.grad = _randn(*p.shape, seed=seed + k, scale=scale)
    return params


@pytest.mark.parametrize("max_norm", [0.5, 1e3], ids=["clipped", "unchanged"])
@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 3.5], ids=str)
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _with_grads(50, scale=2.0), _with_grads(50, scale=2.0)
    before = [p.grad.clone() for p in ours[:3]]
    total = R.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert_same(total, expected)
    assert_same([p.grad for p in ours[:3]], [p.grad for p in theirs[:3]])
    assert ours[3].grad is None
    if max_norm > total:
        assert_same([p.grad for p in ours[:3]], before)  # no change
    else:
        clipped = torch.cat([p.grad.reshape(-1) for p in ours[:3]])
        assert_same(torch.linalg.vector_norm(clipped, norm_type), torch.tensor(max_norm, dtype=D), rtol=1e-5, atol=0)


def test_clip_grad_norm_single_tensor_generator_and_no_grads():
    ours, theirs = _with_grads(60), _with_grads(60)
    assert_same(R.clip_grad_norm_(ours[0], 0.1), torch.nn.utils.clip_grad_norm_(theirs[0], 0.1))
    assert_same(ours[0].grad, theirs[0].grad)
    assert_same(R.clip_grad_norm_((p for p in ours), 0.2), torch.nn.utils.clip_grad_norm_((p for p in theirs), 0.2))
    assert_same(R.clip_grad_norm_([ours[3]], 1.0), torch.nn.utils.clip_grad_norm_([theirs[3]], 1.0))  # tensor(0.)
    assert_same(R.clip_grad_norm_([], 1.0), torch.tensor(0.0))


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_clip_grad_norm_nonfinite(bad):
    ours, theirs = _with_grads(70), _with_grads(70)
    ours[1].grad[2] = theirs[1].grad[2] = bad
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_ expects a finite total norm of order 2.0"):
        R.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert_same([p.grad for p in ours[:3]], [p.grad for p in theirs[:3]], equal_nan=True)  # untouched
    total = R.clip_grad_norm_(ours, 1.0)  # scaled by the non-finite norm anyway, as torch
    assert_same(total, torch.nn.utils.clip_grad_norm_(theirs, 1.0), equal_nan=True)
    assert_same([p.grad for p in ours[:3]], [p.grad for p in theirs[:3]], equal_nan=True)


def test_clip_grad_norm_after_backward_through_an_lstm():
    lstm = R.LSTM(I, H, dtype=D)
    twin = nn.LSTM(I, H, dtype=D)
    twin.load_state_dict(lstm.state_dict())
    x = _randn(T, B, I, seed=80, scale=5.0)
    for module in (lstm, twin):
        module(x)[0].square().sum().backward()
    assert_same(R.clip_grad_norm_(lstm.parameters(), 0.3), torch.nn.utils.clip_grad_norm_(twin.parameters(), 0.3))
    assert_same([p.grad for p in lstm.parameters()], [p.grad for p in twin.parameters()])


# ---- no PyTorch twin ----

def test_no_pytorch_twin_is_called(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a PyTorch twin was called")

    for name in ["rnn_tanh", "rnn_relu", "lstm", "gru", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"]:
        monkeypatch.setattr(torch, name, refuse)
    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", refuse)
    x = _randn(T, B, I, seed=90).requires_grad_()
    for module in (R.RNN(I, H, 2, "relu", dtype=D), R.LSTM(I, H, bidirectional=True, dtype=D), R.GRU(I, H, dtype=D)):
        _flat(module(x)).sum().backward()
        assert not isinstance(module, nn.RNNBase)
    for module in (R.RNNCell(I, H, dtype=D), R.LSTMCell(I, H, dtype=D), R.GRUCell(I, H, dtype=D)):
        _flat(module(x[0])).sum().backward()
        assert not isinstance(module, nn.RNNCellBase)
    R.clip_grad_norm_([x], 1.0)


# ---- bad input ----

_x = torch.zeros(T, B, I)

BAD = [
    (lambda: R.LSTM(I, H, num_layers=2, dropout=0.5),
     r"LSTM expects dropout 0 \(dropout between layers is not implemented\), got 0.5"),
    (lambda: R.GRU(I, H, dropout=0.1), r"GRU expects dropout 0 .*got 0.1"),
    (lambda: R.LSTM(I, H, proj_size=3), r"LSTM expects proj_size 0 \(projections are not implemented\), got 3"),
    (lambda: R.RNN(I, H, nonlinearity="sigmoid"), r"RNN expects nonlinearity 'tanh' or 'relu', got 'sigmoid'"),
    (lambda: R.RNNCell(I, H, nonlinearity="gelu"), r"RNNCell expects nonlinearity 'tanh' or 'relu', got 'gelu'"),
    (lambda: R.RNN(-1, H), r"RNN expects input_size an integer >= 1, got -1"),
    (lambda: R.LSTM(I, 0), r"LSTM expects hidden_size an integer >= 1, got 0"),
    (lambda: R.GRU(I, H, num_layers=0), r"GRU expects num_layers an integer >= 1, got 0"),
    (lambda: R.LSTMCell(I, -3), r"LSTMCell expects hidden_size an integer >= 1, got -3"),
    (lambda: R.GRUCell(2.0, H), r"GRUCell expects input_size an integer >= 1, got 2.0"),
    (lambda: R.RNN(I, H, bias=1), r"RNN expects bias True or False, got 1"),
    (lambda: R.LSTM(I, H, batch_first=None), r"LSTM expects batch_first True or False, got None"),
    (lambda: R.GRUCell(I, H, bias="no"), r"GRUCell expects bias True or False, got 'no'"),
    (lambda: R.LSTM(I, H)(torch.zeros(2, T, B, I)),
     r"LSTM expects input of shape \(T, B, I\), \(B, T, I\) with batch_first, or \(T, I\), "
     r"got shape \(2, 5, 3, 4\)"),
    (lambda: R.GRU(I, H)(torch.zeros(I)), r"GRU expects input of shape .*got shape \(4,\)"),
    (lambda: R.RNN(I, H)(torch.zeros(0, B, I)), r"RNN expects input of shape .*got shape \(0, 3, 4\)"),
    (lambda: R.RNN(I, H)(torch.zeros(T, B, I + 1)), r"RNN expects input with 4 features \(last dim\), got shape"),
    (lambda: R.LSTM(I, H)(_x.double()), r"LSTM expects input of the parameters' dtype torch.float32, got torch.float6"),
    (lambda: R.RNN(I, H, num_layers=2)(_x, torch.zeros(1, B, H)),
     r"RNN expects hx of shape \(2, 3, 6\) for input of shape \(5, 3, 4\), got \(1, 3, 6\)"),
    (lambda: R.GRU(I, H, bidirectional=True)(_x[:, 0], torch.zeros(2, 1, H)),
     r"GRU expects hx of shape \(2, 6\) for input of shape \(5, 4\), got \(2, 1, 6\)"),
    (lambda: R.LSTM(I, H)(_x, (torch.zeros(1, B, H), torch.zeros(1, B, H + 1))),
     r"LSTM expects hx\[1\] \(c\) of shape \(1, 3, 6\) .*got \(1, 3, 7\)"),
    (lambda: R.LSTMCell(I, H)(torch.zeros(B, I), (torch.zeros(B + 1, H), torch.zeros(B, H))),
     r"LSTMCell expects hx\[0\] \(h\) of shape \(3, 6\) for input of shape \(3, 4\), got \(4, 6\)"),
    (lambda: R.RNNCell(I, H)(torch.zeros(I), torch.zeros(1, H)), r"RNNCell expects hx of shape \(6,\) .*got \(1, 6\)"),
    (lambda: R.GRUCell(I, H)(torch.zeros(1, B, I)), r"GRUCell expects input of shape \(B, I\) or \(I,\), got shape"),
    (lambda: R.RNNCell(I, H)(torch.zeros(B, I + 2)), r"RNNCell expects input with 4 features"),
    (lambda: R.clip_grad_norm_([], -1.0), r"clip_grad_norm_ expects max_norm >= 0, got -1.0"),
    (lambda: R.clip_grad_norm_([], 1.0, norm_type=0), r"clip_grad_norm_ expects norm_type > 0 .*got 0"),
    (lambda: R.clip_grad_norm_([], 1.0, foreach=True), r"clip_grad_norm_ expects foreach None or False .*got True"),
]


@pytest.mark.parametrize("call, message", BAD, ids=[m[:40] for _, m in BAD])
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors():
    lstm = R.LSTM(I, H)
    packed = pack_padded_sequence(_x, torch.tensor([5, 4, 2]))
    with pytest.raises(TypeError, match=r"LSTM expects input to be a padded tensor \(PackedSequence is not supp"):
        lstm(packed)
    with pytest.raises(TypeError, match=r"LSTM expects hx a pair \(h, c\), got Tensor"):
        lstm(_x, torch.zeros(1, B, H))
    with pytest.raises(TypeError, match=r"LSTMCell expects hx a pair \(h, c\), got tuple"):
        R.LSTMCell(I, H)(_x[0], (torch.zeros(B, H),))
    with pytest.raises(TypeError, match=r"GRU expects input to be a torch.Tensor, got list"):
        R.GRU(I, H)([[0.0] * I])
    with pytest.raises(TypeError, match=r"RNN expects hx to be a torch.Tensor, got tuple"):
        R.RNN(I, H)(_x, (torch.zeros(1, B, H),))
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'proj_size'"):
        R.RNN(I, H, proj_size=2)
