"""dlnotes.generative in float64: KL, log-densities and bounds against torch.distributions, the ELBO and IWAE
identities on a linear-Gaussian model with a known likelihood, the VAE, the binarization and the training loop."""

import math

import numpy as np
import pytest
import torch
from torch.distributions import Bernoulli, MultivariateNormal, Normal, kl_divergence

from dlnotes import generative as G

from .conftest import generator as _gen
from .oracle import assert_same, assert_same_as_torch, grads, leaf_copies, random_upstream

pytestmark = pytest.mark.usefixtures("one_torch_thread")

D64 = torch.float64


def _randn(*shape, seed=0, scale=1.0):
    return scale * torch.randn(shape, dtype=D64, generator=_gen(seed))


def _binary(*shape, seed=0, p=0.3):
    return (torch.rand(shape, dtype=D64, generator=_gen(seed)) < p).to(D64)


# ---- the formulas against torch.distributions ----

def _torch_kl(mu, logvar):
    return kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)


@pytest.mark.parametrize("shape", [(3,), (5, 4), (2, 3, 6)], ids=["d", "N-d", "k-N-d"])
def test_gaussian_kl_matches_torch_values_and_gradients(shape):
    assert_same_as_torch(G.gaussian_kl, _torch_kl, _randn(*shape, seed=1), _randn(*shape, seed=2), seed=3)


def test_gaussian_kl_is_zero_only_at_the_prior():
    assert_same(G.gaussian_kl(torch.zeros(4, 3, dtype=D64), torch.zeros(4, 3, dtype=D64)), torch.zeros(4, dtype=D64))
    assert (G.gaussian_kl(_randn(100, 2, seed=1), _randn(100, 2, seed=2)) > 0).all()


def _torch_log_prob(z, mu, logvar):
    return Normal(mu, torch.exp(0.5 * logvar)).log_prob(z).sum(-1)


def test_gaussian_log_prob_matches_torch_with_broadcasting():
    z, mu, logvar = _randn(7, 5, 3, seed=1), _randn(5, 3, seed=2), _randn(5, 3, seed=3)  # z (k, N, d), q's (N, d)
    assert_same_as_torch(G.gaussian_log_prob, _torch_log_prob, z, mu, logvar, seed=4)
    assert G.gaussian_log_prob(z, mu, logvar).shape == (7, 5)
    standard = Normal(torch.zeros((), dtype=D64), torch.ones((), dtype=D64)).log_prob(z).sum(-1)
    assert_same(G.gaussian_log_prob(z), standard)


def _torch_bernoulli(logits, x):
    return Bernoulli(logits=logits).log_prob(x.expand_as(logits)).sum(-1)


def test_bernoulli_log_prob_matches_torch_and_is_finite_for_large_logits():
    logits, x = _randn(4, 6, 10, seed=1, scale=4.0), _binary(6, 10, seed=2)  # logits (k, N, D), x (N, D)
    assert_same_as_torch(G.bernoulli_log_prob, _torch_bernoulli, logits, x, seed=3)
    big = torch.tensor([[200.0, -200.0, 200.0, -200.0]], dtype=D64)
    out = G.bernoulli_log_prob(big, torch.tensor([[1.0, 0.0, 0.0, 1.0]], dtype=D64))  # two certain misses
    assert_same(out, torch.tensor([-400.0], dtype=D64))


def test_reparameterize_mean_variance_by_simulation():
    mu, logvar = torch.tensor([1.5, -2.0, 0.0], dtype=D64), torch.tensor([0.0, 1.0, -2.0], dtype=D64)
    n = 200_000
    z = G.reparameterize(mu.expand(n, 3), logvar.expand(n, 3), _gen(0))  # (n, 3)
    var = logvar.exp()
    assert ((z.mean(0) - mu).abs() < 4 * (var / n).sqrt()).all()  # within 4 standard errors
    assert ((z.var(0) - var).abs() < 4 * var * math.sqrt(2 / n)).all()  # Var(s^2) ≈ 2σ⁴/n


