"""dlnotes.conv against PyTorch (float64 values and gradients), np.convolve and scipy.signal.convolve2d."""

import itertools
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.signal import convolve2d

from dlnotes import conv as C

from .conftest import generator as _gen
from .oracle import assert_same_as_torch

D = torch.float64
pytestmark = [pytest.mark.filterwarnings("ignore:Using padding='same'"),  # PyTorch's note on even kernels
              pytest.mark.usefixtures("one_torch_thread")]


# ---- conv1d_full ----

def test_conv1d_full_is_the_polynomial_product_of_the_lecture():
    r = C.conv1d_full([3, -2, 1], [-5, 4])  # (3 - 2x + x^2)(-5 + 4x)
    np.testing.assert_array_equal(r, [-15, 22, -13, 4])
    assert r.dtype == np.convolve([3, -2, 1], [-5, 4]).dtype


@pytest.mark.parametrize("seed", range(20))
def test_conv1d_full_matches_np_convolve(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 12, size=2) if seed > 1 else (1, 1 + 5 * seed)
    v, w = rng.standard_normal(m), rng.standard_normal(n)
    np.testing.assert_allclose(C.conv1d_full(v, w), np.convolve(v, w), rtol=1e-12, atol=1e-12)
    vi, wi = rng.integers(-9, 10, m), rng.integers(-9, 10, n)
    np.testing.assert_array_equal(C.conv1d_full(list(vi), list(wi)), np.convolve(vi, wi))


# ---- conv2d ----

def _random_conv_setting(rng: random.Random):
    """(input, weight, bias, kwargs) for a random F.conv2d call that PyTorch accepts."""
    def pair(lo, hi):  # an int or a pair, at random
        return rng.randint(lo, hi) if rng.random() < 0.5 else (rng.randint(lo, hi), rng.randint(lo, hi))

    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    dilation = pair(1, 3)
    padding = rng.choice(["valid", "same", pair(0, 2)])
    stride = 1 if padding == "same" else pair(1, 3)
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    hw = [d_ * (k - 1) + 1 + rng.randint(0, 6) for k, d_ in zip(kernel, d)]  # valid even without padding
    c_in, c_out = rng.randint(1, 4), rng.randint(1, 4)
    shape = (c_in, *hw) if rng.random() < 0.3 else (rng.randint(1, 3), c_in, *hw)
    g = _gen(rng.randint(0, 10**6))
    x = torch.randn(shape, dtype=D, generator=g)
    weight = torch.randn((c_out, c_in, *kernel), dtype=D, generator=g)
    bias = torch.randn(c_out, dtype=D, generator=g) if rng.random() < 0.5 else None
    return x, weight, bias, dict(stride=stride, padding=padding, dilation=dilation)


@pytest.mark.parametrize("seed", range(60))
def test_conv2d_matches_torch_values_and_gradients(seed):
    x, weight, bias, kwargs = _random_conv_setting(random.Random(seed))
    assert_same_as_torch(C.conv2d, F.conv2d, x, weight, bias, seed=seed, **kwargs)


@pytest.mark.parametrize("kernel", [(2, 2), (2, 3), (4, 1)])
@pytest.mark.parametrize("dilation", [1, 2, (1, 3)])
def test_conv2d_same_pads_even_kernels_like_torch(kernel, dilation):
    """PyTorch puts the odd extra zero of "same" padding at the bottom / right."""
    g = _gen(3)
    x, weight = torch.randn(2, 2, 7, 8, dtype=D, generator=g), torch.randn(3, 2, *kernel, dtype=D, generator=g)
    assert_same_as_torch(C.conv2d, F.conv2d, x, weight, padding="same", dilation=dilation)
    assert C.conv2d(x, weight, padding="same", dilation=dilation).shape[-2:] == (7, 8)


def test_conv2d_float32_and_noncontiguous_input():
    g = _gen(4)
    x = torch.randn(2, 3, 12, 10, generator=g).transpose(-1, -2)  # (2, 3, 10, 12), not contiguous
    weight, bias = torch.randn(5, 3, 3, 3, generator=g), torch.randn(5, generator=g)
    assert_same_as_torch(C.conv2d, F.conv2d, x, weight, bias, stride=2, padding=1)


def test_conv2d_gradcheck():
    g = _gen(5)
    x = torch.randn(1, 2, 4, 5, dtype=D, generator=g, requires_grad=True)
    weight = torch.randn(2, 2, 3, 2, dtype=D, generator=g, requires_grad=True)
    bias = torch.randn(2, dtype=D, generator=g, requires_grad=True)
    assert torch.autograd.gradcheck(lambda *a: C.conv2d(*a, stride=(2, 1), padding=1, dilation=(1, 2)),
                                    (x, weight, bias))
    assert torch.autograd.gradcheck(lambda *a: C.conv2d(*a, padding="same"), (x, weight, bias), fast_mode=True)


# ---- conv2d_output_shape ----

