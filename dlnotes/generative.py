r"""Variational autoencoders of lec14, written out from their formulas: KL term, reparameterization, ELBO, IWAE.

The model is a latent-variable model $p_\theta(x) = \int p(z)\, p_\theta(x \mid z)\, dz$ with the prior
$p(z) = N(0, I)$ and, for 0/1 data, the decoder $p_\theta(x \mid z) = \prod_i \mathrm{Bernoulli}(x_i;
\sigma(g_\theta(z)_i))$. The integral is intractable; an encoder $q_\phi(z \mid x) = N(\mu, \mathrm{diag}\,
e^{\log \sigma^2})$ with $(\mu, \log \sigma^2) = f_\phi(x)$ gives the evidence lower bound (ELBO)

$$\log p_\theta(x) = \underbrace{E_q[\log p_\theta(x \mid z)] - \mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))}_{\text{ELBO}}
  + \mathrm{KL}(q_\phi(z \mid x) \,\|\, p_\theta(z \mid x)) \ge \text{ELBO},$$

and, with $k$ draws $z_j \sim q_\phi(z \mid x)$ and weights $w_j = p_\theta(x, z_j) / q_\phi(z_j \mid x)$, the
importance-weighted bound (IWAE) $\mathcal L_k = E\bigl[\log \frac1k \sum_j w_j\bigr]$, with
$\mathcal L_1 = \text{ELBO} \le \mathcal L_k \le \mathcal L_{k+1} \le \log p_\theta(x)$ and
$\mathcal L_k \to \log p_\theta(x)$ as $k \to \infty$ (Burda et al., 2016).

| function | formula |
| --- | --- |
| `gaussian_kl(mu, logvar)` | $\mathrm{KL}(N(\mu, \mathrm{diag}\, e^{\log\sigma^2}) \,\|\, N(0, I)) = \frac12 \sum (\mu^2 + e^{\log\sigma^2} - 1 - \log\sigma^2)$ |
| `reparameterize(mu, logvar)` | $z = \mu + e^{\log\sigma^2 / 2} \odot \varepsilon$, $\varepsilon \sim N(0, I)$ |
| `gaussian_log_prob(z, mu, logvar)` | $\log N(z; \mu, \mathrm{diag}\, e^{\log\sigma^2})$ |
| `bernoulli_log_prob(logits, x)` | $\sum_i x_i \ell_i - \log(1 + e^{\ell_i})$ |
| `elbo(log_px_given_z, mu, logvar)` | $\log p(x \mid z) - \mathrm{KL}$ |
| `iwae_bound(log_w)` | $\log \frac1k \sum_j e^{\log w_j}$ = logsumexp $- \log k$ |

`VAE` is the MLP model of Kingma & Welling (2014) with a Bernoulli decoder, `binarize` the static
binarization of MNIST its numbers depend on, `train_vae` and `evaluate_vae` the training loop and the
evaluation shared by the lab and `experiments/lecture14/train_vae.py`. Everything is plain tensor code
differentiated by autograd; `torch.distributions` is used only by the tests, as the oracle.

See: the VAE page (docs/vae.zh.md)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ._checks import check_all, check_ndim, check_same_shape, check_shape, check_tensor, expect, is_int, is_real

__all__ = ["gaussian_kl", "reparameterize", "gaussian_log_prob", "bernoulli_log_prob", "elbo", "iwae_bound",
           "binarize", "VAE", "train_vae", "evaluate_vae"]

LOG_2PI = math.log(2 * math.pi)


def _check_gaussian(who: str, mu: Any, logvar: Any) -> None:
    """`mu` and `logvar`: floating-point tensors of the same shape, with a last (latent) dimension."""
    for name, v in (("mu", mu), ("logvar", logvar)):
        check_tensor(who, name, v)
        expect(v.is_floating_point(), who, f"{name} of a floating-point dtype", v.dtype, TypeError)
    check_ndim(who, mu, range(1, 64), "mu of shape (..., d) with d >= 1", nonempty=True)
    check_same_shape(who, mu, logvar, ("mu", "logvar"))


def _check_generator(who: str, generator: Any) -> None:
    expect(generator is None or isinstance(generator, torch.Generator), who, "generator None or a torch.Generator",
           type(generator).__name__, TypeError)


def _check_count(who: str, name: str, value: Any) -> None:
    expect(is_int(value) and value >= 1, who, f"{name} an integer >= 1", repr(value))


def _randn_like(x: Tensor, generator: torch.Generator | None) -> Tensor:
    r"""$\varepsilon \sim N(0, I)$ shaped like `x`: drawn on the generator's device (else `x`'s), then moved to `x`'s."""
    device = x.device if generator is None else generator.device
    return torch.randn(x.shape, generator=generator, dtype=x.dtype, device=device).to(x.device)


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    r"""$\mathrm{KL}\bigl(N(\mu, \mathrm{diag}\, e^{\log\sigma^2}) \,\|\, N(0, I)\bigr)$, summed over the last dimension.

    $$\mathrm{KL} = \frac12 \sum_{j=1}^d \bigl(\mu_j^2 + e^{\log\sigma_j^2} - 1 - \log\sigma_j^2\bigr) \ge 0,$$

    zero only at $\mu = 0$, $\log\sigma^2 = 0$. This is the analytic KL term of the ELBO.

    Args:
        mu: $\mu$, shape (..., d).
        logvar: $\log\sigma^2$, the log-variances, same shape.

    Returns:
        The KL divergence in nats, shape (...,).

    Raises:
        TypeError: if an argument is not a floating-point tensor.
        ValueError: if the shapes differ or `mu` has no last dimension.

    See: the VAE page (docs/vae.zh.md)
    """
    _check_gaussian("gaussian_kl", mu, logvar)
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)  # (...,)