def test_reparameterize_is_mu_plus_sigma_eps_with_the_gradients_of_the_trick():
    mu, logvar = leaf_copies(_randn(6, 4, seed=1), _randn(6, 4, seed=2))
    z = G.reparameterize(mu, logvar, _gen(7))
    eps = torch.randn((6, 4), dtype=D64, generator=_gen(7))  # the same draws
    assert_same(z, mu + torch.exp(0.5 * logvar) * eps)
    u = random_upstream(z, seed=3)
    d_mu, d_logvar = grads(z, [mu, logvar], u)
    assert_same(d_mu, u)  # ∂z/∂μ = 1
    assert_same(d_logvar, u * 0.5 * torch.exp(0.5 * logvar.detach()) * eps)  # ∂z/∂logvar = ½ e^{logvar/2} ε


def test_reparameterize_leaves_the_global_generator_alone_when_given_one():
    state = torch.get_rng_state()
    G.reparameterize(torch.zeros(3), torch.zeros(3), _gen(0))
    assert torch.equal(state, torch.get_rng_state())


def test_elbo_is_log_likelihood_minus_kl():
    log_px, mu, logvar = _randn(5, seed=1), _randn(5, 3, seed=2), _randn(5, 3, seed=3)
    assert_same_as_torch(G.elbo, lambda a, m, v: a - _torch_kl(m, v), log_px, mu, logvar, seed=4)


def _naive_iwae(log_w):
    return torch.log(torch.exp(log_w).mean(0))


def test_iwae_bound_matches_the_naive_formula_values_and_gradients():
    assert_same_as_torch(G.iwae_bound, _naive_iwae, _randn(7, 5, seed=1, scale=3.0), seed=2)
    log_w = _randn(1, 5, seed=3)
    assert_same(G.iwae_bound(log_w), log_w[0])  # k = 1: the single log-weight


def test_iwae_bound_is_stable_for_large_log_weights():
    log_w = _randn(50, 8, seed=1, scale=3.0)
    expected = _naive_iwae(log_w)
    for shift in (-1000.0, 1000.0):  # e^{±1000} under/overflows: the naive formula gives ∓inf
        assert not _naive_iwae(log_w + shift).isfinite().any()
        assert_same(G.iwae_bound(log_w + shift), expected + shift)


# ---- a linear-Gaussian model: log p(x) and p(z | x) in closed form ----

d, D, SIGMA = 3, 5, 0.7  # latent and observed dimensions, noise standard deviation


def _model(orthogonal: bool, seed: int = 0):
    """W (D, d), b (D,): z ~ N(0, I), x | z ~ N(W z + b, σ² I); orthogonal columns make p(z | x) diagonal."""
    W = _randn(D, d, seed=seed)
    if orthogonal:
        W = torch.linalg.qr(W)[0] * torch.tensor([2.0, 1.0, 0.5], dtype=D64)  # Q diag(s)
    return W, _randn(D, seed=seed + 1)


def _exact(W, b, x):
    """log p(x) (N,), posterior mean m (N, d) and covariance S (d, d)."""
    log_px = MultivariateNormal(b, W @ W.T + SIGMA**2 * torch.eye(D, dtype=D64)).log_prob(x)
    S = torch.linalg.inv(torch.eye(d, dtype=D64) + W.T @ W / SIGMA**2)  # (I + WᵀW/σ²)⁻¹
    m = (x - b) @ W @ S / SIGMA**2  # S Wᵀ (x - b) / σ², row by row
    return log_px, m, S


def _log_joint(W, b, x, z):
    """log p(x | z) + log p(z) for z (k, N, d): (k, N)."""
    log_lik = G.gaussian_log_prob(x, z @ W.T + b, torch.full((D,), 2 * math.log(SIGMA), dtype=D64))
    return log_lik + G.gaussian_log_prob(z)


def test_with_the_exact_posterior_every_log_weight_is_log_px():
    W, b = _model(orthogonal=True)
    x = _randn(4, D, seed=5, scale=2.0)
    log_px, m, S = _exact(W, b, x)
    assert torch.allclose(S, torch.diag(S.diag()), atol=1e-14)  # the posterior is in the diagonal family
    logvar = S.diag().log().expand(4, d)
    z = G.reparameterize(m.expand(50, 4, d), logvar.expand(50, 4, d), _gen(1))  # (50, 4, d) from p(z | x)
    log_w = _log_joint(W, b, x, z) - G.gaussian_log_prob(z, m, logvar)  # (50, 4)
    assert_same(log_w, log_px.expand(50, 4), rtol=0, atol=1e-10)  # zero variance: w = p(x) exactly
    assert_same(G.iwae_bound(log_w), log_px, rtol=0, atol=1e-10)
    expected_log_lik = log_px + G.gaussian_kl(m, logvar) + 0.0  # ELBO = log p(x): E log p(x|z) = log p(x) + KL(q‖p(z))
    assert_same(G.elbo(expected_log_lik, m, logvar), log_px)


