r"""Attention of lec13, written out from its formulas: score functions, scaled dot-product and multi-head attention.

For queries $Q \in \mathbb{R}^{L \times d_k}$, keys $K \in \mathbb{R}^{S \times d_k}$ and values
$V \in \mathbb{R}^{S \times d_v}$ (observations in **rows**, as in code; the slides put them in
columns and write $H = V\,\mathrm{softmax}(K^\top Q/\sqrt{D_k})$, the transpose of the same numbers),

$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}} + M\right) V,$$

the softmax taken over the last axis (over the keys), with $M$ a mask of $0$ and $-\infty$.

- `scaled_dot_product_attention`: the formula above, as `torch.nn.functional.scaled_dot_product_attention`;
  `causal_mask` builds the mask that hides the future.
- `AdditiveScore`, `DotScore`, `ScaledDotScore`, `BilinearScore`: the four score functions
  $s(k, q)$ of the slides (Bahdanau's additive, the dot product, the scaled dot product,
  Luong's bilinear "general"), each a module mapping queries and keys to the $(L, S)$ scores.
- `MultiheadAttention`: $h$ heads of scaled dot-product attention on learned projections,
  concatenated and projected back, as `torch.nn.MultiheadAttention`.
- `sinusoidal_positional_encoding`: the sine/cosine table of Vaswani et al. (2017).

**Two mask conventions, both PyTorch's.** In `scaled_dot_product_attention` a boolean mask
entry **True means "takes part"** (False is masked out); in `MultiheadAttention` a boolean
`attn_mask` or `key_padding_mask` entry **True means "masked out"**. Floating masks are added
to the scores in both. A query whose keys are all masked out gets weights 0 (output 0) from
`scaled_dot_product_attention`, as PyTorch's; `MultiheadAttention` with `need_weights=True`
gives NaN there, as PyTorch's does.

Names, arguments, shapes and parameters are PyTorch's (torch 2.13), so state dicts load both
ways; no PyTorch attention op is called, and autograd differentiates everything. Refused, not
ignored: dropout of the weights (`dropout_p` $\neq 0$; `MultiheadAttention`'s `dropout` in training
mode), grouped-query attention, `add_bias_kv`, `add_zero_attn`, and key or value sizes other
than `embed_dim`.

See: the attention page (docs/attention.zh.md)
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from ._checks import check_shape, check_tensor, expect, is_int, is_real

__all__ = ["scaled_dot_product_attention", "causal_mask", "AdditiveScore", "DotScore", "ScaledDotScore",
           "BilinearScore", "MultiheadAttention", "sinusoidal_positional_encoding"]


def _check_size(who: str, name: str, value: Any) -> None:
    expect(is_int(value) and value >= 1, who, f"{name} an integer >= 1", repr(value))


def _check_flags(who: str, **flags: Any) -> None:
    for name, flag in flags.items():
        expect(isinstance(flag, bool), who, f"{name} True or False", repr(flag))


def causal_mask(L: int, S: int | None = None, *, device: torch.device | str | None = None) -> Tensor:
    r"""The boolean causal mask of shape `(L, S)`: entry $(i, j)$ is True (may attend) iff $j \le i$.

    Aligned top-left as in PyTorch: when $L \neq S$, query $i$ sees keys $0, \dots, i$. True means
    "takes part", the convention of `scaled_dot_product_attention`; `MultiheadAttention` wants
    the complement, `~causal_mask(L)`.

    See: the attention page (docs/attention.zh.md)
    """
    S = L if S is None else S
    expect(is_int(L) and is_int(S) and L >= 0 and S >= 0, "causal_mask", "non-negative int sizes L and S",
           f"{L!r} and {S!r}")
    return torch.ones(L, S, dtype=torch.bool, device=device).tril()


def _scores(query: Tensor, key: Tensor, scale: float) -> Tensor:
    r"""$Q K^\top \cdot \text{scale}$, shape `(..., L, S)`; the scale multiplies the shorter of $Q$ and $K$."""
    if query.shape[-2] <= key.shape[-2]:
        return (query * scale) @ key.transpose(-2, -1)  # (..., L, S)
    return query @ (key * scale).transpose(-2, -1)  # (..., L, S)


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, dropout_p: float, scale: float | None) -> None:
    who = "scaled_dot_product_attention"
    for name, x in (("query", query), ("key", key), ("value", value)):
        check_tensor(who, name, x)
        expect(x.ndim >= 2, who, f"{name} with at least 2 dimensions (..., length, features)", tuple(x.shape))
    expect(query.dtype == key.dtype == value.dtype, who, "query, key and value of one dtype",
           f"{query.dtype}, {key.dtype} and {value.dtype}")
    expect(query.shape[-1] == key.shape[-1], who, "query and key with the same last dimension (E)",
           f"{tuple(query.shape)} and {tuple(key.shape)}")
    expect(key.shape[-2] == value.shape[-2], who, "key and value of the same length (S)",
           f"{tuple(key.shape)} and {tuple(value.shape)}")
    try:
        torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(f"{who} expects query, key and value with broadcastable leading (batch, head) dimensions, "
                         f"got {tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}") from None
    expect(is_real(dropout_p) and dropout_p == 0.0, who, "dropout_p = 0 (dropout of the weights is not implemented)",
           repr(dropout_p), NotImplementedError)
    expect(scale is None or (is_real(scale) and math.isfinite(scale)), who, "scale None or a finite number",
           repr(scale))


def _masked(scores: Tensor, attn_mask: Tensor) -> Tensor:
    r"""`scores` with a boolean mask (True = takes part) applied as $-\infty$, or a floating one added."""
    who = "scaled_dot_product_attention"
    check_tensor(who, "attn_mask", attn_mask)
    expect(attn_mask.dtype == torch.bool or attn_mask.is_floating_point(), who, "a boolean or floating attn_mask",
           attn_mask.dtype)
    try:
        if attn_mask.dtype == torch.bool:
            return scores.masked_fill(~attn_mask, -math.inf)  # (..., L, S)
        return scores + attn_mask.to(scores.dtype)  # (..., L, S)
    except RuntimeError:
        raise ValueError(f"{who} expects attn_mask broadcastable to {tuple(scores.shape)}, "
                         f"got {tuple(attn_mask.shape)}") from None


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    r"""$\mathrm{softmax}(Q K^\top \cdot \text{scale} + M)\,V$, as `torch.nn.functional.scaled_dot_product_attention`.

    Args:
        query: $Q$, shape `(..., L, E)`.
        key: $K$, shape `(..., S, E)`.
        value: $V$, shape `(..., S, Ev)`; leading dimensions broadcast (batch, heads).
        attn_mask: $M$, broadcastable to `(..., L, S)`: boolean (True = takes part, False = masked
            out) or floating (added to the scores).
        dropout_p: only 0 is supported (`NotImplementedError` otherwise).
        is_causal: mask the future: query $i$ attends to keys $j \le i$ (top-left aligned when
            $L \neq S$); an error together with `attn_mask`.
        scale: the factor on $Q K^\top$; default $1/\sqrt{E}$.
        enable_gqa: grouped-query attention is not supported (`NotImplementedError` if True).

    Returns:
        The attention output, shape `(..., L, Ev)`. A query row whose keys are all masked out
        gets weights 0, so output 0 (and gradient 0), as PyTorch's function (not NaN, as the
        plain softmax of $-\infty$ everywhere would give).

    Raises:
        TypeError: if `query`, `key`, `value` or `attn_mask` is not a tensor.
        ValueError: on shapes that do not fit, dtypes that differ, `attn_mask` together with
            `is_causal=True`, or a mask that is neither boolean nor floating.
        NotImplementedError: on `dropout_p` $\neq 0$ or `enable_gqa=True`.

    See: the attention page (docs/attention.zh.md)
    """
    who = "scaled_dot_product_attention"
    _check_sdpa(query, key, value, dropout_p, scale)
    _check_flags(who, is_causal=is_causal, enable_gqa=enable_gqa)
    expect(not enable_gqa, who, "enable_gqa=False (grouped-query attention is not implemented)", True,
           NotImplementedError)
    expect(not (is_causal and attn_mask is not None), who, "either attn_mask or is_causal=True, not both",
           "both")
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale  # 1/√d_k
    scores = _scores(query, key, scale)  # (..., L, S)
    if is_causal:  # no row is all masked: query i always sees key 0
        future = torch.ones(L, S, dtype=torch.bool, device=query.device).triu_(1)  # (L, S): ~causal_mask(L, S)
        with torch.no_grad():  # in place on a fresh tensor, and untracked: the softmax's gradient there is 0 anyway
            scores.masked_fill_(future, -math.inf)  # (..., L, S)
        return torch.softmax(scores, dim=-1) @ value  # (..., L, Ev)
    if attn_mask is None:
        return torch.softmax(scores, dim=-1) @ value  # (..., L, Ev)
    scores = _masked(scores, attn_mask)  # (..., L, S)
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)  # (..., L, 1): queries with every key masked out
    weights = torch.softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)  # (..., L, S)
    return weights @ value  # (..., L, Ev)


def _check_query_key(who: str, query: Tensor, key: Tensor, query_dim: int | None, key_dim: int | None) -> None:
    """Tensors `query` (..., L, Dq) and `key` (..., S, Dk) with broadcastable leading dimensions."""
    for name, x, length, dim in (("query", query, "L", query_dim), ("key", key, "S", key_dim)):
        check_tensor(who, name, x)
        expect(x.ndim >= 2, who, f"{name} of shape (..., {length}, D) with at least 2 dimensions",
               f"shape {tuple(x.shape)}")
        expect(dim is None or x.shape[-1] == dim, who, f"{name} with {dim} features (last dim)",
               f"shape {tuple(x.shape)}")
    try:
        torch.broadcast_shapes(query.shape[:-2], key.shape[:-2])
    except RuntimeError:
        raise ValueError(f"{who} expects query and key with broadcastable leading dimensions, "
                         f"got {tuple(query.shape)} and {tuple(key.shape)}") from None


def _check_same_dim(who: str, query: Tensor, key: Tensor) -> None:
    _check_query_key(who, query, key, None, None)
    expect(query.shape[-1] == key.shape[-1], who, "query and key with the same last dimension (D)",
           f"{tuple(query.shape)} and {tuple(key.shape)}")


class AdditiveScore(nn.Module):
    r"""The additive score of the slides and of Bahdanau et al. (2015): $s(k, q) = v^\top \tanh(W k + U q)$.

    A one-hidden-layer network on the pair (key $k$, query $q$), so keys and queries may have
    different sizes. The slides write $s(x, q) = v^\top \tanh(W x + U q)$ with $x$ the key;
    Bahdanau's $e_{ij} = v_a^\top \tanh(W_a s_{i-1} + U_a h_j)$ names the matrices the other way
    round: his $W_a$ (on the query) is our `U`, his $U_a$ (on the key) our `W`.

    Args:
        query_dim: $D_q$, the features of a query.
        key_dim: $D_k$, the features of a key.
        hidden_dim: $D_a$, the hidden units of the scoring network.
        device: where the parameters are made.
        dtype: their floating-point dtype.

    Parameters, three `nn.Linear` without bias: `W.weight` $(D_a, D_k)$, `U.weight` $(D_a, D_q)$
    and `v.weight` $(1, D_a)$, in all $D_a (D_k + D_q + 1)$ numbers whatever the lengths, each from
    `nn.Linear`'s $U(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})$. `forward(query, key)` maps
    `query` $(\dots, L, D_q)$ and `key` $(\dots, S, D_k)$ to the scores $(\dots, L, S)$, through an
    intermediate $(\dots, L, S, D_a)$: time and memory grow with $L \cdot S \cdot D_a$.

    Raises:
        ValueError: on a bad size; in `forward`, on feature sizes other than $D_q$ and $D_k$, or
            leading dimensions that do not broadcast.

    See: the attention page (docs/attention.zh.md)
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int, device: Any = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        for name, size in (("query_dim", query_dim), ("key_dim", key_dim), ("hidden_dim", hidden_dim)):
            _check_size("AdditiveScore", name, size)
        self.query_dim, self.key_dim, self.hidden_dim = int(query_dim), int(key_dim), int(hidden_dim)
        factory = {"bias": False, "device": device, "dtype": dtype}
        self.W = nn.Linear(self.key_dim, self.hidden_dim, **factory)  # on the keys: (D_a, D_k)
        self.U = nn.Linear(self.query_dim, self.hidden_dim, **factory)  # on the queries: (D_a, D_q)
        self.v = nn.Linear(self.hidden_dim, 1, **factory)  # (1, D_a)

    def forward(self, query: Tensor, key: Tensor) -> Tensor:
        r"""The scores $s_{ij} = v^\top \tanh(W k_j + U q_i)$, shape `(..., L, S)`."""
        _check_query_key("AdditiveScore", query, key, self.query_dim, self.key_dim)
        Wk = self.W(key).unsqueeze(-3)  # (..., 1, S, D_a): W k_j
        Uq = self.U(query).unsqueeze(-2)  # (..., L, 1, D_a): U q_i
        return self.v(torch.tanh(Wk + Uq)).squeeze(-1)  # (..., L, S, D_a) -> (..., L, S)