def reparameterize(mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None) -> Tensor:
    r"""A draw $z \sim N(\mu, \mathrm{diag}\, e^{\log\sigma^2})$ as a differentiable function of $(\mu, \log\sigma^2)$.

    $$z = \mu + e^{\log\sigma^2 / 2} \odot \varepsilon, \qquad \varepsilon \sim N(0, I),$$

    so $\partial z / \partial \mu = 1$ and $\partial z / \partial \log\sigma^2 = \frac12 e^{\log\sigma^2/2}\varepsilon$:
    the randomness sits in $\varepsilon$, which does not depend on the parameters (the reparameterization trick).

    Args:
        mu: $\mu$, shape (..., d).
        logvar: $\log\sigma^2$, same shape.
        generator: draws $\varepsilon$ on its own device (a CPU generator gives the same numbers on any
            device), then $\varepsilon$ is moved to `mu`'s device; None: the global generator of `mu`'s device.

    Returns:
        $z$, shape (..., d).

    Raises:
        TypeError: on a non-tensor or non-float argument, or a `generator` that is not a `torch.Generator`.
        ValueError: if the shapes differ.

    See: the VAE page (docs/vae.zh.md)
    """
    _check_gaussian("reparameterize", mu, logvar)
    _check_generator("reparameterize", generator)
    eps = _randn_like(mu, generator)  # (..., d)
    return mu + torch.exp(0.5 * logvar) * eps  # (..., d)