def _expected_log_lik(W, b, x, mu, logvar):
    r"""$E_q \log N(x; Wz + b, σ²I)$ for $q = N(μ, \mathrm{diag}\, e^{\mathrm{logvar}})$, in closed form."""
    resid = x - mu @ W.T - b  # (N, D)
    trace = logvar.exp() @ (W**2).sum(0)  # tr(W diag(v) Wᵀ) = Σ_j v_j ‖W_j‖², (N,)
    return -0.5 * (D * math.log(2 * math.pi * SIGMA**2) + (resid.pow(2).sum(-1) + trace) / SIGMA**2)


def test_elbo_is_log_px_minus_kl_to_the_posterior():
    W, b = _model(orthogonal=False, seed=10)
    x = _randn(4, D, seed=12, scale=2.0)
    log_px, m, S = _exact(W, b, x)
    mu, logvar = m + _randn(4, d, seed=13, scale=0.5), _randn(4, d, seed=14, scale=0.5)  # some other q
    bound = G.elbo(_expected_log_lik(W, b, x, mu, logvar), mu, logvar)
    q = MultivariateNormal(mu, torch.diag_embed(logvar.exp()))
    gap = kl_divergence(q, MultivariateNormal(m, S.expand(4, d, d)))
    assert (gap > 0.01).all()
    assert_same(bound, log_px - gap)  # exactly: log p(x) = ELBO + KL(q ‖ p(z | x))
    n = 100_000  # and the single-sample estimate through reparameterize has this mean
    z = G.reparameterize(mu.expand(n, 4, d), logvar.expand(n, 4, d), _gen(15))
    log_lik = _log_joint(W, b, x, z) - G.gaussian_log_prob(z)  # (n, 4): log p(x | z)
    draws = G.elbo(log_lik, mu.expand(n, 4, d), logvar.expand(n, 4, d))  # (n, 4)
    assert ((draws.mean(0) - bound).abs() < 4 * draws.std(0) / math.sqrt(n)).all()


