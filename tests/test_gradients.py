"""Gradients of the public functions: ``torch.autograd.gradcheck`` in float64 for every
differentiable one, and finite gradients through fully masked rows for every one that
takes a mask (a fully masked row's logits get exactly zero gradient)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

import attn_course as ac
from attn_course.core.scores import additive_score, cosine_score

f64 = torch.float64


def _r(*shape: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=f64).requires_grad_()


MASK = torch.tensor([[True, True, False, True, False],
                     [False, False, False, False, False],  # fully masked
                     [True, False, False, False, False]])  # (3, 5)
MASK_QK = torch.tensor([[True, False, True, True],
                        [False, False, False, False],  # fully masked
                        [True, True, True, True]])  # (n_q=3, n_k=4)


def _mha(seed: int = 0) -> ac.MultiHeadAttention:
    torch.manual_seed(seed)
    return ac.MultiHeadAttention(8, 2).double()


def _additive() -> ac.AdditiveAttention:
    torch.manual_seed(0)
    return ac.AdditiveAttention(4, 6, 5).double()


# name → (function of the inputs, inputs)
GRADCHECK: dict[str, tuple[Callable, tuple[torch.Tensor, ...]]] = {
    "softmax": (lambda x: ac.softmax(x), (_r(3, 5),)),
    "softmax, mask with a fully masked row": (lambda x: ac.softmax(x, mask=MASK), (_r(3, 5),)),
    "softmax, temperature 0.3, axis 0": (lambda x: ac.softmax(x, axis=0, temperature=0.3),
                                         (_r(3, 5),)),
    "logsumexp": (lambda x: ac.logsumexp(x), (_r(3, 5),)),
    "entropy": (lambda x: ac.entropy(torch.softmax(x, -1)), (_r(3, 5),)),
    "online_softmax, masked": (lambda x: ac.online_softmax(x, 2, mask=MASK), (_r(3, 5),)),
    "scaled_dot_product_attention, mask and bias": (
        lambda q, k, v, b: ac.scaled_dot_product_attention(q, k, v, mask=MASK_QK, bias=b),
        (_r(2, 3, 6), _r(2, 4, 6, seed=1), _r(2, 4, 3, seed=2), _r(3, 4, seed=3))),
    "self_attention": (lambda x, w: ac.self_attention(x, w, w, w), (_r(4, 3), _r(3, 3, seed=1))),
    "cross_attention, masked": (lambda a, b, w: ac.cross_attention(a, b, w, w, w, mask=MASK_QK),
                                (_r(3, 3), _r(4, 3, seed=1), _r(3, 3, seed=2))),
    "cosine_score": (lambda q, k: cosine_score(q, k), (_r(3, 4), _r(5, 4, seed=1))),
    "additive_score": (lambda q, k, a, b, w: additive_score(q, k, a, b, w),
                       (_r(2, 3), _r(4, 2, seed=1), _r(3, 5, seed=2), _r(2, 5, seed=3),
                        _r(5, seed=4))),
    "flash_attention": (lambda q, k, v: ac.flash_attention(q, k, v, block_size=(2, 3)),
                        (_r(1, 2, 5, 4), _r(1, 2, 7, 4, seed=1), _r(1, 2, 7, 3, seed=2))),
    "flash_attention, causal": (
        lambda q, k, v: ac.flash_attention(q, k, v, causal=True, block_size=2),
        (_r(2, 5, 4), _r(2, 5, 4, seed=1), _r(2, 5, 3, seed=2))),
    "local_attention, causal": (lambda q, k, v: ac.local_attention(q, k, v, 2, causal=True,
                                                                    block_size=3),
                                (_r(2, 7, 4), _r(2, 7, 4, seed=1), _r(2, 7, 3, seed=2))),
    "local_attention": (lambda q, k, v: ac.local_attention(q, k, v, 1, block_size=2),
                        (_r(6, 4), _r(6, 4, seed=1), _r(6, 3, seed=2))),
    "linear_attention": (lambda q, k, v: ac.linear_attention(q, k, v),
                         (_r(2, 6, 4), _r(2, 6, 4, seed=1), _r(2, 6, 3, seed=2))),
    "linear_attention, causal": (lambda q, k, v: ac.linear_attention(q, k, v, causal=True, chunk=4),
                                 (_r(2, 6, 4), _r(2, 6, 4, seed=1), _r(2, 6, 3, seed=2))),
    "rope_rotate": (lambda x: ac.rope_rotate(x, offset=3), (_r(2, 5, 6),)),
    "alibi_bias": (lambda s: ac.alibi_bias(3, 4, s), (_r(2),)),
    "MultiHeadAttention, plain path, masked": (
        lambda x: _mha()(x, x, x, mask=MASK_QK[:, :3])[0],
        (_r(2, 3, 8),)),
    "MultiHeadAttention, fused path, causal": (
        lambda x: _mha()(x, x, x, is_causal=True, need_weights=False)[0], (_r(2, 4, 8),)),
    "AdditiveAttention, masked": (
        lambda q, k: _additive()(q, k, mask=MASK_QK)[0], (_r(2, 3, 4), _r(2, 4, 6, seed=1))),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_float64(name):
    fn, inputs = GRADCHECK[name]
    assert torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-7)


# --- gradients through fully masked rows --------------------------------------------------

def _loss(out) -> torch.Tensor:
    outs = out if isinstance(out, tuple) else (out,)
    return sum((o * torch.linspace(0.5, 1.5, o.numel(), dtype=o.dtype).view_as(o)).sum()
               for o in outs if o is not None)


def _mha_call(need_weights):
    def call(x):
        mask = torch.ones(2, 1, 4, 4, dtype=torch.bool)
        mask[0, :, 1] = False  # query 1 of sequence 0 sees nothing
        return _mha()(x, x, x, mask=mask, need_weights=need_weights)
    return call


def _encoder_call(need_weights):
    def call(x):
        torch.manual_seed(0)
        layer = ac.TransformerEncoderLayer(8, 2, 16).double()
        mask = torch.ones(2, 1, 4, 4, dtype=torch.bool)
        mask[1, :, 2] = False
        return layer(x, mask=mask, need_weights=need_weights)[0]
    return call


def _decoder_call(x):
    torch.manual_seed(0)
    layer = ac.TransformerDecoderLayer(8, 2, 16).double()
    memory_mask = torch.ones(4, 3, dtype=torch.bool)
    memory_mask[0] = False  # query 0 sees no memory
    return layer(x, x[:, :3].detach(), memory_mask=memory_mask)[0]


K_CONST, V_CONST = _r(2, 4, 6, seed=5).detach(), _r(2, 4, 3, seed=6).detach()

# name → (function of x, x, the index of the rows whose gradient must vanish or None)
MASKED = {
    "softmax": (lambda x: ac.softmax(x, mask=MASK), _r(3, 5), (1,)),
    "softmax, temperature": (lambda x: ac.softmax(x, mask=MASK, temperature=0.01), _r(3, 5), (1,)),
    "online_softmax": (lambda x: ac.online_softmax(x, 2, mask=MASK), _r(3, 5), (1,)),
    "scaled_dot_product_attention": (
        lambda q: ac.scaled_dot_product_attention(q, K_CONST, V_CONST, mask=MASK_QK),
        _r(2, 3, 6), (slice(None), 1)),
    "self_attention": (lambda x: ac.self_attention(x, *(torch.eye(3, dtype=f64),) * 3,
                                                   mask=MASK_QK[:, :3]), _r(3, 3), None),
    "cross_attention": (lambda x: ac.cross_attention(x, x.detach()[:1].expand(4, 3),
                                                     *(torch.eye(3, dtype=f64),) * 3,
                                                     mask=MASK_QK), _r(3, 3), None),
    "MultiHeadAttention, plain path": (_mha_call(True), _r(2, 4, 8), None),
    "MultiHeadAttention, fused path": (_mha_call(False), _r(2, 4, 8), None),
    "AdditiveAttention": (lambda k: _additive()(torch.ones(2, 3, 4, dtype=f64), k,
                                                mask=MASK_QK), _r(2, 4, 6), None),
    "TransformerEncoderLayer, plain path": (_encoder_call(True), _r(2, 4, 8), None),
    "TransformerEncoderLayer, fused path": (_encoder_call(False), _r(2, 4, 8), None),
    "TransformerDecoderLayer": (_decoder_call, _r(2, 4, 8), None),
}


@pytest.mark.parametrize("name", list(MASKED))
def test_gradients_through_fully_masked_rows_are_finite(name):
    fn, x, zero_rows = MASKED[name]
    out = fn(x)
    _loss(out).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all(), x.grad
    outs = out if isinstance(out, tuple) else (out,)
    assert all(torch.isfinite(o).all() for o in outs if o is not None)
    if zero_rows is not None:  # the logits of a fully masked row get exactly zero gradient
        assert (x.grad[zero_rows] == 0).all()
        assert x.grad.abs().sum() > 0


def test_fully_masked_row_of_softmax_passes_no_gradient_to_other_rows():
    x = _r(3, 5)
    full = ac.softmax(x, mask=MASK)
    (g,) = torch.autograd.grad(full[0].sum() * 0 + full[2, 0], x)
    ref = torch.softmax(x.detach().masked_fill(~MASK, -torch.inf)[2:], -1)
    assert torch.equal(g[1], torch.zeros(5, dtype=f64))
    torch.testing.assert_close(g[2, 0], ref[0, 0] * (1 - ref[0, 0]))


def test_decoder_layer_copies_torch_gradients():
    """from_torch in float64: the copy's input gradients equal torch's."""
    torch.manual_seed(0)
    ref = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True).double()
    ours = ac.TransformerDecoderLayer.from_torch(ref)
    x, mem = _r(2, 4, 8), _r(2, 3, 8, seed=1)
    (g_ours,) = torch.autograd.grad(ours(x, mem)[0].sum(), x)
    out = ref(x, mem, tgt_mask=~ac.causal_mask(4, like=x), tgt_is_causal=True)
    (g_ref,) = torch.autograd.grad(out.sum(), x)
    torch.testing.assert_close(g_ours, g_ref, atol=1e-10, rtol=1e-10)
