"""dlnotes.gpt: the tiny GPT is causal, tied, equal to a PyTorch-attention twin, and evaluates honestly."""

import math

import pytest
import torch
import torch.nn.functional as F

from dlnotes.gpt import GPT, GPTConfig, evaluate_nll, get_batch, train

CFG = GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def model(cfg: GPTConfig = CFG, seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(cfg).double()


def test_shapes_loss_and_weight_tying():
    m = model()
    idx = torch.randint(11, (3, 8))
    logits, loss = m(idx, idx)
    assert logits.shape == (3, 8, 11) and m.head.weight is m.wte.weight
    torch.testing.assert_close(loss, F.cross_entropy(logits.reshape(-1, 11), idx.reshape(-1)))
    assert m(idx)[1] is None
    assert m.num_parameters() == sum(p.numel() for p in set(m.parameters()))


def test_a_token_never_changes_the_predictions_before_it():
    m = model()
    idx = torch.randint(11, (1, 8))
    base = m(idx)[0]
    for j in range(8):
        changed = idx.clone()
        changed[0, j] = (changed[0, j] + 1) % 11
        out = m(changed)[0]
        torch.testing.assert_close(out[:, :j], base[:, :j], rtol=0, atol=1e-12)
        assert not torch.allclose(out[:, j:], base[:, j:])


def test_attention_equals_pytorch_scaled_dot_product_attention():
    m = model()
    attn = m.blocks[0].attn
    x = torch.randn(2, 8, 16, dtype=torch.float64, requires_grad=True)
    q, k, v = attn.qkv(x).split(16, dim=2)
    q, k, v = (t.view(2, 8, 2, 8).transpose(1, 2) for t in (q, k, v))
    ref = attn.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(2, 8, 16))
    ours = attn(x)
    torch.testing.assert_close(ours, ref)
    g = torch.randn_like(ours)
    torch.testing.assert_close(torch.autograd.grad(ours, x, g)[0], torch.autograd.grad(ref, x, g)[0])


def test_generate_is_reproducible_and_top_k_1_is_greedy():
    m = model()
    prompt = torch.zeros(2, 1, dtype=torch.long)
    a = m.generate(prompt, 12, generator=torch.Generator().manual_seed(1))
    b = m.generate(prompt, 12, generator=torch.Generator().manual_seed(1))
    assert a.shape == (2, 13) and torch.equal(a, b) and torch.equal(a[:, :1], prompt)
    greedy = m.generate(prompt, 5, top_k=1)
    idx = prompt
    for _ in range(5):
        idx = torch.cat([idx, m(idx[:, -8:])[0][:, -1].argmax(-1, keepdim=True)], dim=1)
    assert torch.equal(greedy, idx)


def test_get_batch_targets_are_the_inputs_shifted_by_one():
    data = torch.arange(100)
    x, y = get_batch(data, 8, 5, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 8) and torch.equal(y, x + 1)


def test_evaluate_nll_scores_every_token_once():
    # with no position embedding and a zero attention output, each prediction depends on the current
    # token only, so the held-out loss must be the mean of the per-pair losses over the whole stream
    m = model()
    with torch.no_grad():
        m.wpe.weight.zero_()
        for block in m.blocks:
            block.attn.proj.weight.zero_()
            block.attn.proj.bias.zero_()
    for n in (2, 9, 23, 40, 57):
        data = torch.randint(11, (n,), generator=torch.Generator().manual_seed(n))
        logits = m(data[:-1, None])[0][:, 0]  # (n-1, V): each token alone
        expected = F.cross_entropy(logits, data[1:]).item()
        assert math.isclose(evaluate_nll(m, data, batch_size=3), expected, rel_tol=1e-12)


def test_evaluate_nll_of_a_short_stream_is_the_plain_cross_entropy():
    m = model()
    data = torch.randint(11, (9,), generator=torch.Generator().manual_seed(3))
    logits = m(data[None, :-1])[0][0]
    assert math.isclose(evaluate_nll(m, data), F.cross_entropy(logits, data[1:]).item(), rel_tol=1e-12)


def test_training_lowers_the_loss_on_a_repeating_pattern():
    torch.manual_seed(0)
    m = GPT(CFG)
    data = torch.tensor([1, 2, 3, 4, 5] * 40)
    before = evaluate_nll(m, data)
    log = train(m, data, steps=60, batch_size=8, lr=1e-2, warmup=5, generator=torch.Generator().manual_seed(0),
                log_every=10)
    assert [s for s, _ in log] == [0, 10, 20, 30, 40, 50, 59]
    assert evaluate_nll(m, data) < 0.1 * before


@pytest.mark.parametrize("call,message", [
    (lambda: GPTConfig(vocab_size=0), "vocab_size an int ≥ 1, got 0"),
    (lambda: GPTConfig(10, n_embd=10, n_head=4), "n_embd divisible by n_head"),
    (lambda: GPTConfig(10, dropout=1.0), r"dropout in \[0, 1\)"),
    (lambda: model()(torch.zeros(1, 9, dtype=torch.long)), r"sequence length in \[1, block_size=8\], got 9"),
    (lambda: model()(torch.zeros(9, dtype=torch.long)), r"idx of shape \(B, T\)"),
    (lambda: model()(torch.zeros(1, 3)), "dtype int64"),
    (lambda: model().generate(torch.zeros(1, 1, dtype=torch.long), 3, temperature=0), "temperature > 0"),
    (lambda: model().generate(torch.zeros(1, 1, dtype=torch.long), 3, top_k=0), "top_k None or an int"),
    (lambda: get_batch(torch.arange(5), 8, 2), "longer than block_size=8"),
    (lambda: train(model(), torch.arange(20), steps=0), "steps an int ≥ 1"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