def test_iwae_bound_rises_with_k_towards_log_px():
    W, b = _model(orthogonal=False, seed=20)
    x = _randn(2, D, seed=22, scale=2.0)
    log_px, m, S = _exact(W, b, x)
    logvar = (S.diag() * 1.5).log().expand(2, d)  # mean field, over-dispersed: finite-variance weights
    n, R = 1024, 300  # R independent pools of n draws for each example
    z = G.reparameterize(m.expand(n, R, 2, d), logvar.expand(n, R, 2, d), _gen(21))  # (n, R, 2, d)
    log_w = (_log_joint(W, b, x, z) - G.gaussian_log_prob(z, m, logvar)).reshape(n, R * 2)  # (n, R·2)
    ks, L, se = [1, 2, 4, 8, 16, 32, 64, 256, 1024], [], []
    for k in ks:  # each pool split into n/k groups of k: n/k · R estimates of L_k for each example
        groups = log_w.reshape(n // k, k, R * 2).transpose(0, 1).reshape(k, -1)  # (k, n/k · R·2)
        est = G.iwae_bound(groups).reshape(n // k * R, 2)  # (n/k · R, 2)
        L.append(est.mean(0))
        se.append(est.std(0) / math.sqrt(n // k * R))
    L, se = torch.stack(L), torch.stack(se)  # (9, 2): L_k by k and example
    assert (L[1:7] > L[:6] + 3 * se[1:7]).all()  # rises with k while the gap is larger than the noise
    assert (L[1:] > L[:-1] - 3 * se[1:]).all()  # and never falls, up to the noise
    assert (L <= log_px + 3 * se).all()  # never above log p(x)
    assert (log_px - L[0] > 1.0).all() and (log_px - L[-1] < 0.01).all()  # the gap closes


# ---- the VAE ----

def _vae(seed=0, sizes=(12, 8, 3)):
    torch.manual_seed(seed)
    return G.VAE(*sizes).to(D64)


def test_vae_shapes_and_parameters():
    model = _vae()
    x = _binary(5, 12, seed=1)
    logits, mu, logvar = model(x, _gen(2))
    assert logits.shape == (5, 12) and mu.shape == logvar.shape == (5, 3)
    assert model.elbo(x).shape == (5,) and model.iwae_bound(x, 7).shape == (5,)
    assert model.log_weights(x, 7).shape == (7, 5)
    s = model.sample(4, _gen(3))
    assert s.shape == (4, 12) and ((s > 0) & (s < 1)).all()
    assert torch.equal(s, model.sample(4, _gen(3)))  # a generator makes it reproducible
    assert sum(p.numel() for p in G.VAE(784, 400, 20).parameters()) == 652_824  # the notes' MNIST model
    assert "input_dim=784, hidden_dim=400, latent_dim=20" in repr(G.VAE())


def test_vae_elbo_and_log_weights_follow_their_formulas():
    model, x = _vae(), _binary(5, 12, seed=1)
    mu, logvar = model.encode(x)
    eps = torch.randn((5, 3), dtype=D64, generator=_gen(4))
    z = mu + torch.exp(0.5 * logvar) * eps
    expected = _torch_bernoulli(model.decode(z), x) - _torch_kl(mu, logvar)
    assert_same(model.elbo(x, _gen(4)), expected)
    k = 9
    eps = torch.randn((k, 5, 3), dtype=D64, generator=_gen(5))
    z = mu + torch.exp(0.5 * logvar) * eps  # (k, N, d)
    log_w = (_torch_bernoulli(model.decode(z), x) + Normal(0.0, 1.0).log_prob(z).sum(-1)
             - _torch_log_prob(z, mu, logvar))
    assert_same(model.log_weights(x, k, _gen(5)), log_w)
    assert_same(model.iwae_bound(x, k, _gen(5)), torch.logsumexp(log_w, 0) - math.log(k))


def test_vae_log_weights_in_chunks_equal_one_pass():
    model, x = _vae(), _binary(40, 12, seed=1)
    k = 1000  # 16,384 // 1,000 = 16 examples per chunk: three chunks
    log_w = model.log_weights(x, k, _gen(6))
    mu, logvar = model.encode(x)
    z = G.reparameterize(mu.expand(k, 40, 3), logvar.expand(k, 40, 3), _gen(6))
    expected = G.bernoulli_log_prob(model.decode(z), x) + G.gaussian_log_prob(z) - G.gaussian_log_prob(z, mu, logvar)
    assert_same(log_w, expected)


def test_vae_iwae_bound_is_above_the_elbo_and_k1_is_unbiased_for_it():
    model, x = _vae(), _binary(8, 12, seed=1)
    with torch.no_grad():
        elbo = torch.stack([model.elbo(x, _gen(100 + r)) for r in range(400)])  # (400, 8)
        iwae1 = torch.stack([model.iwae_bound(x, 1, _gen(600 + r)) for r in range(400)])  # (400, 8)
        iwae = model.iwae_bound(x, 2000, _gen(7))  # (8,)
    se = (elbo.std(0) ** 2 / 400 + iwae1.std(0) ** 2 / 400).sqrt()
    assert ((elbo.mean(0) - iwae1.mean(0)).abs() < 4 * se).all()  # E[L_1 estimate] = ELBO
    assert (iwae > elbo.mean(0) + 4 * elbo.std(0) / 20).all()  # L_2000 above the ELBO


def test_vae_gradients_flow_to_every_parameter():
    model, x = _vae(), _binary(6, 12, seed=1)
    for loss in (-model.elbo(x, _gen(1)).mean(), -model.iwae_bound(x, 5, _gen(2)).mean()):
        model.zero_grad()
        loss.backward()
        for name, p in model.named_parameters():
            assert p.grad is not None and p.grad.isfinite().all() and p.grad.abs().sum() > 0, name


# ---- data and training ----

def test_binarize_is_static_and_follows_the_intensities():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
    images[:, 0, 0], images[:, 0, 1] = 0, 255
    state = torch.get_rng_state()
    a = G.binarize(images, 0)
    assert torch.equal(state, torch.get_rng_state())  # a generator of its own
    assert a.shape == (300, 784) and a.dtype == torch.float32 and set(a.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(a, G.binarize(torch.from_numpy(images).reshape(300, 784), 0))  # static: same seed, same draw
    assert not torch.equal(a, G.binarize(images, 1))
    assert (a[:, 0] == 0).all() and (a[:, 1] == 1).all()  # intensity 0 and 255 are certain
    p = torch.from_numpy(images).reshape(300, 784).double() / 255
    assert abs(a.double().mean() - p.mean()) < 4 * math.sqrt(0.25 / a.numel())


def _toy_data(n=256, seed=0):
    """0/1 images of two prototypes with flipped pixels: a VAE can learn them in a few steps."""
    g = _gen(seed)
    protos = (torch.rand(2, 12, generator=g) < 0.5).float()
    x = protos[torch.randint(0, 2, (n,), generator=g)]
    flip = torch.rand(n, 12, generator=g) < 0.05
    return torch.where(flip, 1 - x, x)


def test_train_vae_is_reproducible_and_lowers_the_loss():
    data = _toy_data()
    runs, epochs = [], []
    for _ in range(2):
        torch.manual_seed(0)
        model = G.VAE(12, 16, 2)
        losses = G.train_vae(model, data, epochs=8, batch_size=32, lr=1e-2, generator=_gen(1),
                             callback=lambda e, loss: epochs.append((e, loss)))
        runs.append((losses, [p.detach().clone() for p in model.parameters()]))
    assert len(runs[0][0]) == 8 * 8 and runs[0][0] == runs[1][0]  # 8 steps per epoch; step-based, reproducible
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert [e for e, _ in epochs[:8]] == list(range(1, 9))
    assert epochs[0][1] == pytest.approx(sum(runs[0][0][:8]) / 8)
    assert np.mean(runs[0][0][-8:]) < 0.7 * np.mean(runs[0][0][:8])
    torch.manual_seed(0)
    assert len(G.train_vae(G.VAE(12, 16, 2), data, epochs=5, batch_size=32, max_steps=11, generator=_gen(1))) == 11
    torch.manual_seed(0)
    dynamic = G.train_vae(G.VAE(12, 16, 2), data * 0.5 + 0.25, epochs=1, dynamic=True, generator=_gen(1))
    assert len(dynamic) == 2 and all(math.isfinite(v) for v in dynamic)


def test_evaluate_vae_is_the_mean_bound():
    model, x = _vae(), _binary(30, 12, seed=1)
    with torch.no_grad():
        expected_elbo = model.elbo(x, _gen(2)).mean().item()
        expected_iwae = model.iwae_bound(x, 5, _gen(3)).mean().item()
    assert G.evaluate_vae(model, x, generator=_gen(2), batch_size=30) == pytest.approx(expected_elbo, rel=1e-12)
    assert G.evaluate_vae(model, x, k=5, generator=_gen(3), batch_size=30) == pytest.approx(expected_iwae, rel=1e-12)
    batched = G.evaluate_vae(model, x, k=5, generator=_gen(3), batch_size=7)  # other draws, same estimand
    assert batched == pytest.approx(expected_iwae, abs=0.5)


# ---- errors ----

_m = torch.zeros(4, 3)
_x = torch.zeros(2, 12)

BAD = [
    (lambda: G.gaussian_kl(_m, torch.zeros(4, 2)), r"gaussian_kl expects mu and logvar of the same shape, got \(4, 3\) and \(4, 2\)"),
    (lambda: G.gaussian_kl(torch.zeros(()), torch.zeros(())), r"gaussian_kl expects mu of shape \(\.\.\., d\) with d >= 1, got shape \(\)"),
    (lambda: G.reparameterize(_m, _m[:, :2]), r"reparameterize expects mu and logvar of the same shape"),
    (lambda: G.gaussian_log_prob(torch.zeros(5, 3), torch.zeros(4)), r"gaussian_log_prob expects mu with last dimension 3 \(z's\), got \(4,\)"),
    (lambda: G.gaussian_log_prob(torch.zeros(5, 3), torch.zeros(4, 3)), r"gaussian_log_prob expects z, mu and logvar of broadcastable shapes, got \(5, 3\), \(4, 3\) and \(1,\)"),
    (lambda: G.bernoulli_log_prob(torch.zeros(2, 3), torch.zeros(2, 4)), r"bernoulli_log_prob expects logits and x with the same last dimension D, got \(2, 3\) and \(2, 4\)"),
    (lambda: G.bernoulli_log_prob(torch.zeros(2, 3), torch.full((2, 3), 2.0)), r"bernoulli_log_prob expects x in \[0, 1\] \(a Bernoulli likelihood\), got values in \[2, 2\]"),
    (lambda: G.elbo(torch.zeros(3), _m, _m), r"elbo expects log_px_given_z of shape \(4,\) \(mu without its last dim\), got \(3,\)"),
    (lambda: G.iwae_bound(torch.zeros(5)), r"iwae_bound expects log_w of shape \(k, N\) with k >= 1, got shape \(5,\)"),
    (lambda: G.iwae_bound(torch.zeros(0, 3)), r"iwae_bound expects log_w of shape \(k, N\) with k >= 1, got shape \(0, 3\)"),
    (lambda: G.binarize(np.zeros((2, 28, 28), dtype=np.uint8), -1), r"binarize expects seed an integer in \[0, 2\*\*63\), got -1"),
    (lambda: G.binarize(np.zeros(784, dtype=np.uint8), 0), r"binarize expects images of shape \(N, 28, 28\) or \(N, 784\), got shape \(784,\)"),
    (lambda: G.VAE(784, 0, 20), r"VAE expects hidden_dim an integer >= 1, got 0"),
    (lambda: G.VAE(784, 400, 2.0), r"VAE expects latent_dim an integer >= 1, got 2.0"),
    (lambda: G.VAE(12, 8, 3).elbo(torch.zeros(2, 13)), r"VAE.encode expects x of shape \(N, 12\), got \(2, 13\)"),
    (lambda: G.VAE(12, 8, 3).elbo(_x - 0.5), r"VAE.encode expects x in \[0, 1\] \(a Bernoulli likelihood\), got values in \[-0.5, -0.5\]"),
    (lambda: G.VAE(12, 8, 3).iwae_bound(_x, 0), r"VAE.log_weights expects k an integer >= 1, got 0"),
    (lambda: G.VAE(12, 8, 3).sample(0), r"VAE.sample expects n an integer >= 1, got 0"),
    (lambda: G.VAE(12, 8, 3).decode(torch.zeros(2, 4)), r"VAE.decode expects z of shape \(\.\.\., 3\), got \(2, 4\)"),
    (lambda: G.train_vae(G.VAE(12, 8, 3), _x, lr=0), r"train_vae expects lr > 0, got 0"),
    (lambda: G.train_vae(G.VAE(12, 8, 3), _x, epochs=0), r"train_vae expects epochs an integer >= 1, got 0"),
    (lambda: G.train_vae(G.VAE(12, 8, 3), _x + 2), r"train_vae expects data in \[0, 1\], got values in \[2, 2\]"),
    (lambda: G.train_vae(G.VAE(12, 8, 3), _x, max_steps=0), r"train_vae expects max_steps None or an integer >= 1, got 0"),
    (lambda: G.evaluate_vae(G.VAE(12, 8, 3), _x, k=0), r"evaluate_vae expects k None \(ELBO\) or an integer >= 1, got 0"),
    (lambda: G.evaluate_vae(G.VAE(12, 8, 3), torch.zeros(2, 7)), r"evaluate_vae expects data of shape \(N, 12\), got \(2, 7\)"),
]


@pytest.mark.parametrize("call, message", BAD, ids=[m[:45] for _, m in BAD])
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match=r"gaussian_kl expects mu to be a torch.Tensor, got list"):
        G.gaussian_kl([0.0], torch.zeros(1))
    with pytest.raises(TypeError, match=r"gaussian_kl expects logvar of a floating-point dtype, got torch.int64"):
        G.gaussian_kl(torch.zeros(3), torch.zeros(3, dtype=torch.int64))
    with pytest.raises(TypeError, match=r"reparameterize expects generator None or a torch.Generator, got int"):
        G.reparameterize(_m, _m, 0)
    with pytest.raises(TypeError, match=r"iwae_bound expects log_w of a floating-point dtype, got torch.int64"):
        G.iwae_bound(torch.zeros(2, 3, dtype=torch.int64))
    with pytest.raises(TypeError, match=r"binarize expects images of dtype uint8 \(intensities 0..255\), got torch.float64"):
        G.binarize(np.zeros((2, 784)), 0)
    with pytest.raises(TypeError, match=r"train_vae expects model a dlnotes.generative.VAE, got Linear"):
        G.train_vae(torch.nn.Linear(12, 12), _x)
    with pytest.raises(TypeError, match=r"VAE.encode expects x of a floating-point dtype, got torch.int64"):
        G.VAE(12, 8, 3).encode(torch.zeros(2, 12, dtype=torch.int64))