class DotScore(nn.Module):
    r"""The dot-product score $s(k, q) = k^\top q$; no parameters.

    `forward(query, key)` maps `query` $(\dots, L, D)$ and `key` $(\dots, S, D)$ to $Q K^\top$,
    shape $(\dots, L, S)$; queries and keys must have the same size $D$.

    Raises:
        ValueError: in `forward`, on feature sizes that differ or leading dimensions that do not broadcast.

    See: the attention page (docs/attention.zh.md)
    """

    def forward(self, query: Tensor, key: Tensor) -> Tensor:
        r"""The scores $q_i^\top k_j$, shape `(..., L, S)`."""
        _check_same_dim("DotScore", query, key)
        return query @ key.transpose(-2, -1)  # (..., L, S)


class ScaledDotScore(nn.Module):
    r"""The scaled dot-product score $s(k, q) = k^\top q / \sqrt{D}$ of the Transformer; no parameters.

    For $q, k$ with independent entries of mean 0 and variance 1, $q^\top k$ has variance $D$:
    dividing by $\sqrt{D}$ keeps the scores, and so the softmax, out of saturation whatever $D$.
    `forward(query, key)` maps `query` $(\dots, L, D)$ and `key` $(\dots, S, D)$ to the scores
    $(\dots, L, S)$.

    Raises:
        ValueError: in `forward`, on feature sizes that differ or leading dimensions that do not broadcast.

    See: the attention page (docs/attention.zh.md)
    """

    def forward(self, query: Tensor, key: Tensor) -> Tensor:
        r"""The scores $q_i^\top k_j / \sqrt{D}$, shape `(..., L, S)`."""
        _check_same_dim("ScaledDotScore", query, key)
        return _scores(query, key, 1.0 / math.sqrt(query.shape[-1]))  # (..., L, S)


