"""float16 and bfloat16, by torch's own rule: our error against a float64 reference is at
most a small multiple of torch's own error in that dtype.

For each function: the inputs are drawn, rounded to the low-precision dtype, and the
float64 reference is computed *from the rounded inputs* (so input rounding is no one's
error). ``ours`` is the package's function on the low-precision inputs; ``torch's`` is
the torch operation a user would call instead, in the same dtype (for RoPE, which torch
lacks, the float64 result rounded to the dtype: the best any implementation can do).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import attn_course as ac
from attn_course.core.scores import cosine_score

f64 = torch.float64
MULTIPLE = 3.0  # "a small multiple"


def _r(*shape: int, seed: int = 0, scale: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=f64) * scale


def _sdpa64(q, k, v, mask=None):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, -math.inf)
    return torch.softmax(s, -1) @ v


def _plain_linear(q, k, v):
    fq, fk = F.elu(q) + 1, F.elu(k) + 1
    return (fq @ (fk.transpose(-2, -1) @ v)) / (fq @ fk.sum(-2).unsqueeze(-1))


def _torch_mha(dtype):
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(32, 4, batch_first=True).to(dtype).eval()
    return ref, ac.MultiHeadAttention.from_torch(ref).eval()


X = _r(8, 4, 64, scale=3.0)  # logits
M = torch.rand(8, 4, 64, generator=torch.Generator().manual_seed(1)) > 0.3
M[..., 0] = True  # no fully masked rows here: torch gives NaN for those
Q, K, V = _r(2, 4, 48, 32, seed=2), _r(2, 4, 96, 32, seed=3), _r(2, 4, 96, 16, seed=4)
WIN = ac.sliding_window_mask(96, 8, causal=True, like=Q)

# name → (inputs, ours(*low), torch's(*low), float64 reference(*rounded inputs as float64))
CASES = {
    "softmax": ((X,), lambda x: ac.softmax(x), lambda x: torch.softmax(x, -1),
                lambda x: torch.softmax(x, -1)),
    "masked softmax": ((X,), lambda x: ac.softmax(x, mask=M),
                       lambda x: torch.softmax(x.masked_fill(~M, -math.inf), -1),
                       lambda x: torch.softmax(x.masked_fill(~M, -math.inf), -1)),
    "softmax, temperature 0.1": ((X,), lambda x: ac.softmax(x, temperature=0.1),
                                 lambda x: torch.softmax(x / 0.1, -1),
                                 lambda x: torch.softmax(x / 0.1, -1)),
    "logsumexp": ((X,), lambda x: ac.logsumexp(x), lambda x: torch.logsumexp(x, -1),
                  lambda x: torch.logsumexp(x, -1)),
    "online_softmax": ((X,), lambda x: ac.online_softmax(x, 16), lambda x: torch.softmax(x, -1),
                       lambda x: torch.softmax(x, -1)),
    "scaled_dot_product_attention": (
        (Q, K, V), lambda q, k, v: ac.scaled_dot_product_attention(q, k, v)[0],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v), _sdpa64),
    "scaled_dot_product_attention weights": (
        (Q, K, V), lambda q, k, v: ac.scaled_dot_product_attention(q, k, v)[1],
        lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(32), -1),
        lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(32), -1)),
    "flash_attention": ((Q, K, V), lambda q, k, v: ac.flash_attention(q, k, v, block_size=32),
                        lambda q, k, v: F.scaled_dot_product_attention(q, k, v), _sdpa64),
    "flash_attention, causal": (
        (Q, K, V), lambda q, k, v: ac.flash_attention(q, k, v, causal=True, block_size=32),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda q, k, v: _sdpa64(q, k, v, ac.causal_mask(48, 96, like=q))),
    "local_attention": (
        (K, K, V), lambda q, k, v: ac.local_attention(q, k, v, 8, causal=True, block_size=32),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=WIN),
        lambda q, k, v: _sdpa64(q, k, v, WIN)),
    "linear_attention": ((K, K, V), lambda q, k, v: ac.linear_attention(q, k, v),
                         _plain_linear, _plain_linear),
    "cosine_score": ((Q[0, 0], K[0, 0]), lambda q, k: cosine_score(q, k),
                     lambda q, k: F.cosine_similarity(q[:, None], k[None], dim=-1),
                     lambda q, k: F.cosine_similarity(q[:, None], k[None], dim=-1)),
    "rope_rotate": ((Q,), lambda x: ac.rope_rotate(x, offset=1000), None,
                    lambda x: ac.rope_rotate(x, offset=1000)),
}


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", list(CASES))
def test_error_is_a_small_multiple_of_torchs(name, dtype):
    inputs, ours, theirs, reference = CASES[name]
    low = [x.to(dtype) for x in inputs]
    ref = reference(*(x.to(f64) for x in low))
    got = ours(*low)
    assert got.dtype == dtype
    err = (got.to(f64) - ref).abs().max().item()
    best = theirs(*low) if theirs is not None else ref.to(dtype)
    err_torch = (best.to(f64) - ref).abs().max().item()
    floor = torch.finfo(dtype).eps * ref.abs().max().item()  # one ulp at the output's scale
    assert err <= MULTIPLE * max(err_torch, floor), (err, err_torch)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_multihead_attention_error_is_a_small_multiple_of_torchs(dtype):
    ref_low, ours_low = _torch_mha(dtype)
    ref_64, _ = _torch_mha(f64)
    with torch.no_grad():  # the float64 module holds the low-precision weights exactly
        for p64, plow in zip(ref_64.parameters(), ref_low.parameters()):
            p64.copy_(plow.to(f64))
    x = _r(2, 24, 32, seed=5).to(dtype)
    with torch.no_grad():
        want = ref_64(x.to(f64), x.to(f64), x.to(f64))[0]
        err = (ours_low(x, x, x)[0].to(f64) - want).abs().max().item()
        err_torch = (ref_low(x, x, x)[0].to(f64) - want).abs().max().item()
    assert err <= MULTIPLE * err_torch, (err, err_torch)