def gaussian_log_prob(z: Tensor, mu: Tensor | None = None, logvar: Tensor | None = None) -> Tensor:
    r"""$\log N(z; \mu, \mathrm{diag}\, e^{\log\sigma^2})$, summed over the last dimension.

    $$\log N(z; \mu, \mathrm{diag}\,\sigma^2) = -\frac12 \sum_{j=1}^d \Bigl(\log 2\pi + \log\sigma_j^2
      + \frac{(z_j - \mu_j)^2}{\sigma_j^2}\Bigr).$$

    Args:
        z: the point, shape (..., d).
        mu: $\mu$, broadcastable with `z` (e.g. (N, d) for `z` of shape (k, N, d)); None: 0.
        logvar: $\log\sigma^2$, broadcastable with `z` too (e.g. (d,), shared); None: 0 (unit variances).

    Returns:
        The log-density in nats, shape of `z` without its last dimension (broadcast with `mu`'s).

    Raises:
        TypeError: on a non-float tensor.
        ValueError: if the last dimension of `mu` or `logvar` is not `z`'s (or 1), or the shapes do not broadcast.

    See: the VAE page (docs/vae.zh.md)
    """
    who = "gaussian_log_prob"
    check_tensor(who, "z", z)
    expect(z.is_floating_point(), who, "z of a floating-point dtype", z.dtype, TypeError)
    check_ndim(who, z, range(1, 64), "z of shape (..., d) with d >= 1", nonempty=True)
    mu = z.new_zeros(1) if mu is None else mu  # broadcasts as 0
    logvar = z.new_zeros(1) if logvar is None else logvar  # as 0: unit variances
    for name, v in (("mu", mu), ("logvar", logvar)):
        check_tensor(who, name, v)
        expect(v.is_floating_point(), who, f"{name} of a floating-point dtype", v.dtype, TypeError)
        expect(v.ndim >= 1 and v.shape[-1] in (1, z.shape[-1]), who, f"{name} with last dimension {z.shape[-1]} "
               "(z's)", tuple(v.shape))
    try:
        torch.broadcast_shapes(z.shape, mu.shape, logvar.shape)
    except RuntimeError:
        raise ValueError(f"{who} expects z, mu and logvar of broadcastable shapes, got {tuple(z.shape)}, "
                         f"{tuple(mu.shape)} and {tuple(logvar.shape)}") from None
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) * torch.exp(-logvar)).sum(-1)  # (...,)


def bernoulli_log_prob(logits: Tensor, x: Tensor) -> Tensor:
    r"""$\log p(x \mid z) = \sum_i \bigl(x_i \log \sigma(\ell_i) + (1 - x_i) \log(1 - \sigma(\ell_i))\bigr)$ from logits $\ell$.

    Since $\log \sigma(\ell) = \ell - \log(1 + e^\ell)$ and $\log(1 - \sigma(\ell)) = -\log(1 + e^\ell)$, this is
    $\sum_i x_i \ell_i - \mathrm{softplus}(\ell_i)$: no $\sigma$ is computed, so it is finite for any logit
    (the negative binary cross-entropy with logits, summed over the pixels).

    Args:
        logits: $\ell$, shape (..., D), broadcastable with `x` (e.g. (k, N, D) against (N, D)).
        x: the observations, shape (..., D); 0/1 for a likelihood (values in [0, 1] are accepted).

    Returns:
        The log-likelihood in nats, the broadcast shape without its last dimension.

    Raises:
        TypeError: on a non-float tensor.
        ValueError: if the last dimensions differ or `x` has values outside [0, 1].

    See: the VAE page (docs/vae.zh.md)
    """
    who = "bernoulli_log_prob"
    for name, v in (("logits", logits), ("x", x)):
        check_tensor(who, name, v)
        expect(v.is_floating_point(), who, f"{name} of a floating-point dtype", v.dtype, TypeError)
        check_ndim(who, v, range(1, 64), f"{name} of shape (..., D) with D >= 1", nonempty=True)
    expect(logits.shape[-1] == x.shape[-1], who, "logits and x with the same last dimension D",
           f"{tuple(logits.shape)} and {tuple(x.shape)}")
    check_all(who, "x in [0, 1] (a Bernoulli likelihood)", (x >= 0) & (x <= 1), x)
    return (x * logits - F.softplus(logits)).sum(-1)  # (...,): Σ x ℓ - log(1 + e^ℓ)