class BilinearScore(nn.Module):
    r"""The bilinear score of the slides, Luong et al.'s (2015) "general": $s(k, q) = k^\top W q$.

    `W` maps the query into the key space, where it is dotted with the key: with $W = I$ it is
    `DotScore`. Luong writes $q^\top W_a k$, the same with $W_a = W^\top$.

    Args:
        query_dim: $D_q$, the features of a query.
        key_dim: $D_k$, the features of a key.
        device: where the parameter is made.
        dtype: its floating-point dtype.

    One parameter, `W.weight` $(D_k, D_q)$ of an `nn.Linear(D_q, D_k, bias=False)`: $D_k D_q$
    numbers, from $U(-1/\sqrt{D_q}, 1/\sqrt{D_q})$. `forward(query, key)` maps `query`
    $(\dots, L, D_q)$ and `key` $(\dots, S, D_k)$ to $Q W^\top K^\top$, shape $(\dots, L, S)$.

    Raises:
        ValueError: on a bad size; in `forward`, on feature sizes other than $D_q$ and $D_k$, or
            leading dimensions that do not broadcast.

    See: the attention page (docs/attention.zh.md)
    """

    def __init__(self, query_dim: int, key_dim: int, device: Any = None, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        for name, size in (("query_dim", query_dim), ("key_dim", key_dim)):
            _check_size("BilinearScore", name, size)
        self.query_dim, self.key_dim = int(query_dim), int(key_dim)
        self.W = nn.Linear(self.query_dim, self.key_dim, bias=False, device=device, dtype=dtype)  # (D_k, D_q)

    def forward(self, query: Tensor, key: Tensor) -> Tensor:
        r"""The scores $s_{ij} = k_j^\top W q_i$, shape `(..., L, S)`."""
        _check_query_key("BilinearScore", query, key, self.query_dim, self.key_dim)
        return self.W(query) @ key.transpose(-2, -1)  # (..., L, D_k) @ (..., D_k, S) -> (..., L, S)


def _mha_bias(who: str, name: str, mask: Tensor, dtype: torch.dtype) -> Tensor:
    r"""A `MultiheadAttention` mask as an additive bias: boolean True (masked out) is $-\infty$, floating is kept."""
    expect(mask.dtype == torch.bool or mask.is_floating_point(), who, f"a boolean or floating {name}", mask.dtype)
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill_(mask, -math.inf)
    return mask.to(dtype)


class MultiheadAttention(nn.Module):
    r"""Multi-head attention, as `torch.nn.MultiheadAttention`.

    $$\mathrm{head}_i = \mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V), \qquad
      \mathrm{MultiHead}(Q, K, V) = [\mathrm{head}_1, \dots, \mathrm{head}_h]\, W^O,$$

    each head scaled dot-product attention in its own $d = E/h$ dimensions, on $Q W_i^Q + b_i^Q$,
    $K W_i^K + b_i^K$, $V W_i^V + b_i^V$ (rows are positions). Self-attention is $Q = K = V = X$.

    Args:
        embed_dim: $E$, the features of queries, keys, values and output.
        num_heads: $h$, which must divide $E$.
        dropout: dropout on the attention weights: accepted, so that a trained model loads, but
            forward refuses to run in training mode unless it is 0 (`NotImplementedError`); in
            eval mode it does nothing, as in PyTorch.
        bias: learn the biases `in_proj_bias` and `out_proj.bias`.
        add_bias_kv: must be False (refused, not ignored).
        add_zero_attn: must be False (refused, not ignored).
        kdim: None or `embed_dim` (separate key sizes are refused).
        vdim: None or `embed_dim` (separate value sizes are refused).
        batch_first: batched inputs and output are $(N, L, E)$ instead of $(L, N, E)$.
        device: where the parameters are made.
        dtype: their floating-point dtype.

    Parameters, as PyTorch, so state dicts load both ways: `in_proj_weight` $(3E, E)$, the
    transposes $W^{Q\top}$, $W^{K\top}$, $W^{V\top}$ of $W^Q = [W_1^Q, \dots, W_h^Q]$ and so on,
    stacked (head $i$ uses rows $i d$ to $(i + 1) d - 1$ of each block), from `xavier_uniform_`;
    `in_proj_bias` $(3E,)$, zeros; `out_proj`, an `nn.Linear(E, E)` with `out_proj.weight`
    $W^{O\top}$ (`nn.Linear`'s initialisation) and `out_proj.bias`, zeros. In all $4E^2 + 4E$
    numbers ($4E^2$ without biases), whatever $h$.

    `forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)` returns `(attn_output, attn_weights)`, see `forward`.

    Raises:
        ValueError: on a bad size, $h$ not dividing $E$, or a refused option.

    See: the attention page (docs/attention.zh.md)
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        who = "MultiheadAttention"
        _check_size(who, "embed_dim", embed_dim)
        _check_size(who, "num_heads", num_heads)
        expect(embed_dim % num_heads == 0, who, "embed_dim divisible by num_heads",
               f"embed_dim={embed_dim}, num_heads={num_heads}")
        expect(is_real(dropout) and 0 <= dropout <= 1, who, "dropout in [0, 1]", repr(dropout))
        _check_flags(who, bias=bias, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, batch_first=batch_first)
        expect(not add_bias_kv, who, "add_bias_kv=False (bias_k and bias_v are not implemented)", True)
        expect(not add_zero_attn, who, "add_zero_attn=False (the zero key and value are not implemented)", True)
        for name, dim in (("kdim", kdim), ("vdim", vdim)):
            expect(dim is None or dim == embed_dim, who, f"{name} None or embed_dim ({embed_dim}) (other key and "
                   "value sizes are not implemented)", repr(dim))
        self.embed_dim = self.kdim = self.vdim = int(embed_dim)
        self._qkv_same_embed_dim = True
        self.num_heads, self.head_dim = int(num_heads), int(embed_dim) // int(num_heads)
        self.dropout, self.batch_first = dropout, batch_first
        factory = {"device": device, "dtype": dtype}
        E = self.embed_dim
        self.in_proj_weight = nn.Parameter(torch.empty(3 * E, E, **factory))  # (3E, E): W^Q, W^K, W^V stacked
        for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):  # PyTorch's, for kdim, vdim != E
            self.register_parameter(name, None)
        self.register_parameter("in_proj_bias", nn.Parameter(torch.empty(3 * E, **factory)) if bias else None)
        self.out_proj = nn.Linear(E, E, bias=bias, **factory)  # W^O and its bias
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """`xavier_uniform_` on `in_proj_weight`, zero biases; `out_proj.weight` keeps `nn.Linear`'s draw (PyTorch)."""
        nn.init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            nn.init.zeros_(self.in_proj_bias)
            nn.init.zeros_(self.out_proj.bias)

    def _check_inputs(self, query: Any, key: Any, value: Any) -> bool:
        """Tensors of 3 (batched) or 2 (unbatched) dimensions, $E$ features, lengths and batches that fit."""
        who, E = "MultiheadAttention", self.embed_dim
        for name, x in (("query", query), ("key", key), ("value", value)):
            check_tensor(who, name, x)
        layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
        expect(query.ndim in (2, 3), who, f"query of shape {layout} or unbatched (L, E)", f"shape {tuple(query.shape)}")
        for name, x in (("key", key), ("value", value)):
            expect(x.ndim == query.ndim, who, f"{name} with {query.ndim} dimensions like query",
                   f"shape {tuple(x.shape)}")
        for name, x in (("query", query), ("key", key), ("value", value)):
            expect(x.shape[-1] == E, who, f"{name} with embed_dim = {E} features (last dim)", f"shape {tuple(x.shape)}")
            expect(x.dtype == self.in_proj_weight.dtype, who, f"{name} of the parameters' dtype "
                   f"{self.in_proj_weight.dtype}", x.dtype)
        expect(key.shape == value.shape, who, "key and value of the same shape",
               f"{tuple(key.shape)} and {tuple(value.shape)}")
        n = 0 if self.batch_first else 1
        expect(query.ndim == 2 or query.shape[n] == key.shape[n], who, "query and key with the same batch size N",
               f"{tuple(query.shape)} and {tuple(key.shape)}")
        return query.ndim == 3

    def _mask_bias(self, attn_mask: Any, key_padding_mask: Any, batched: bool, N: int, L: int, S: int,
                   dtype: torch.dtype) -> Tensor | None:
        """Both masks as one additive bias broadcastable to (N, h, L, S), or None."""
        who, h = "MultiheadAttention", self.num_heads
        bias = None
        if attn_mask is not None:
            check_tensor(who, "attn_mask", attn_mask)
            shapes = [(L, S), (N * h, L, S)]
            expect(tuple(attn_mask.shape) in shapes, who, f"attn_mask of shape (L, S) = {shapes[0]} or "
                   f"({'N·' if batched else ''}num_heads, L, S) = {shapes[1]}", f"shape {tuple(attn_mask.shape)}")
            bias = _mha_bias(who, "attn_mask", attn_mask, dtype)  # (L, S) or (N·h, L, S)
            bias = bias.view(-1, h, L, S) if bias.ndim == 3 else bias  # (N, h, L, S) or (L, S)
        if key_padding_mask is not None:
            check_shape(who, "key_padding_mask", key_padding_mask, (N, S) if batched else (S,),
                        like=" (N, S), or (S,) unbatched")
            kpm = _mha_bias(who, "key_padding_mask", key_padding_mask, dtype).view(N, 1, 1, S)  # (N, 1, 1, S)
            bias = kpm if bias is None else bias + kpm  # (N, h or 1, L, S)
        return bias

    def _in_projection(self, query: Tensor, key: Tensor, value: Tensor, kind: str) -> tuple[Tensor, Tensor, Tensor]:
        r"""$Q W^{Q\top} + b^Q$, $K W^{K\top} + b^K$, $V W^{V\top} + b^V$: one product for self-attention."""
        W, b = self.in_proj_weight, self.in_proj_bias  # (3E, E), (3E,)
        if kind == "self":  # Q = K = V = X: [Q | K | V] = X [W^Q; W^K; W^V]^T
            return tuple((query @ W.t() if b is None else query @ W.t() + b).chunk(3, dim=-1))  # (N, L, E) each
        Ws, bs = W.chunk(3), (None,) * 3 if b is None else b.chunk(3)  # (E, E) each, (E,) each
        return tuple(x @ w.t() if bb is None else x @ w.t() + bb for x, w, bb in zip((query, key, value), Ws, bs))

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        r"""Attend from `query` to `key`/`value` with $h$ heads: `(attn_output, attn_weights)`.

        Args:
            query: $Q$, $(L, N, E)$, $(N, L, E)$ with `batch_first`, or unbatched $(L, E)$.
            key: $K$, $(S, N, E)$, $(N, S, E)$ or $(S, E)$, as `query`.
            value: $V$, of the shape of `key`.
            key_padding_mask: $(N, S)$ ($(S,)$ unbatched): boolean, **True = the key is padding,
                masked out**; or floating, added to the scores.
            need_weights: also return the attention weights (computed here from the formula);
                if False, the output comes from `scaled_dot_product_attention`.
            attn_mask: $(L, S)$, or $(N \cdot h, L, S)$ (one per batch element and head, heads
                fastest; $(h, L, S)$ unbatched): boolean, **True = masked out**, or floating, added.
            average_attn_weights: return the weights averaged over the heads, else per head.
            is_causal: a hint that `attn_mask` is the causal mask (it must be given, as in
                PyTorch); without `key_padding_mask` and with `need_weights=False`, the causal
                mask is then built and `attn_mask` itself is not read.

        Returns:
            `attn_output`, of the shape of `query`; `attn_weights`, $(N, L, S)$ averaged or
            $(N, h, L, S)$ per head ($(L, S)$ or $(h, L, S)$ unbatched), or None without
            `need_weights`. A query whose keys are all masked out gets NaN weights with
            `need_weights` and output from zero weights without, as in PyTorch.

        Raises:
            TypeError: if an input or a mask is not a tensor.
            ValueError: on shapes, dtypes or flags that do not fit, or `is_causal=True` without `attn_mask`.
            NotImplementedError: in training mode with `dropout` $> 0$.
        """
        who, h, d = "MultiheadAttention", self.num_heads, self.head_dim
        _check_flags(who, need_weights=need_weights, average_attn_weights=average_attn_weights, is_causal=is_causal)
        expect(not (self.training and self.dropout > 0), who, "dropout 0 in training mode (dropout of the weights is "
               "not implemented; call .eval() to run without it)", f"dropout={self.dropout}", NotImplementedError)
        batched = self._check_inputs(query, key, value)
        expect(not is_causal or attn_mask is not None, who, "an attn_mask with is_causal=True (is_causal is only "
               "a hint that attn_mask is causal)", "attn_mask=None")
        kind = "self" if query is key and key is value else "other"
        if batched and not self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))  # (N, L, E), (N, S, E) x2
        elif not batched:
            query, key, value = (x.unsqueeze(0) for x in (query, key, value))  # (1, L, E), (1, S, E) x2
        (N, L, E), S = query.shape, key.shape[1]
        bias = self._mask_bias(attn_mask, key_padding_mask, batched, N, L, S, query.dtype)  # broadcasts to (N, h, L, S)
        q, k, v = self._in_projection(query, key, value, kind)  # (N, L, E), (N, S, E), (N, S, E)
        q, k, v = (x.reshape(N, -1, h, d).transpose(1, 2) for x in (q, k, v))  # (N, h, L or S, d): heads split
        weights = None
        if need_weights:
            scores = _scores(q, k, 1.0 / math.sqrt(d))  # (N, h, L, S)
            weights = torch.softmax(scores if bias is None else scores + bias, dim=-1)  # (N, h, L, S)
            heads = weights @ v  # (N, h, L, d)
        elif is_causal and key_padding_mask is None:  # PyTorch trusts the hint: attn_mask is not read
            heads = scaled_dot_product_attention(q, k, v, is_causal=True)  # (N, h, L, d)
        else:
            heads = scaled_dot_product_attention(q, k, v, attn_mask=bias)  # (N, h, L, d)
        out = self.out_proj(heads.transpose(1, 2).reshape(N, L, E))  # (N, L, E): [head_1, ..., head_h] W^O + b^O
        out = out if batched and self.batch_first else out.transpose(0, 1) if batched else out.squeeze(0)
        if weights is not None:
            weights = weights.mean(dim=1) if average_attn_weights else weights  # (N, L, S) or (N, h, L, S)
            weights = weights if batched else weights.squeeze(0)  # (L, S) or (h, L, S) unbatched
        return out, weights


