"""Tests of ``attn_course.models.gpt``: the decoder, its cache, its generation."""

from __future__ import annotations

import pytest
import torch

import attn_course as ac
from attn_course.models.gpt import GPT


def _model(n_kv_heads=None, seed=0, **kw):
    torch.manual_seed(seed)
    cfg = dict(d_model=32, n_heads=4, n_layers=2, max_len=40, n_kv_heads=n_kv_heads, **kw)
    model = GPT(11, **cfg).eval()
    with torch.no_grad():  # larger weights than the init, so that tokens differ step to step
        for p in model.parameters():
            p.mul_(8.0 if p.dim() > 1 else 1.0)
    return model


def test_shapes_and_export():
    assert ac.GPT is GPT
    m = _model()
    logits = m(torch.zeros(3, 7, dtype=torch.long))
    assert logits.shape == (3, 7, 11)
    logits2, w = m.run(torch.zeros(3, 7, dtype=torch.long), need_weights=True)
    torch.testing.assert_close(logits, logits2, atol=1e-5, rtol=1e-5)
    assert w.shape == (3, 2, 4, 7, 7)
    assert bool((w.triu(1) == 0).all())  # causal


@pytest.mark.parametrize("n_kv_heads", [None, 2, 1])
def test_cached_logits_equal_full_pass(n_kv_heads):
    m = _model(n_kv_heads)
    idx = torch.randint(11, (2, 20), generator=torch.Generator().manual_seed(1))
    full = m(idx)
    cache = m.new_cache(2)
    pieces = [m(idx[:, :5], cache=cache)] + [m(idx[:, t:t + 1], cache=cache) for t in range(5, 20)]
    torch.testing.assert_close(torch.cat(pieces, 1), full, atol=1e-4, rtol=1e-4)
    assert cache.length == cache.offset == 20


@pytest.mark.parametrize("n_kv_heads", [None, 2, 1])
def test_greedy_generation_is_the_same_with_and_without_the_cache(n_kv_heads):
    m = _model(n_kv_heads)
    prompt = torch.randint(11, (3, 4), generator=torch.Generator().manual_seed(2))
    fast = m.generate(prompt, 30)
    slow = m.generate(prompt, 30, use_cache=False)
    assert fast.shape == (3, 34)
    assert torch.equal(fast, slow)
    assert len(set(fast[0, 4:].tolist())) > 1  # not a constant continuation
    assert torch.equal(fast[:, :4], prompt)


def test_sampling_is_reproducible_and_honours_top_k():
    m = _model()
    prompt = torch.zeros(2, 3, dtype=torch.long)
    runs = [m.generate(prompt, 25, temperature=1.0, top_k=3,
                       generator=torch.Generator().manual_seed(7), use_cache=c)
            for c in (True, True, False)]
    assert torch.equal(runs[0], runs[1]) and torch.equal(runs[0], runs[2])
    greedy_top = m.generate(prompt, 25, temperature=1e-6)
    assert torch.equal(greedy_top, m.generate(prompt, 25))  # T → 0 is greedy


def test_generate_past_max_len_needs_a_cache_that_holds_it():
    m = _model()
    prompt = torch.zeros(1, 30, dtype=torch.long)
    with pytest.raises(ValueError, match="max_len=40"):
        m.generate(prompt, 11)
    with pytest.raises(ValueError, match="max_len=40"):
        m.generate(prompt, 11, use_cache=False)
    out = m.generate(prompt, 20, cache=m.new_cache(1, capacity=50))  # RoPE has no table to outgrow
    assert out.shape == (1, 50)
    with pytest.raises(ValueError, match="holds 45 positions"):
        m.generate(prompt, 20, cache=m.new_cache(1, capacity=45))


@pytest.mark.parametrize("idx, match", [
    (torch.tensor([[0, 11]]), "idx holds ids outside"),
    (torch.tensor([[-1, 0]]), "idx holds ids outside"),
    (torch.zeros(2, 3), "idx must be an integer tensor"),
    (torch.zeros(5, dtype=torch.long), "idx must be an integer tensor"),
    (torch.zeros(1, 41, dtype=torch.long), "max_len=40"),
])
def test_bad_idx_is_named(idx, match):
    m = _model()
    with pytest.raises(ValueError, match=match):
        m(idx)
    with pytest.raises(ValueError, match=match):
        m.generate(idx, 1)


def test_bad_configuration_and_head_mask():
    with pytest.raises(ValueError, match="n_kv_heads"):
        GPT(5, d_model=32, n_heads=4, n_layers=1, max_len=8, n_kv_heads=3)
    with pytest.raises(ValueError, match="even size d_k"):
        GPT(5, d_model=12, n_heads=4, n_layers=1, max_len=8)
    with pytest.raises(ValueError, match="vocab_size"):
        GPT(0, d_model=8, n_heads=2, n_layers=1, max_len=8)
    m = _model()
    with pytest.raises(ValueError, match=r"head_mask must have shape \(n_layers=2, n_heads=4\)"):
        m(torch.zeros(1, 3, dtype=torch.long), head_mask=torch.ones(4))
    with pytest.raises(ValueError, match="max_new_tokens"):
        m.generate(torch.zeros(1, 3, dtype=torch.long), -1)


def test_attention_only_blocks_and_head_ablation():
    m = _model(d_ff=0)
    assert all(b.ff is None for b in m.blocks)
    idx = torch.randint(11, (2, 9), generator=torch.Generator().manual_seed(3))
    keep = torch.ones(2, 4)
    torch.testing.assert_close(m(idx, head_mask=keep), m(idx))
    off = keep.clone()
    off[0] = 0  # ablate every head of layer 0: its block adds nothing
    _, w = m.run(idx, need_weights=True, head_mask=off)
    assert not torch.allclose(m(idx, head_mask=off), m(idx))
    assert w.shape == (2, 2, 4, 9, 9)


def test_generate_restores_training_mode():
    m = _model().train()
    m.generate(torch.zeros(1, 2, dtype=torch.long), 3)
    assert m.training
