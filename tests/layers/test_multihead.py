"""Tests of ``attn_course.layers.multihead``."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import attn_course as ac


def _pair(E, H, bias, seed):
    torch.manual_seed(seed)
    ref = torch.nn.MultiheadAttention(E, H, bias=bias, batch_first=True)
    return ref, ac.MultiHeadAttention.from_torch(ref)


@pytest.mark.parametrize("E, H", [(8, 1), (16, 4), (32, 8), (12, 3)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_torch_multihead(E, H, bias, seed):
    ref, ours = _pair(E, H, bias, seed)
    g = torch.Generator().manual_seed(seed)
    q, kv = torch.randn(2, 5, E, generator=g), torch.randn(2, 7, E, generator=g)
    out, w = ours(q, kv, kv)
    ref_out, ref_w = ref(q, kv, kv, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(w, ref_w, atol=1e-5, rtol=1e-5)
    assert w.shape == (2, H, 5, 7)


@pytest.mark.parametrize("kind", ["causal", "padding"])
def test_matches_torch_with_masks(kind):
    ref, ours = _pair(16, 4, True, 3)
    x = torch.randn(3, 6, 16)
    if kind == "causal":
        mask = ac.causal_mask(6, like=x)  # (N, N)
        ref_out, _ = ref(x, x, x, attn_mask=~mask)  # torch: True = blocked
    else:
        mask = ac.padding_mask(torch.tensor([6, 3, 1]), 6)[:, None]  # (B, 1, 1, N)
        ref_out, _ = ref(x, x, x, key_padding_mask=~mask[:, 0, 0])
    out, _ = ours(x, x, x, mask=mask)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=1e-5)


def test_is_causal_equals_explicit_mask():
    _, ours = _pair(16, 2, True, 0)
    x = torch.randn(2, 5, 16)
    a, _ = ours(x, x, x, is_causal=True)
    b, _ = ours(x, x, x, mask=ac.causal_mask(5, like=x))
    torch.testing.assert_close(a, b)


@pytest.mark.parametrize("masked", [False, True])
def test_fast_path_matches_plain_path(masked):
    _, ours = _pair(32, 4, True, 0)
    x = torch.randn(2, 9, 32)
    mask = None
    if masked:
        mask = torch.rand(2, 1, 9, 9) > 0.5
        mask[0, 0, 3] = False  # a fully masked row: zeros on both paths
    plain, _ = ours(x, x, x, mask=mask)
    fast, w = ours(x, x, x, mask=mask, need_weights=False)
    assert w is None
    torch.testing.assert_close(fast, plain, atol=1e-5, rtol=1e-5)
    assert torch.isfinite(fast).all()


def test_gradients_reach_every_projection():
    _, ours = _pair(8, 2, True, 0)
    x = torch.randn(1, 4, 8)
    out, _ = ours(x, x, x)
    out.sum().backward()
    for name, p in ours.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_split_and_merge_are_inverse():
    m = ac.MultiHeadAttention(12, 3)
    x = torch.randn(2, 5, 12)
    assert m.split_heads(x).shape == (2, 3, 5, 4)
    torch.testing.assert_close(m.merge_heads(m.split_heads(x)), x)


@pytest.mark.parametrize("E, H", [(10, 3), (8, 0), (0, 1)])
def test_heads_must_divide_embed_dim(E, H):
    with pytest.raises(ValueError, match=rf"embed_dim={E}.*num_heads={H}"):
        ac.MultiHeadAttention(E, H)


def test_bad_input_shapes():
    m = ac.MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match=r"query.*embed_dim=8.*\(2, 3, 6\)"):
        m(torch.randn(2, 3, 6), torch.randn(2, 3, 8), torch.randn(2, 3, 8))
    with pytest.raises(ValueError, match="key and value"):
        m(torch.randn(2, 3, 8), torch.randn(2, 4, 8), torch.randn(2, 5, 8))


def test_from_torch_rejects_unsupported():
    with pytest.raises(ValueError, match="batch_first"):
        ac.MultiHeadAttention.from_torch(torch.nn.MultiheadAttention(8, 2))
    with pytest.raises(ValueError, match="kdim"):
        ac.MultiHeadAttention.from_torch(torch.nn.MultiheadAttention(8, 2, kdim=4, batch_first=True))


# --- grouped-query attention and the key–value cache (chapter 15) -----------------------

@pytest.mark.parametrize("H_kv", [4, 2, 1])
def test_grouped_query_heads_share_projections(H_kv):
    torch.manual_seed(0)
    m = ac.MultiHeadAttention(16, 4, num_kv_heads=H_kv)
    assert m.W_k.weight.shape == (H_kv * 4, 16) and m.W_v.weight.shape == (H_kv * 4, 16)
    x = torch.randn(2, 6, 16)
    out, w = m(x, x, x, is_causal=True)
    q = m.split_heads(m.W_q(x))  # (B, 4, N, d_k)
    k, v = m.split_heads(m.W_k(x)), m.split_heads(m.W_v(x))  # (B, H_kv, N, d_k)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    torch.testing.assert_close(out, m.W_o(m.merge_heads(ref)), atol=1e-6, rtol=1e-5)
    fast, none = m(x, x, x, is_causal=True, need_weights=False)
    torch.testing.assert_close(fast, out, atol=1e-6, rtol=1e-5)
    assert none is None and w.shape == (2, 4, 6, 6)


def test_num_kv_heads_must_divide_num_heads():
    for bad in (3, 0, -2, 8):
        with pytest.raises(ValueError, match="num_kv_heads"):
            ac.MultiHeadAttention(16, 4, num_kv_heads=bad)


@pytest.mark.parametrize("method", ["none", "rope", "alibi"])
@pytest.mark.parametrize("H_kv", [4, 1])
@pytest.mark.parametrize("need_weights", [True, False])
def test_cached_pieces_equal_one_causal_pass(method, H_kv, need_weights):
    from attn_course.layers.kv_cache import KVCache
    from attn_course.layers.positions import make_method

    torch.manual_seed(1)
    m = ac.MultiHeadAttention(16, 4, num_kv_heads=H_kv,
                              positions=make_method(method, d_model=16, n_heads=4, max_len=32))
    x = torch.randn(2, 9, 16)
    full, w_full = m(x, x, x, is_causal=True)
    cache = KVCache(1, batch=2, n_kv_heads=H_kv, d_k=4, capacity=9)
    outs = []
    for a, b in ((0, 4), (4, 5), (5, 9)):  # a prompt, one token, then three at once
        piece = x[:, a:b]
        out, w = m(piece, piece, piece, is_causal=True, cache=cache.layer(0),
                   need_weights=need_weights)
        cache.advance(b - a)
        outs.append(out)
        if need_weights:
            torch.testing.assert_close(w, w_full[:, :, a:b, :b], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(torch.cat(outs, 1), full, atol=1e-5, rtol=1e-5)

@pytest.mark.parametrize("H", [1, 2, 4])
def test_list_of_heads_and_sum_over_heads_equal_the_split(H):
    from attn_course.core.attention import scaled_dot_product_attention

    torch.manual_seed(H)
    mha = ac.MultiHeadAttention(16, H).eval()
    x = torch.randn(2, 5, 16)
    d_k = 16 // H
    with torch.no_grad():
        want, _ = mha(x, x, x)
        heads = []
        for h in range(H):
            rows = slice(h * d_k, (h + 1) * d_k)
            q, k, v = (x @ m.weight[rows].T + m.bias[rows] for m in (mha.W_q, mha.W_k, mha.W_v))
            heads.append(scaled_dot_product_attention(q, k, v)[0])  # (B, N, d_k)
        listed = mha.W_o(torch.cat(heads, -1))
        summed = sum(heads[h] @ mha.W_o.weight[:, h * d_k:(h + 1) * d_k].T for h in range(H))
    torch.testing.assert_close(listed, want)
    torch.testing.assert_close(summed + mha.W_o.bias, want)


def test_fully_masked_row_gives_zeros_on_both_paths():
    mha = ac.MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 3, 8)
    mask = torch.ones(3, 3, dtype=torch.bool)
    mask[1] = False
    with torch.no_grad():
        for need_weights in (True, False):
            out, _ = mha(x, x, x, mask=mask, need_weights=need_weights)
            torch.testing.assert_close(out[0, 1], mha.W_o.bias)  # zero heads, then W_o


def test_fused_projection_is_reused_only_while_the_weights_are_unchanged():
    # without autograd, [W_q; W_k; W_v] is concatenated once and kept: an in-place update,
    # a load_state_dict or a new parameter must each be seen
    torch.manual_seed(0)
    mha = ac.MultiHeadAttention(8, 2, num_kv_heads=1)
    x = torch.randn(2, 5, 8)

    def reference():  # the three projections, one by one
        return (mha.split_heads(mha.W_q(x)), mha.split_heads(mha.W_k(x)),
                mha.split_heads(mha.W_v(x)))

    with torch.no_grad():
        for got, want in zip(mha.project(x, x, x), reference()):
            torch.testing.assert_close(got, want)
        mha.W_k.weight.mul_(2.0)  # in place: the version counter moves
        for got, want in zip(mha.project(x, x, x), reference()):
            torch.testing.assert_close(got, want)
        mha.load_state_dict({k: torch.randn_like(v) for k, v in mha.state_dict().items()})
        for got, want in zip(mha.project(x, x, x), reference()):
            torch.testing.assert_close(got, want)
        mha.W_v.bias = torch.nn.Parameter(torch.ones(4))  # a new parameter
        for got, want in zip(mha.project(x, x, x), reference()):
            torch.testing.assert_close(got, want)
    q, k, v = mha.project(x, x, x)  # with autograd: gradients reach every weight
    (q.sum() + k.sum() + v.sum()).backward()
    assert all(p.grad is not None for p in (mha.W_q.weight, mha.W_k.weight, mha.W_v.bias))