def sinusoidal_positional_encoding(max_len: int, d_model: int) -> Tensor:
    r"""The sinusoidal table of Vaswani et al. (2017), shape `(max_len, d_model)`, float32.

    $PE[p, 2i] = \sin(p / 10000^{2i/d})$ and $PE[p, 2i+1] = \cos(p / 10000^{2i/d})$ (interleaved);
    an odd `d_model` ends with a sine column. Each pair of columns turns with the position at its
    own frequency $\omega_i = 10000^{-2i/d}$, so $PE[p + k]$ is $PE[p]$ rotated by the angles
    $\omega_i k$, whatever $p$: a relative offset is a fixed linear map.

    Raises:
        ValueError: if `max_len` or `d_model` is not an int $\ge 1$.

    See: the attention page (docs/attention.zh.md)
    """
    expect(is_int(max_len) and max_len >= 1, "sinusoidal_positional_encoding", "max_len an int ≥ 1", repr(max_len))
    expect(is_int(d_model) and d_model >= 1, "sinusoidal_positional_encoding", "d_model an int ≥ 1", repr(d_model))
    p = torch.arange(max_len, dtype=torch.float64)[:, None]  # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (⌈d/2⌉,): 2i
    angle = p / 10000.0 ** (two_i / d_model)  # (max_len, ⌈d/2⌉)
    pe = torch.empty(max_len, d_model, dtype=torch.float64)  # (max_len, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe.float()