def elbo(log_px_given_z: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    r"""The single-sample ELBO with the analytic KL term: $\log p(x \mid z) - \mathrm{KL}(q(z \mid x) \,\|\, p(z))$.

    With $z \sim q$ drawn by `reparameterize`, its expectation is the ELBO, and its gradient an unbiased
    estimate of the ELBO's gradient.

    Args:
        log_px_given_z: $\log p_\theta(x \mid z)$ per example, shape (...,) (e.g. `bernoulli_log_prob`).
        mu: $\mu$ of $q(z \mid x)$, shape (..., d).
        logvar: $\log\sigma^2$ of $q(z \mid x)$, same shape.

    Returns:
        The ELBO per example in nats, shape (...,).

    Raises:
        ValueError: if `log_px_given_z` is not of shape `mu.shape[:-1]`.

    See: the VAE page (docs/vae.zh.md)
    """
    who = "elbo"
    _check_gaussian(who, mu, logvar)
    check_shape(who, "log_px_given_z", log_px_given_z, tuple(mu.shape[:-1]), like=" (mu without its last dim)")
    return log_px_given_z - gaussian_kl(mu, logvar)  # (...,)


def iwae_bound(log_w: Tensor) -> Tensor:
    r"""The importance-weighted bound $\log \frac1k \sum_{j=1}^k w_j$ from the log-weights, computed stably.

    $$\log \frac1k \sum_j e^{\log w_j} = m + \log \sum_j e^{\log w_j - m} - \log k, \qquad m = \max_j \log w_j$$

    (`torch.logsumexp`), finite even where every $e^{\log w_j}$ under- or overflows. With
    $\log w_j = \log p(x, z_j) - \log q(z_j \mid x)$, $z_j \sim q$, its expectation is $\mathcal L_k$.

    Args:
        log_w: the log-weights, shape (k, N): $k \ge 1$ draws for each of $N$ examples.

    Returns:
        The bound per example in nats, shape (N,).

    Raises:
        TypeError: if `log_w` is not a floating-point tensor.
        ValueError: if `log_w` is not 2-D with $k \ge 1$.

    See: the VAE page (docs/vae.zh.md)
    """
    who = "iwae_bound"
    check_tensor(who, "log_w", log_w)
    expect(log_w.is_floating_point(), who, "log_w of a floating-point dtype", log_w.dtype, TypeError)
    check_ndim(who, log_w, (2,), "log_w of shape (k, N) with k >= 1")
    expect(log_w.shape[0] >= 1, who, "log_w of shape (k, N) with k >= 1", f"shape {tuple(log_w.shape)}")
    return torch.logsumexp(log_w, dim=0) - math.log(log_w.shape[0])  # (N,)


def binarize(images: Any, seed: int) -> Tensor:
    r"""Static stochastic binarization of MNIST: each pixel drawn **once** as $\mathrm{Bernoulli}(\text{intensity}/255)$.

    A Bernoulli decoder needs 0/1 data, and how the grey levels become 0/1 changes the numbers:
    the likelihood of a *different* data set is measured each way. Drawing the pixels once with a pinned
    seed (static binarization, Salakhutdinov & Murray, 2008) gives one fixed data set, so a test ELBO
    or IWAE bound can be compared across runs and papers. Redrawing them at every epoch (dynamic
    binarization) acts as data augmentation and overfits less; thresholding at 0.5 gives far less
    noisy images, whose log-likelihoods are much higher (less negative). Neither number is comparable
    with the static one. Use different seeds for the training and the test images (0 and 1 in the notes).

    Args:
        images: uint8 intensities 0..255, a NumPy array or tensor of shape (N, 28, 28) or (N, 784)
            (any (N, ...) works: it is flattened).
        seed: the seed of a CPU generator of its own (the global generator is neither used nor advanced).

    Returns:
        float32 tensor of 0s and 1s, shape (N, 784) for MNIST (N times the pixels per image).

    Raises:
        TypeError: if `images` is not uint8.
        ValueError: on a bad `seed`, or `images` without a batch dimension.

    See: the VAE page (docs/vae.zh.md)
    """
    who = "binarize"
    expect(is_int(seed) and 0 <= seed < 2**63, who, "seed an integer in [0, 2**63)", repr(seed))
    x = torch.as_tensor(images)
    expect(x.dtype == torch.uint8, who, "images of dtype uint8 (intensities 0..255)", x.dtype, TypeError)
    check_ndim(who, x, range(2, 64), "images of shape (N, 28, 28) or (N, 784)", nonempty=True)
    p = x.reshape(x.shape[0], -1).float() / 255  # (N, 784): P(pixel = 1)
    return torch.bernoulli(p, generator=torch.Generator().manual_seed(int(seed)))  # (N, 784) of 0/1


class VAE(nn.Module):
    r"""The MLP variational autoencoder of Kingma & Welling (2014) with a Bernoulli decoder.

    Encoder $x \mapsto h = \mathrm{ReLU}(W_1 x + b_1) \mapsto (\mu, \log\sigma^2) = (W_\mu h + b_\mu,
    W_\sigma h + b_\sigma)$; decoder $z \mapsto \mathrm{ReLU}(W_2 z + b_2) \mapsto$ logits $\ell = W_3 \cdot + b_3$,
    $p_\theta(x \mid z) = \prod_i \mathrm{Bernoulli}(x_i; \sigma(\ell_i))$; prior $p(z) = N(0, I)$.
    The MNIST model of the notes is `VAE(784, 400, 20)` (about 0.65 M parameters).

    Args:
        input_dim: $D$, the pixels of $x$.
        hidden_dim: $H$, the hidden units of the encoder and of the decoder.
        latent_dim: $d$, the dimension of $z$.

    Methods (all per example, in nats, $x$ of shape (N, D) with values in [0, 1] on the model's device):

    - `encode(x)` $\to (\mu, \log\sigma^2)$, each (N, d); `decode(z)` $\to$ logits (..., D).
    - `forward(x, generator=None)` $\to$ `(logits, mu, logvar)`: one $z \sim q(z \mid x)$ by
      `reparameterize`, decoded; what training needs (`elbo` is built from it).
    - `elbo(x, generator=None)` $\to$ (N,): the single-sample ELBO, analytic KL.
    - `log_weights(x, k, generator=None)` $\to$ (k, N): $\log p(x \mid z_j) + \log p(z_j) - \log q(z_j \mid x)$.
    - `iwae_bound(x, k, generator=None)` $\to$ (N,): $\log \frac1k \sum_j w_j$ (its mean over examples
      estimates $\mathcal L_k$); $k = 1$ is an ELBO estimate with a Monte Carlo KL.
    - `sample(n, generator=None)` $\to$ (n, D): the Bernoulli **means** $\sigma(\ell)$ of $x \mid z$ for
      $z \sim N(0, I)$ (grey images; draw `torch.bernoulli` of them for 0/1 samples).

    A `generator` draws on its own device and the draws are moved to the model's (a CPU generator gives
    the same numbers on any device).

    Raises:
        ValueError: on a size that is not an integer $\ge 1$; in the methods, on an `x` not of shape
            (N, D) or with values outside [0, 1], or $k$, $n$ not integers $\ge 1$.

    See: the VAE page (docs/vae.zh.md)
    """

    def __init__(self, input_dim: int = 784, hidden_dim: int = 400, latent_dim: int = 20) -> None:
        super().__init__()
        for name, size in (("input_dim", input_dim), ("hidden_dim", hidden_dim), ("latent_dim", latent_dim)):
            _check_count("VAE", name, size)
        self.input_dim, self.hidden_dim, self.latent_dim = int(input_dim), int(hidden_dim), int(latent_dim)
        D, H, d = self.input_dim, self.hidden_dim, self.latent_dim
        self.encoder = nn.Sequential(nn.Linear(D, H), nn.ReLU())  # x -> h
        self.fc_mu, self.fc_logvar = nn.Linear(H, d), nn.Linear(H, d)  # h -> μ, log σ²
        self.decoder = nn.Sequential(nn.Linear(d, H), nn.ReLU(), nn.Linear(H, D))  # z -> logits

    def extra_repr(self) -> str:
        return f"input_dim={self.input_dim}, hidden_dim={self.hidden_dim}, latent_dim={self.latent_dim}"

    def _check_x(self, who: str, x: Any) -> None:
        check_shape(who, "x", x, ("N", self.input_dim))
        expect(x.is_floating_point(), who, "x of a floating-point dtype", x.dtype, TypeError)
        check_all(who, "x in [0, 1] (a Bernoulli likelihood)", (x >= 0) & (x <= 1), x)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        r"""$(\mu, \log\sigma^2)$ of $q_\phi(z \mid x)$, each (N, d), for `x` (N, D)."""
        self._check_x("VAE.encode", x)
        h = self.encoder(x)  # (N, H)
        return self.fc_mu(h), self.fc_logvar(h)  # (N, d), (N, d)

    def decode(self, z: Tensor) -> Tensor:
        r"""The logits $\ell = g_\theta(z)$ of $p_\theta(x \mid z)$, shape (..., D), for `z` (..., d)."""
        check_tensor("VAE.decode", "z", z)
        expect(z.ndim >= 1 and z.shape[-1] == self.latent_dim, "VAE.decode", f"z of shape (..., {self.latent_dim})",
               tuple(z.shape))
        return self.decoder(z)  # (..., D)

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor, Tensor]:
        r"""`(logits, mu, logvar)`: one $z = \mu + \sigma \odot \varepsilon$ decoded, logits (N, D), $\mu$, $\log\sigma^2$ (N, d)."""
        _check_generator("VAE.forward", generator)
        mu, logvar = self.encode(x)  # (N, d) each
        z = reparameterize(mu, logvar, generator)  # (N, d)
        return self.decode(z), mu, logvar  # (N, D), (N, d), (N, d)

    def elbo(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        r"""The single-sample ELBO per example, $\log p_\theta(x \mid z) - \mathrm{KL}(q \,\|\, p(z))$, shape (N,)."""
        logits, mu, logvar = self(x, generator)  # (N, D), (N, d), (N, d)
        return elbo(bernoulli_log_prob(logits, x), mu, logvar)  # (N,)

    def log_weights(self, x: Tensor, k: int, generator: torch.Generator | None = None) -> Tensor:
        r"""$\log w_j = \log p_\theta(x \mid z_j) + \log p(z_j) - \log q_\phi(z_j \mid x)$ for $k$ draws $z_j \sim q$: (k, N).

        The $k \times N$ decodings run in chunks of about 16,384 rows, so memory stays bounded for large $k$.
        """
        _check_count("VAE.log_weights", "k", k)
        _check_generator("VAE.log_weights", generator)
        mu, logvar = self.encode(x)  # (N, d) each
        shape = (k, *mu.shape)  # (k, N, d)
        z = reparameterize(mu.expand(shape), logvar.expand(shape), generator)  # (k, N, d)
        log_q = gaussian_log_prob(z, mu, logvar)  # (k, N): log q(z_j | x)
        log_prior = gaussian_log_prob(z)  # (k, N): log p(z_j)
        rows = max(1, 16384 // k)  # examples per chunk
        log_px = torch.cat([bernoulli_log_prob(self.decode(z[:, i:i + rows]), x[i:i + rows])
                            for i in range(0, x.shape[0], rows)], dim=1)  # (k, N): log p(x | z_j)
        return log_px + log_prior - log_q  # (k, N)

    def iwae_bound(self, x: Tensor, k: int, generator: torch.Generator | None = None) -> Tensor:
        r"""The importance-weighted bound $\log \frac1k \sum_{j=1}^k w_j$ per example, shape (N,)."""
        return iwae_bound(self.log_weights(x, k, generator))  # (N,)

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        r"""Bernoulli means $\sigma(g_\theta(z))$ for $n$ draws $z \sim N(0, I)$: (n, D), values in (0, 1)."""
        _check_count("VAE.sample", "n", n)
        _check_generator("VAE.sample", generator)
        weight = self.decoder[0].weight  # (H, d): the model's device and dtype
        z = _randn_like(weight.new_empty(n, self.latent_dim), generator)  # (n, d)
        return torch.sigmoid(self.decode(z))  # (n, D)


def _model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def _check_data(who: str, model: VAE, data: Any) -> None:
    expect(isinstance(model, VAE), who, "model a dlnotes.generative.VAE", type(model).__name__, TypeError)
    check_shape(who, "data", data, ("N", model.input_dim))
    expect(data.shape[0] >= 1 and data.is_floating_point(), who, "data: a non-empty float tensor",
           f"shape {tuple(data.shape)}, dtype {data.dtype}")
    check_all(who, "data in [0, 1]", (data >= 0) & (data <= 1), data)


def train_vae(model: VAE, data: Tensor, epochs: int = 1, batch_size: int = 128, lr: float = 1e-3, *,
              max_steps: int | None = None, dynamic: bool = False, generator: torch.Generator | None = None,
              callback: Callable[[int, float], None] | None = None) -> list[float]:
    r"""Maximize the ELBO with Adam: per step, the loss $-\frac1B \sum_{i \in \text{batch}} \text{ELBO}(x_i)$.

    Each epoch visits the examples once in a new random order ($\lceil N / B \rceil$ steps, the last
    batch smaller). The number of steps is fixed (never wall-clock time), so a run is reproducible.

    Args:
        model: the `VAE`; batches are moved to its device.
        data: training images (N, D) in [0, 1], kept on the CPU: 0/1 from `binarize` (static
            binarization), or intensities/255 with `dynamic=True`.
        epochs: passes over the data.
        batch_size: $B$.
        lr: Adam's learning rate $\eta$.
        max_steps: stop after this many steps in all (None: `epochs` full epochs).
        dynamic: redraw each batch as $\mathrm{Bernoulli}(\text{data})$ (dynamic binarization).
        generator: a CPU `torch.Generator` for the order, the $\varepsilon$ and the dynamic draws
            (None: the global one).
        callback: called as `callback(epoch, loss)` after each full epoch (counted from 1), with the
            epoch's mean training loss.

    Returns:
        The training loss (negative ELBO per example, nats) of every step.

    Raises:
        TypeError: if `model` is not a `VAE`.
        ValueError: on bad `data` or a bad count or learning rate.

    See: the VAE page (docs/vae.zh.md)
    """
    who = "train_vae"
    _check_data(who, model, data)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        _check_count(who, name, value)
    expect(max_steps is None or (is_int(max_steps) and max_steps >= 1), who, "max_steps None or an integer >= 1",
           repr(max_steps))
    expect(is_real(lr) and lr > 0, who, "lr > 0", repr(lr))
    expect(isinstance(dynamic, bool), who, "dynamic True or False", repr(dynamic))
    _check_generator(who, generator)
    device, N = _model_device(model), data.shape[0]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    model.train()
    for epoch in range(1, epochs + 1):
        first = len(losses)
        order = torch.randperm(N, generator=generator)  # (N,)
        for i in range(0, N, batch_size):
            x = data[order[i:i + batch_size]]  # (B, D), on the CPU
            x = torch.bernoulli(x, generator=generator) if dynamic else x
            loss = -model.elbo(x.to(device), generator).mean()  # scalar: -ELBO per example
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if max_steps is not None and len(losses) >= max_steps:
                return losses
        if callback is not None:
            callback(epoch, sum(losses[first:]) / (len(losses) - first))
    return losses


@torch.no_grad()
def evaluate_vae(model: VAE, data: Tensor, k: int | None = None, batch_size: int = 500,
                 generator: torch.Generator | None = None) -> float:
    r"""The mean over `data` of the single-sample ELBO (`k=None`) or of the IWAE bound with `k` draws, in nats.

    Both are unbiased estimates of their bounds on the mean log-likelihood $\frac1N \sum_i \log p_\theta(x_i)$,
    $\text{ELBO} \le \mathcal L_k \le \log p_\theta(x)$. Runs in evaluation mode without a graph, batch by batch.

    Args:
        model: the `VAE`.
        data: images (N, D), 0/1, on the CPU (each batch is moved to the model's device).
        k: None for the ELBO, else the number of importance samples $k \ge 1$.
        batch_size: examples per batch (the IWAE decodes $k \times$ `batch_size` rows, in chunks).
        generator: a CPU `torch.Generator` for the draws (None: the global one).

    Returns:
        The mean bound in nats per example (a Python float).

    Raises:
        TypeError: if `model` is not a `VAE`.
        ValueError: on bad `data`, `k` or `batch_size`.

    See: the VAE page (docs/vae.zh.md)
    """
    who = "evaluate_vae"
    _check_data(who, model, data)
    expect(k is None or (is_int(k) and k >= 1), who, "k None (ELBO) or an integer >= 1", repr(k))
    _check_count(who, "batch_size", batch_size)
    _check_generator(who, generator)
    device, total = _model_device(model), 0.0
    model.eval()
    for i in range(0, data.shape[0], batch_size):
        x = data[i:i + batch_size].to(device)  # (B, D)
        bound = model.elbo(x, generator) if k is None else model.iwae_bound(x, k, generator)  # (B,)
        total += bound.double().sum().item()
    return total / data.shape[0]