def test_conv2d_output_shape_matches_torch_on_a_grid():
    """Same shape as F.conv2d where PyTorch accepts the setting, ValueError where it refuses."""
    x = {hw: torch.zeros(1, 1, *hw, device="meta") for hw in [(5, 8), (9, 6)]}  # shapes only, no arithmetic
    settings = itertools.product(x, [1, 2, 3, (2, 4)], [1, 2, 3, (1, 2)], [0, 1, 2, (0, 3), "valid", "same"],
                                 [1, 2, (3, 1)])
    for hw, k, s, p, d in settings:
        kernel = (k, k) if isinstance(k, int) else k
        try:
            weight = torch.zeros(1, 1, *kernel, device="meta")
            expected = tuple(F.conv2d(x[hw], weight, stride=s, padding=p, dilation=d).shape[-2:])
        except RuntimeError:
            with pytest.raises(ValueError):
                C.conv2d_output_shape(hw, k, s, p, d)
            continue
        assert C.conv2d_output_shape(hw, k, s, p, d) == expected, (hw, k, s, p, d)


def test_conv2d_output_shape_formula():
    assert C.conv2d_output_shape(28, 5) == (24, 24)  # LeNet-5's first layer
    assert C.conv2d_output_shape((32, 30), 3, stride=2, padding=1) == (16, 15)
    assert C.conv2d_output_shape((7, 8), (2, 4), padding="same", dilation=3) == (7, 8)


# ---- max_pool2d ----

def _pool_input(kind: str, shape, g):
    if kind == "randint":  # integer values: ties everywhere
        return torch.randint(0, 3, shape, generator=g).to(D)
    if kind == "relu":  # about half the entries tie at 0
        return torch.relu(torch.randn(shape, dtype=D, generator=g))
    if kind == "constant":
        return torch.ones(shape, dtype=D)
    return torch.randn(shape, dtype=D, generator=g)


@pytest.mark.parametrize("kind", ["randn", "randint", "relu", "constant"])
@pytest.mark.parametrize("kernel_size, stride", [(2, None), (3, None), (2, 1), (3, 2), ((2, 3), None),
                                                 ((3, 2), (1, 2)), (1, None), ((1, 4), 2)])
def test_max_pool2d_matches_torch_values_and_gradients_with_ties(kind, kernel_size, stride):
    g = _gen(6)
    for shape in [(2, 3, 9, 10), (3, 7, 8)]:
        x = _pool_input(kind, shape, g)
        assert_same_as_torch(C.max_pool2d, F.max_pool2d, x, kernel_size=kernel_size, stride=stride)


def test_max_pool2d_gradcheck_and_float32():
    x = torch.randn(2, 2, 6, 7, dtype=D, generator=_gen(7), requires_grad=True)  # no ties: differentiable
    assert torch.autograd.gradcheck(lambda x: C.max_pool2d(x, 3, 2), (x,))
    assert_same_as_torch(C.max_pool2d, F.max_pool2d, x.float().relu(), kernel_size=2, stride=1)


# ---- filter2d ----

def _scipy_filter(image, kernel, mode):
    if image.ndim == 2:
        return convolve2d(image, kernel, mode=mode)
    return np.stack([convolve2d(image[..., c], kernel, mode=mode) for c in range(image.shape[-1])], axis=-1)


def _assert_close_to_scipy(image, kernel, mode, method):
    expected = _scipy_filter(image, kernel, mode)
    out = C.filter2d(image, kernel, mode, method=method)
    assert out.dtype == np.float64 and out.shape == expected.shape, (mode, method, out.shape, expected.shape)
    atol = 1e-13 * np.abs(image).max() * np.abs(kernel).sum()  # FFT round-off scales with the data
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=atol, err_msg=f"mode {mode!r}, method {method!r}")


@pytest.mark.parametrize("kernel_shape", [(1, 1), (3, 3), (2, 2), (4, 4), (2, 5), (5, 2), (9, 9), (4, 7)])
@pytest.mark.parametrize("image_shape", [(23, 31), (17, 12, 3), (16, 18, 1)])
def test_filter2d_matches_scipy_convolve2d(image_shape, kernel_shape):
    """Every mode, by both methods and by "auto", odd and even kernels."""
    rng = np.random.default_rng(sum(image_shape) + 10 * sum(kernel_shape))
    image, kernel = 255 * rng.random(image_shape), rng.standard_normal(kernel_shape)
    for mode, method in itertools.product(["valid", "same", "full"], ["auto", "direct", "fft"]):
        _assert_close_to_scipy(image, kernel, mode, method)


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("mode", ["same", "full"])
def test_filter2d_kernel_larger_than_image(mode, method):
    rng = np.random.default_rng(8)
    _assert_close_to_scipy(rng.random((5, 6, 2)), rng.standard_normal((8, 4)), mode, method)


def test_filter2d_is_the_labs_pixel_loop_and_exact_on_integers():
    """The lab's loop (its erratum fixed) on a uint8 image; the 3 x 3 Laplacian goes direct: exact."""
    rng = np.random.default_rng(9)
    image = rng.integers(0, 256, (20, 25), dtype=np.uint8)
    kernel = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    flipped, (kh, kw) = np.flip(kernel, axis=(0, 1)), kernel.shape
    loop = np.empty((20 - kh + 1, 25 - kw + 1))
    for j in range(loop.shape[1]):
        for i in range(loop.shape[0]):
            loop[i, j] = (flipped * image[i:i + kh, j:j + kw]).sum()
    np.testing.assert_array_equal(C.filter2d(image, kernel), loop)
    np.testing.assert_array_equal(C.filter2d(image, kernel, "full"), convolve2d(image.astype(float), kernel))


