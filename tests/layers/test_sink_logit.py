"""The learnable sink logit of ``MultiHeadAttention`` ("softmax plus one", chapter 17)."""

from __future__ import annotations

import pytest
import torch

import attn_course as ac
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.layers.positions import ALiBi, RoPE


def _pair(kv_heads, positions):
    torch.manual_seed(0)
    with_sink = MultiHeadAttention(16, 4, num_kv_heads=kv_heads, positions=positions,
                                   sink_logit=True)
    plain = MultiHeadAttention(16, 4, num_kv_heads=kv_heads, positions=positions)
    plain.load_state_dict({k: v for k, v in with_sink.state_dict().items() if k != "sink"})
    return with_sink, plain


def _by_hand(m: MultiHeadAttention, x: torch.Tensor, b: torch.Tensor):
    """softmax over [scores, b_h] with the sink column dropped, no positions, causal."""
    q, k, v = (m.split_heads(W(x)) for W in (m.W_q, m.W_k, m.W_v))  # (B, H, N, d_k)
    n = x.shape[1]
    s = q @ k.transpose(-1, -2) / 2.0  # d_k = 4
    s = s.masked_fill(~torch.ones(n, n, dtype=torch.bool).tril(), float("-inf"))
    col = b.view(1, -1, 1, 1).expand(x.shape[0], -1, n, 1)
    w = torch.softmax(torch.cat([s, col], -1), -1)[..., :-1]  # (B, H, N, N)
    return m.W_o(m.merge_heads(w @ v)), w


def test_the_sink_is_one_more_softmax_entry_with_a_zero_value():
    m, _ = _pair(None, None)
    b = torch.tensor([0.5, -1.0, 2.0, -40.0])
    with torch.no_grad():
        m.sink.copy_(b)
    x = torch.randn(2, 9, 16, generator=torch.Generator().manual_seed(1))
    out, w = m(x, x, x, is_causal=True)
    want_out, want_w = _by_hand(m, x, b)
    torch.testing.assert_close(w, want_w, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(out, want_out, atol=1e-6, rtol=1e-5)
    mass = 1 - w.sum(-1)  # (B, H, N): what went to the sink
    assert (mass[:, 2] > mass[:, 1]).all() and mass[:, 3].abs().max() < 1e-6


@pytest.mark.parametrize("kv_heads", [None, 1])
@pytest.mark.parametrize("positions", [None, RoPE(), ALiBi(4)])
def test_fused_path_and_a_vanishing_sink(kv_heads, positions):
    m, plain = _pair(kv_heads, positions)
    with torch.no_grad():
        m.sink.copy_(torch.tensor([0.5, -1.0, 2.0, -40.0]))
    x = torch.randn(2, 9, 16, generator=torch.Generator().manual_seed(1))
    out, w = m(x, x, x, is_causal=True)
    fused, _ = m(x, x, x, is_causal=True, need_weights=False)
    torch.testing.assert_close(fused, out, atol=1e-5, rtol=1e-5)
    _, w0 = plain(x, x, x, is_causal=True)
    torch.testing.assert_close(w[:, 3], w0[:, 3])  # e^-40: no weight left for the sink
    mask = torch.ones(9, 9, dtype=torch.bool).tril()[None, None]  # an explicit mask too
    torch.testing.assert_close(m(x, x, x, mask=mask)[0], out, atol=1e-6, rtol=1e-5)


def test_zero_sink_at_init_and_cached_generation():
    model = ac.GPT(30, d_model=16, n_heads=4, n_layers=2, max_len=40, sink_logit=True)
    assert all(torch.equal(b.attn.sink, torch.zeros(4)) for b in model.blocks)
    with torch.no_grad():
        for b in model.blocks:
            b.attn.sink.normal_()
    idx = torch.randint(0, 30, (2, 6), generator=torch.Generator().manual_seed(2))
    assert torch.equal(model.generate(idx, 12), model.generate(idx, 12, use_cache=False))
    loss = model(idx).logsumexp(-1).mean()
    loss.backward()
    assert all(b.attn.sink.grad is not None and b.attn.sink.grad.abs().sum() > 0
               for b in model.blocks)