def test_filter2d_gaussian_blur_large_image():
    """A 25 x 25 Gaussian (the lab's) on a 150 x 200 x 3 image: the FFT path, checked against SciPy."""
    rng = np.random.default_rng(10)
    gr = np.linspace(-5, 5, num=25)
    den = np.exp(-0.1 * gr * gr)
    kernel = np.outer(den, den) / den.sum() ** 2
    for mode in ("valid", "same"):
        _assert_close_to_scipy(255 * rng.random((150, 200, 3)), kernel, mode, "auto")


# ---- bad input ----

_x = torch.zeros(1, 3, 8, 8)
_w = torch.zeros(4, 3, 3, 3)

BAD_INPUTS = [
    (lambda: C.conv2d(torch.zeros(28, 28), _w),
     r"conv2d expects a 3-D or 4-D input \(C, H, W\) or \(N, C, H, W\), got shape \(28, 28\)"),
    (lambda: C.conv2d(_x, torch.zeros(4, 3, 3)), r"4-D weight .*got shape \(4, 3, 3\)"),
    (lambda: C.conv2d(torch.zeros(1, 2, 8, 8), _w), r"shape \(1, 2, 8, 8\) has 2 channels.*\(4, 3, 3, 3\).*C_in = 3"),
    (lambda: C.conv2d(_x, _w, torch.zeros(3)), r"bias of shape \(4,\).*got \(3,\)"),
    (lambda: C.conv2d(_x, _w, stride=0), r"stride to be an integer >= 1.*got 0"),
    (lambda: C.conv2d(_x, _w, stride=(1, -2)), r"stride .*got \(1, -2\)"),
    (lambda: C.conv2d(_x, _w, dilation=0), r"dilation to be an integer >= 1"),
    (lambda: C.conv2d(_x, _w, padding=-1), r"padding to be an integer >= 0"),
    (lambda: C.conv2d(_x, _w, padding=(1, 2, 3)), r"padding .*got \(1, 2, 3\)"),
    (lambda: C.conv2d(_x, _w, padding="full"), r"padding 'valid', 'same'.*got 'full'"),
    (lambda: C.conv2d(_x, _w, stride=2, padding="same"), r"padding='same' needs stride 1.*\(2, 2\)"),
    (lambda: C.conv2d(_x, torch.zeros(4, 3, 9, 3)), r"kernel of size \(9, 3\).*padded input of size \(8, 8\)"),
    (lambda: C.conv2d(_x, _w, dilation=4), r"extent \(9, 9\).*padded input of size \(8, 8\)"),
    (lambda: C.conv2d_output_shape((5, 5), 3, padding=-1), r"padding"),
    (lambda: C.conv2d_output_shape((2, 5), 3), r"padded input of size \(2, 5\)"),
    (lambda: C.conv2d_output_shape((5, 5), 3, stride=(1, 2), padding="same"), r"'same' needs stride 1"),
    (lambda: C.conv2d_output_shape((5, 5), 0), r"kernel_size"),
    (lambda: C.max_pool2d(torch.zeros(8, 8), 2), r"3-D or 4-D input .*got shape \(8, 8\)"),
    (lambda: C.max_pool2d(_x, 0), r"kernel_size to be an integer >= 1"),
    (lambda: C.max_pool2d(_x, 2, stride=0), r"stride"),
    (lambda: C.max_pool2d(_x, (9, 2)), r"kernel of size \(9, 2\).*padded input of size \(8, 8\)"),
    (lambda: C.conv1d_full([], [1, 2]), r"non-empty 1-D v and w, got v of shape \(0,\)"),
    (lambda: C.conv1d_full([1, 2], [[1, 2]]), r"got w of shape \(1, 2\)"),
    (lambda: C.filter2d(np.zeros(5), np.ones((3, 3))), r"image of shape \(H, W\) or \(H, W, C\), got shape \(5,\)"),
    (lambda: C.filter2d(np.zeros((5, 5, 3, 1)), np.ones((3, 3))), r"got shape \(5, 5, 3, 1\)"),
    (lambda: C.filter2d(np.zeros((5, 5)), np.ones((3, 3, 3))), r"2-D kernel \(kH, kW\), got shape \(3, 3, 3\)"),
    (lambda: C.filter2d(np.zeros((5, 5)), np.ones((3, 3)), "circular"), r"mode in .*got 'circular'"),
    (lambda: C.filter2d(np.zeros((5, 5)), np.ones((3, 3)), method="winograd"), r"method in .*'winograd'"),
    (lambda: C.filter2d(np.zeros((5, 9)), np.ones((6, 3))), r"kernel of shape \(6, 3\) .*image of shape \(5, 9\)"),
]


@pytest.mark.parametrize("call, message", BAD_INPUTS, ids=[m[:30] for _, m in BAD_INPUTS])
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
