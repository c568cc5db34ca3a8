"""What bad and unusual input gets, public function by public function.

The package's rules (README, "What bad input gets"): NumPy in → NumPy out, torch in → torch
out, in the input's floating dtype; masks boolean, True = may attend; a fully masked row →
zeros; NaN in → NaN out for its row; empty in → empty out (no keys → a zero output);
large logits never overflow; anything else → a ``ValueError`` naming the argument.

Read the table below row by row: the function, the hostile case, the call, and the
expected outcome — ``Same(expected)``, a value compared with torch or with a float64
computation (NaN equals NaN; kind and dtype must match too), or ``Raises("name")``, a
``ValueError`` whose message names the argument. The number is the class of issue 13:

1 NaN propagates · 2 empty input · 3 extreme temperatures and logits · 4 the mask rule ·
5 half-precision accumulation · 6 the dtype rule · 7 argument checks · 8 ``from_torch``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import attn_course as ac
from attn_course.core.online_softmax import online_logsumexp

nan, inf = math.nan, math.inf
f16, bf16, f32, f64 = torch.float16, torch.bfloat16, torch.float32, torch.float64


# --- the two kinds of expectation --------------------------------------------------------

@dataclass
class Same:
    """The call returns ``expected()``: same kind, same dtype (or ``dtype``), close values."""

    expected: Callable[[], Any]
    atol: float = 1e-6
    dtype: Any = None

    def check(self, got: Any) -> None:
        want = self.expected()
        kind = (torch.is_tensor(got), torch.is_tensor(want))
        assert kind[0] == kind[1], f"kind: got {type(got).__name__}, want {type(want).__name__}"
        assert torch.is_tensor(got) or isinstance(got, (np.ndarray, np.generic))
        assert got.dtype == (self.dtype or want.dtype), f"dtype: got {got.dtype}"
        assert tuple(got.shape) == tuple(want.shape), f"shape: got {tuple(got.shape)}"
        np.testing.assert_allclose(_np(got), _np(want), atol=self.atol, rtol=self.atol)


@dataclass
class Raises:
    """The call raises ``ValueError`` and its message names ``arg``."""

    arg: str

    def check(self, call: Callable[[], Any]) -> None:
        with pytest.raises(ValueError, match=self.arg):
            call()


@dataclass
class Case:
    fn: str
    klass: int
    what: str
    call: Callable[[], Any]
    expect: Same | Raises


def _np(a: Any) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        return a.detach().to(f64).cpu().numpy()
    return np.asarray(a, dtype=np.float64)


def t(*values, dtype=f32) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype)


def n(*values, dtype=np.float64) -> np.ndarray:
    return np.array(values, dtype=dtype)


def rand(*shape, dtype=f32, seed=0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=f64).to(dtype)


def _with_nan(x: torch.Tensor, index) -> torch.Tensor:
    x = x.clone()
    x[index] = nan
    return x


# --- fixtures the rows share --------------------------------------------------------------

X = rand(3, 5)  # logits (3, 5)
Q, K, V = rand(2, 4, 8, seed=1), rand(2, 6, 8, seed=2), rand(2, 6, 3, seed=3)
M = torch.tensor([[True] * 6, [True, False] * 3, [False] * 6, [True] + [False] * 5])  # (4, 6)
NEG_STRIDES = np.ones((4, 6), dtype=bool)[::-1, ::-1]  # a NumPy view with negative strides


def _sdpa64(q, k, v, mask=None):
    """The float64 definition: softmax over allowed keys, zero rows where none is allowed."""
    s = q.to(f64) @ k.to(f64).transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, -inf)
    w = torch.softmax(s, -1).nan_to_num(0.0) if mask is not None else torch.softmax(s, -1)
    return w @ v.to(f64), w


def _mha(E=8, H=2, dtype=f32, seed=0):
    torch.manual_seed(seed)
    return ac.MultiHeadAttention(E, H).to(dtype)


MHA = _mha()
XM = rand(2, 5, 8, seed=4)  # (B, N, d_model)
ADD = ac.AdditiveAttention(4, 6, 5)
ENC = ac.TransformerEncoderLayer(8, 2, 16)
DEC = ac.TransformerDecoderLayer(8, 2, 16, dropout=0.0).eval()


def _torch_layer(cls, *args, dtype=f64, **kw):
    torch.manual_seed(0)
    return cls(*args, batch_first=True, **kw).to(dtype).eval()


def _layer_diff(dtype):
    ref = _torch_layer(nn.TransformerEncoderLayer, 16, 4, 32, dropout=0.0, dtype=dtype)
    ours = ac.TransformerEncoderLayer.from_torch(ref).eval()
    x = rand(2, 5, 16, dtype=dtype)
    return ours(x)[0], ref(x)


def _decoder_diff(dtype):
    ref = _torch_layer(nn.TransformerDecoderLayer, 16, 4, 32, dropout=0.0, dtype=dtype)
    ours = ac.TransformerDecoderLayer.from_torch(ref).eval()
    x, mem = rand(2, 5, 16, dtype=dtype), rand(2, 3, 16, dtype=dtype, seed=1)
    return ours(x, mem)[0], ref(x, mem, tgt_mask=~ac.causal_mask(5, like=x), tgt_is_causal=True)


def _mha_copy(dtype):
    ref = _torch_layer(nn.MultiheadAttention, 8, 2, dtype=dtype)
    ours = ac.MultiHeadAttention.from_torch(ref)
    x = rand(2, 5, 8, dtype=dtype)
    return ours(x, x, x)[0], ref(x, x, x)[0]


def _flash_big_values(dtype):
    q = torch.ones(1, 1, 4, 8, dtype=dtype)
    k = torch.ones(1, 1, 1024, 8, dtype=dtype)
    v = torch.full((1, 1, 1024, 8), 100.0, dtype=dtype)
    return ac.flash_attention(q, k, v, block_size=128)


# --- the table ------------------------------------------------------------------------------

CASES = [
    # softmax ------------------------------------------------------------------------------
    Case("softmax", 1, "NaN in a row → NaN row (NumPy)", lambda: ac.softmax(n(nan, 0, 0)),
         Same(lambda: torch.softmax(t(nan, 0, 0, dtype=f64), -1).numpy())),
    Case("softmax", 1, "NaN in a row → NaN row, other rows intact (torch)",
         lambda: ac.softmax(_with_nan(X, (1, 2))),
         Same(lambda: torch.softmax(_with_nan(X, (1, 2)), -1))),
    Case("softmax", 1, "NaN under a mask is never read",
         lambda: ac.softmax(n(nan, 1, 2), mask=[False, True, True]),
         Same(lambda: np.concatenate([[0.0], ac.softmax(n(1, 2))]))),
    Case("softmax", 1, "+inf → NaN row (as torch; ∞ − ∞ has no value)",
         lambda: ac.softmax(t(inf, 0)), Same(lambda: torch.softmax(t(inf, 0), -1))),
    Case("softmax", 1, "−inf entries get zero weight (as torch)",
         lambda: ac.softmax(t(-inf, 1, 2)), Same(lambda: torch.softmax(t(-inf, 1, 2), -1))),
    Case("softmax", 1, "a row of −inf → zeros (our choice: −∞ is how a mask works)",
         lambda: ac.softmax(t(-inf, -inf)), Same(lambda: t(0, 0))),
    Case("softmax", 2, "empty axis → empty (NumPy)", lambda: ac.softmax(np.zeros((3, 0))),
         Same(lambda: np.zeros((3, 0)))),
    Case("softmax", 2, "empty axis → empty (torch)", lambda: ac.softmax(torch.zeros(3, 0)),
         Same(lambda: torch.softmax(torch.zeros(3, 0), -1))),
    Case("softmax", 2, "no rows → empty", lambda: ac.softmax(torch.zeros(0, 5)),
         Same(lambda: torch.zeros(0, 5))),
    Case("softmax", 2, "one-element axis → 1", lambda: ac.softmax(n(-7.0)), Same(lambda: n(1.0))),
    Case("softmax", 2, "empty axis with a mask → empty",
         lambda: ac.softmax(torch.zeros(2, 0), mask=torch.zeros(2, 0, dtype=torch.bool)),
         Same(lambda: torch.zeros(2, 0))),
    Case("softmax", 3, "float16 [100, 0] at T = 1e-3 → one-hot",
         lambda: ac.softmax(t(100, 0, dtype=f16), temperature=1e-3), Same(lambda: t(1, 0, dtype=f16))),
    Case("softmax", 3, "float32 [1e10, 0] at T = 1e-30 → one-hot",
         lambda: ac.softmax(t(1e10, 0), temperature=1e-30), Same(lambda: t(1, 0))),
    Case("softmax", 3, "ties at T → 0 share the weight",
         lambda: ac.softmax(n(5, 5, 0), temperature=1e-9), Same(lambda: n(0.5, 0.5, 0))),
    Case("softmax", 3, "±3e38 in float32 never overflows",
         lambda: ac.softmax(t(3e38, -3e38, 3e38)), Same(lambda: t(0.5, 0, 0.5))),
    Case("softmax", 3, "±3e38 at T = 0.5 never overflows",
         lambda: ac.softmax(t(3e38, -3e38), temperature=0.5), Same(lambda: t(1, 0))),
    Case("softmax", 3, "T = 1e30 → uniform", lambda: ac.softmax(n(1, 2, 3), temperature=1e30),
         Same(lambda: np.full(3, 1 / 3))),
    Case("softmax", 3, "±1e4 logits", lambda: ac.softmax(t(1e4, -1e4, 0)),
         Same(lambda: torch.softmax(t(1e4, -1e4, 0), -1))),
    Case("softmax", 3, "temperature 0", lambda: ac.softmax(X, temperature=0), Raises("temperature")),
    Case("softmax", 3, "temperature −1", lambda: ac.softmax(X, temperature=-1), Raises("temperature")),
    Case("softmax", 3, "temperature NaN", lambda: ac.softmax(X, temperature=nan), Raises("temperature")),
    Case("softmax", 3, "temperature inf", lambda: ac.softmax(X, temperature=inf), Raises("temperature")),
    Case("softmax", 3, "temperature '1'", lambda: ac.softmax(X, temperature="a"), Raises("temperature")),
    Case("softmax", 4, "float 0/1 mask", lambda: ac.softmax(X, mask=torch.ones(3, 5)), Raises("mask")),
    Case("softmax", 4, "int mask", lambda: ac.softmax(X, mask=torch.ones(3, 5, dtype=torch.long)),
         Raises("mask")),
    Case("softmax", 4, "uint8 mask", lambda: ac.softmax(X, mask=torch.ones(3, 5, dtype=torch.uint8)),
         Raises("mask")),
    Case("softmax", 4, "mask of another shape", lambda: ac.softmax(X, mask=torch.ones(4, 5) > 0),
         Raises("mask")),
    Case("softmax", 4, "mask that would enlarge x",
         lambda: ac.softmax(X, mask=torch.ones(2, 3, 5) > 0), Raises("mask")),
    Case("softmax", 4, "mask given as a string", lambda: ac.softmax(X, mask="all"), Raises("mask")),
    Case("softmax", 4, "nested list of bools works",
         lambda: ac.softmax(n(1, 2, 3), mask=[True, False, True]),
         Same(lambda: np.array([1 / (1 + math.e**2), 0, math.e**2 / (1 + math.e**2)]))),
    Case("softmax", 4, "NumPy mask with negative strides next to torch input",
         lambda: ac.softmax(rand(4, 6), mask=NEG_STRIDES), Same(lambda: torch.softmax(rand(4, 6), -1))),
    Case("softmax", 4, "broadcast (5,) mask", lambda: ac.softmax(X, mask=torch.tensor([1, 0, 1, 1, 0]) > 0),
         Same(lambda: torch.softmax(X.masked_fill(torch.tensor([0, 1, 0, 0, 1]) > 0, -inf), -1))),
    Case("softmax", 4, "fully masked row → zeros", lambda: ac.softmax(X[:2], mask=[[True] * 5, [False] * 5]),
         Same(lambda: torch.cat([torch.softmax(X[:1], -1), torch.zeros(1, 5)]))),
    *[Case("softmax", 6, f"{dt} keeps its dtype", lambda dt=dt: ac.softmax(rand(3, 5, dtype=dt)),
           Same(lambda dt=dt: torch.softmax(rand(3, 5, dtype=dt).float(), -1).to(dt),
                atol=1e-2 if dt in (f16, bf16) else 1e-6))
      for dt in (f16, bf16, f32, f64)],
    Case("softmax", 6, "NumPy float32 stays float32", lambda: ac.softmax(np.ones(3, np.float32)),
         Same(lambda: np.full(3, 1 / 3, np.float32))),
    Case("softmax", 6, "NumPy float16 stays float16", lambda: ac.softmax(np.ones(4, np.float16)),
         Same(lambda: np.full(4, 0.25, np.float16))),
    Case("softmax", 6, "NumPy int → float64", lambda: ac.softmax(np.arange(3)),
         Same(lambda: torch.softmax(torch.arange(3.0, dtype=f64), -1).numpy())),
    Case("softmax", 6, "torch int → float32", lambda: ac.softmax(torch.arange(3)),
         Same(lambda: torch.softmax(torch.arange(3.0), -1))),
    Case("softmax", 6, "a list → NumPy", lambda: ac.softmax([1, 2, 3]),
         Same(lambda: torch.softmax(torch.arange(1.0, 4.0, dtype=f64), -1).numpy())),
    Case("softmax", 6, "non-contiguous input", lambda: ac.softmax(rand(5, 3).T),
         Same(lambda: torch.softmax(rand(5, 3).T, -1))),
    Case("softmax", 6, "another axis", lambda: ac.softmax(X, axis=0), Same(lambda: torch.softmax(X, 0))),
    Case("softmax", 7, "axis out of range", lambda: ac.softmax(X, axis=2), Raises("axis")),
    Case("softmax", 7, "axis not an int", lambda: ac.softmax(X, axis=1.0), Raises("axis")),
    Case("softmax", 7, "0-d input has no axis", lambda: ac.softmax(np.float64(3.0)), Raises("axis")),
    Case("softmax", 7, "a string", lambda: ac.softmax("abc"), Raises("x")),
    # logsumexp -----------------------------------------------------------------------------
    Case("logsumexp", 1, "NaN → NaN", lambda: ac.logsumexp(n(nan, 0)),
         Same(lambda: torch.logsumexp(t(nan, 0, dtype=f64), -1).numpy())),
    Case("logsumexp", 1, "+inf → +inf (as torch)", lambda: ac.logsumexp(t(inf, 0)),
         Same(lambda: torch.logsumexp(t(inf, 0), -1))),
    Case("logsumexp", 1, "a row of −inf → −inf (as torch)", lambda: ac.logsumexp(t(-inf, -inf)),
         Same(lambda: torch.logsumexp(t(-inf, -inf), -1))),
    Case("logsumexp", 2, "empty axis → −inf (as torch)", lambda: ac.logsumexp(torch.zeros(3, 0)),
         Same(lambda: torch.logsumexp(torch.zeros(3, 0), -1))),
    Case("logsumexp", 3, "3e38 twice in float32", lambda: ac.logsumexp(t(3e38, 3e38)),
         Same(lambda: torch.logsumexp(t(3e38, 3e38), -1))),
    Case("logsumexp", 6, "float16 stays float16", lambda: ac.logsumexp(t(1, 2, 3, dtype=f16)),
         Same(lambda: torch.logsumexp(t(1, 2, 3), -1).to(f16), atol=1e-3)),
    Case("logsumexp", 6, "NumPy int → float64", lambda: ac.logsumexp(np.zeros(4, int)),
         Same(lambda: np.float64(math.log(4)))),
    Case("logsumexp", 7, "axis out of range", lambda: ac.logsumexp(X, axis=-3), Raises("axis")),
    # entropy ---------------------------------------------------------------------------------
    Case("entropy", 1, "NaN weight → NaN", lambda: ac.entropy(n(nan, 0.5)), Same(lambda: np.float64(nan))),
    Case("entropy", 2, "empty axis → 0", lambda: ac.entropy(np.zeros((2, 0))), Same(lambda: np.zeros(2))),
    Case("entropy", 6, "float16 stays float16", lambda: ac.entropy(t(0.5, 0.5, dtype=f16)),
         Same(lambda: t(math.log(2), dtype=f16)[0], atol=1e-3)),
    # online softmax ---------------------------------------------------------------------------
    Case("online_softmax", 1, "NaN → NaN row", lambda: ac.online_softmax(n(nan, 0, 1), 2),
         Same(lambda: n(nan, nan, nan))),
    Case("online_softmax", 1, "+inf → NaN row, as softmax", lambda: ac.online_softmax(t(0, inf, 1), 1),
         Same(lambda: ac.softmax(t(0, inf, 1)))),
    Case("online_softmax", 1, "a row of −inf → zeros, as softmax",
         lambda: ac.online_softmax(t(-inf, -inf, -inf), 2), Same(lambda: t(0, 0, 0))),
    Case("online_logsumexp", 1, "+inf → +inf", lambda: online_logsumexp(t(0, inf), 1),
         Same(lambda: torch.tensor(inf))),
    Case("online_logsumexp", 1, "NaN → NaN", lambda: online_logsumexp(t(0, nan), 1),
         Same(lambda: torch.tensor(nan))),
    Case("online_softmax", 2, "empty axis → empty", lambda: ac.online_softmax(np.zeros((2, 0)), 4),
         Same(lambda: np.zeros((2, 0)))),
    Case("online_softmax", 3, "±3e38 in float32", lambda: ac.online_softmax(t(3e38, -3e38, 3e38), 1),
         Same(lambda: t(0.5, 0, 0.5))),
    Case("online_softmax", 4, "fully masked row → zeros",
         lambda: ac.online_softmax(X[:2], 2, mask=[[True] * 5, [False] * 5]),
         Same(lambda: ac.softmax(X[:2], mask=[[True] * 5, [False] * 5]))),
    Case("online_softmax", 4, "float mask", lambda: ac.online_softmax(X, 2, mask=torch.ones(3, 5)),
         Raises("mask")),
    Case("online_softmax", 6, "float16 stays float16", lambda: ac.online_softmax(t(1, 2, 3, dtype=f16), 2),
         Same(lambda: torch.softmax(t(1, 2, 3), -1).to(f16), atol=1e-3)),
    Case("online_softmax", 7, "block_size 2.0", lambda: ac.online_softmax(X, 2.0), Raises("block_size")),
    Case("online_softmax", 7, "block_size 0", lambda: ac.online_softmax(X, 0), Raises("block_size")),
    # scores ----------------------------------------------------------------------------------
    Case("cosine_score", 6, "NumPy float32 stays float32 (eps does not promote)",
         lambda: ac.cosine_score(np.ones((2, 3), np.float32), np.ones((4, 3), np.float32)),
         Same(lambda: np.ones((2, 4), np.float32))),
    Case("cosine_score", 6, "float16 zero query → 0, not NaN (eps does not underflow)",
         lambda: ac.cosine_score(torch.zeros(1, 3, dtype=f16), torch.ones(2, 3, dtype=f16)),
         Same(lambda: torch.zeros(1, 2, dtype=f16))),
    Case("cosine_score", 5, "float16 vectors of 1000s: norms do not overflow",
         lambda: ac.cosine_score(torch.full((1, 64), 1000.0, dtype=f16), torch.full((2, 64), 500.0, dtype=f16)),
         Same(lambda: torch.ones(1, 2, dtype=f16), atol=1e-3)),
    Case("cosine_score", 1, "NaN in a query → its row NaN",
         lambda: ac.cosine_score(_with_nan(Q[0], (0, 0)), K[0])[0],
         Same(lambda: torch.full((6,), nan))),
    Case("dot_score", 6, "torch int → float32, as NumPy ints → float64",
         lambda: ac.dot_score(torch.ones(2, 3, dtype=torch.long), torch.ones(4, 3, dtype=torch.long)),
         Same(lambda: torch.full((2, 4), 3.0))),
    Case("dot_score", 6, "NumPy int → float64",
         lambda: ac.dot_score(np.ones((2, 3), int), np.ones((4, 3), int)), Same(lambda: np.full((2, 4), 3.0))),
    Case("dot_score", 6, "float32 with float64 → float64",
         lambda: ac.dot_score(torch.ones(2, 3), torch.ones(4, 3, dtype=f64)),
         Same(lambda: torch.full((2, 4), 3.0, dtype=f64))),
    Case("dot_score", 2, "no keys → (n_q, 0)", lambda: ac.dot_score(Q[0], K[0, :0]),
         Same(lambda: torch.zeros(4, 0))),
    Case("dot_score", 7, "NumPy with torch", lambda: ac.dot_score(Q[0].numpy(), K[0]), Raises("NumPy")),
    Case("scaled_dot_score", 2, "d = 0 → zeros, not 0/0", lambda: ac.scaled_dot_score(torch.zeros(2, 0), torch.zeros(3, 0)),
         Same(lambda: torch.zeros(2, 3))),
    Case("general_score", 7, "W of the wrong shape", lambda: ac.general_score(Q[0], K[0], torch.eye(3)), Raises("W")),
    Case("additive_score", 7, "w_v of the wrong shape",
         lambda: ac.additive_score(Q[0], K[0], torch.eye(8), torch.eye(8), torch.ones(3)), Raises("w_v")),
    Case("additive_score", 6, "NumPy int → float64",
         lambda: ac.additive_score(np.ones((1, 2), int), np.ones((3, 2), int), np.eye(2, dtype=int),
                                   np.eye(2, dtype=int), np.ones(2, int)),
         Same(lambda: np.full((1, 3), 2 * math.tanh(2)))),
    Case("location_score", 7, "W of the wrong shape", lambda: ac.location_score(Q[0], torch.ones(3, 6)), Raises("W")),
    Case("score", 7, "an unknown score", lambda: ac.score("bilinear", Q, K), Raises("score")),
    # scaled_dot_product_attention ------------------------------------------------------------
    Case("scaled_dot_product_attention", 1, "NaN in one query → that row NaN, others exact",
         lambda: ac.scaled_dot_product_attention(_with_nan(Q, (0, 1, 2)), K, V)[0][0],
         Same(lambda: torch.cat([_sdpa64(Q, K, V)[0][0, :1], torch.full((1, 3), nan, dtype=f64),
                                 _sdpa64(Q, K, V)[0][0, 2:]]).float())),
    Case("scaled_dot_product_attention", 1, "NaN in a masked key is never read",
         lambda: ac.scaled_dot_product_attention(Q, _with_nan(K, (0, 5, 0)), V, mask=M.clone().fill_(True)
                                                 .index_fill_(1, torch.tensor([5]), False))[0],
         Same(lambda: _sdpa64(Q, K[:, :5], V[:, :5])[0].float())),
    Case("scaled_dot_product_attention", 2, "no keys (n_k = 0) → zero output",
         lambda: ac.scaled_dot_product_attention(Q, K[:, :0], V[:, :0])[0], Same(lambda: torch.zeros(2, 4, 3))),
    Case("scaled_dot_product_attention", 2, "no keys → (n_q, 0) weights",
         lambda: ac.scaled_dot_product_attention(Q, K[:, :0], V[:, :0])[1], Same(lambda: torch.zeros(2, 4, 0))),
    Case("scaled_dot_product_attention", 2, "no queries (N = 0) → empty",
         lambda: ac.scaled_dot_product_attention(Q[:, :0], K, V)[0], Same(lambda: torch.zeros(2, 0, 3))),
    Case("scaled_dot_product_attention", 2, "empty batch → empty",
         lambda: ac.scaled_dot_product_attention(Q[:0], K[:0], V[:0])[0], Same(lambda: torch.zeros(0, 4, 3))),
    Case("scaled_dot_product_attention", 2, "one key → its value",
         lambda: ac.scaled_dot_product_attention(Q, K[:, :1], V[:, :1])[0],
         Same(lambda: V[:, :1].expand(2, 4, 3))),
    Case("scaled_dot_product_attention", 4, "fully masked rows → zero weights and output",
         lambda: ac.scaled_dot_product_attention(Q, K, V, mask=M)[0],
         Same(lambda: _sdpa64(Q, K, V, M)[0].float())),
    Case("scaled_dot_product_attention", 4, "mask as a nested list",
         lambda: ac.scaled_dot_product_attention(Q, K, V, mask=M.tolist())[1],
         Same(lambda: _sdpa64(Q, K, V, M)[1].float())),
    Case("scaled_dot_product_attention", 4, "NumPy mask (negative strides) with torch input",
         lambda: ac.scaled_dot_product_attention(Q, K, V, mask=NEG_STRIDES)[0],
         Same(lambda: _sdpa64(Q, K, V)[0].float())),
    Case("scaled_dot_product_attention", 4, "float mask", lambda: ac.scaled_dot_product_attention(Q, K, V, mask=M.float()),
         Raises("mask")),
    Case("scaled_dot_product_attention", 4, "int list mask", lambda: ac.scaled_dot_product_attention(Q, K, V, mask=M.int().tolist()),
         Raises("mask")),
    Case("scaled_dot_product_attention", 4, "mask that does not broadcast",
         lambda: ac.scaled_dot_product_attention(Q, K, V, mask=M[:, :5]), Raises("mask")),
    Case("scaled_dot_product_attention", 4, "boolean bias (a mask in the wrong place)",
         lambda: ac.scaled_dot_product_attention(Q, K, V, bias=M), Raises("bias")),
    Case("scaled_dot_product_attention", 7, "bias that does not broadcast",
         lambda: ac.scaled_dot_product_attention(Q, K, V, bias=torch.zeros(3, 6)), Raises("bias")),
    Case("scaled_dot_product_attention", 7, "scale NaN", lambda: ac.scaled_dot_product_attention(Q, K, V, scale=nan),
         Raises("scale")),
    Case("scaled_dot_product_attention", 7, "q and k of different d_k",
         lambda: ac.scaled_dot_product_attention(Q, K[..., :5], V), Raises("d_k")),
    Case("scaled_dot_product_attention", 7, "k and v of different n_k",
         lambda: ac.scaled_dot_product_attention(Q, K, V[:, :5]), Raises("n_k")),
    Case("scaled_dot_product_attention", 7, "a 1-D query", lambda: ac.scaled_dot_product_attention(Q[0, 0], K, V),
         Raises("q")),
    Case("scaled_dot_product_attention", 7, "NumPy q with torch k, v",
         lambda: ac.scaled_dot_product_attention(Q.numpy(), K, V), Raises("NumPy")),
    Case("scaled_dot_product_attention", 6, "int64 tensors → float32 (NumPy ints → float64)",
         lambda: ac.scaled_dot_product_attention(*(torch.ones(2, 3, dtype=torch.long),) * 3)[0],
         Same(lambda: torch.ones(2, 3))),
    Case("scaled_dot_product_attention", 6, "NumPy ints → float64",
         lambda: ac.scaled_dot_product_attention(*(np.ones((2, 3), int),) * 3)[0], Same(lambda: np.ones((2, 3)))),
    Case("scaled_dot_product_attention", 6, "float32 q with float64 k, v → float64",
         lambda: ac.scaled_dot_product_attention(Q, K.double(), V.double())[0],
         Same(lambda: _sdpa64(Q, K, V)[0], atol=1e-6)),
    *[Case("scaled_dot_product_attention", 6, f"{dt} keeps its dtype",
           lambda dt=dt: ac.scaled_dot_product_attention(Q.to(dt), K.to(dt), V.to(dt))[0],
           Same(lambda dt=dt: _sdpa64(Q.to(dt), K.to(dt), V.to(dt))[0].to(dt), atol=2e-2))
      for dt in (f16, bf16)],
    Case("scaled_dot_product_attention", 6, "non-contiguous and broadcast batches = torch",
         lambda: ac.scaled_dot_product_attention(rand(2, 1, 8, 4).transpose(-2, -1), rand(1, 3, 5, 8), rand(3, 5, 2))[0],
         Same(lambda: F.scaled_dot_product_attention(rand(2, 1, 8, 4).transpose(-2, -1), rand(1, 3, 5, 8).expand(2, 3, 5, 8),
                                                     rand(3, 5, 2).expand(2, 3, 5, 2)), atol=1e-5)),
    Case("scaled_dot_product_attention", 6, "NumPy in → NumPy out",
         lambda: ac.scaled_dot_product_attention(Q.double().numpy(), K.double().numpy(), V.double().numpy())[0],
         Same(lambda: _sdpa64(Q, K, V)[0].numpy())),
    Case("self_attention", 6, "int X → float", lambda: ac.self_attention(np.ones((3, 2), int), *(np.eye(2, dtype=int),) * 3)[0],
         Same(lambda: np.ones((3, 2)))),
    Case("self_attention", 2, "N = 0 → empty", lambda: ac.self_attention(torch.zeros(0, 2), *(torch.eye(2),) * 3)[0],
         Same(lambda: torch.zeros(0, 2))),
    Case("self_attention", 4, "float mask", lambda: ac.self_attention(torch.ones(3, 2), *(torch.eye(2),) * 3, mask=torch.ones(3, 3)),
         Raises("mask")),
    Case("cross_attention", 7, "W_k of the wrong shape",
         lambda: ac.cross_attention(torch.ones(3, 2), torch.ones(4, 2), torch.eye(2), torch.eye(3), torch.eye(2)), Raises("W_k")),
    Case("cross_attention", 2, "no keys → zeros",
         lambda: ac.cross_attention(torch.ones(3, 2), torch.ones(0, 2), *(torch.eye(2),) * 3)[0], Same(lambda: torch.zeros(3, 2))),
    # masks ---------------------------------------------------------------------------------------
    Case("causal_mask", 7, "n_q = 2.5", lambda: ac.causal_mask(2.5), Raises("n_q")),
    Case("causal_mask", 7, "n_k = −1", lambda: ac.causal_mask(2, -1), Raises("n_k")),
    Case("causal_mask", 7, "offset = 0.5", lambda: ac.causal_mask(2, offset=0.5), Raises("offset")),
    Case("causal_mask", 2, "0 × 0", lambda: ac.causal_mask(0).astype(np.float64), Same(lambda: np.zeros((0, 0)))),
    Case("sliding_window_mask", 7, "window = −1", lambda: ac.sliding_window_mask(4, -1), Raises("window")),
    Case("sliding_window_mask", 7, "window = 1.5", lambda: ac.sliding_window_mask(4, 1.5), Raises("window")),
    Case("padding_mask", 7, "a NaN length", lambda: ac.padding_mask([2, nan], 4), Raises("lengths")),
    Case("padding_mask", 7, "a length of 2.5", lambda: ac.padding_mask(np.array([2.5, 1]), 4), Raises("lengths")),
    Case("padding_mask", 7, "float tensor lengths", lambda: ac.padding_mask(torch.tensor([2.0, 1.0]), 4), Raises("lengths")),
    Case("padding_mask", 7, "a length beyond n_k", lambda: ac.padding_mask([5], 4), Raises("lengths")),
    Case("padding_mask", 7, "lengths of shape (2, 1)", lambda: ac.padding_mask([[1], [2]], 4), Raises("lengths")),
    Case("padding_mask", 7, "n_k = −1", lambda: ac.padding_mask([0], -1), Raises("n_k")),
    Case("padding_mask", 2, "no sequences → (0, 1, n_k)", lambda: ac.padding_mask(np.zeros(0, int), 3).astype(float),
         Same(lambda: np.zeros((0, 1, 3)))),
    # positions -------------------------------------------------------------------------------------
    Case("rope_rotate", 7, "negative offset (silently position 1 before)", lambda: ac.rope_rotate(rand(3, 4), offset=-1),
         Raises("offset")),
    Case("rope_rotate", 7, "offset 1.5", lambda: ac.rope_rotate(rand(3, 4), offset=1.5), Raises("offset")),
    Case("rope_rotate", 7, "1-D input", lambda: ac.rope_rotate(rand(4)), Raises("x")),
    Case("rope_rotate", 7, "odd d_k", lambda: ac.rope_rotate(rand(3, 5)), Raises("d_k")),
    Case("rope_rotate", 2, "N = 0 → empty", lambda: ac.rope_rotate(torch.zeros(2, 0, 4)), Same(lambda: torch.zeros(2, 0, 4))),
    Case("rope_rotate", 6, "NumPy in → NumPy out, as torch",
         lambda: ac.rope_rotate(rand(3, 4, dtype=f64).numpy(), offset=2),
         Same(lambda: ac.rope_rotate(rand(3, 4, dtype=f64), offset=2).numpy())),
    Case("rope_rotate", 6, "offset m = rows cut from a longer sequence",
         lambda: ac.rope_rotate(rand(5, 4, dtype=f64)[2:], offset=2),
         Same(lambda: ac.rope_rotate(rand(5, 4, dtype=f64))[2:])),
    Case("rope_rotate", 6, "float16 stays float16", lambda: ac.rope_rotate(rand(3, 4, dtype=f16), offset=7),
         Same(lambda: ac.rope_rotate(rand(3, 4, dtype=f16).double(), offset=7).to(f16), atol=2e-3)),
    Case("rope_rotate", 6, "int → float32", lambda: ac.rope_rotate(torch.ones(2, 2, dtype=torch.long)),
         Same(lambda: ac.rope_rotate(torch.ones(2, 2)))),
    Case("alibi_bias", 7, "n_q = −1", lambda: ac.alibi_bias(-1, 3, ac.alibi_slopes(2)), Raises("n_q")),
    Case("alibi_bias", 7, "n_k = 2.0", lambda: ac.alibi_bias(2, 2.0, ac.alibi_slopes(2)), Raises("n_k")),
    Case("alibi_bias", 7, "slopes of shape (2, 1)", lambda: ac.alibi_bias(2, 3, torch.ones(2, 1)), Raises("slopes")),
    Case("alibi_bias", 2, "n_k = 0 → (H, n_q, 0)", lambda: ac.alibi_bias(2, 0, ac.alibi_slopes(4)), Same(lambda: torch.zeros(4, 2, 0))),
    Case("alibi_bias", 6, "NumPy slopes → NumPy bias", lambda: ac.alibi_bias(2, 2, np.array([1.0])),
         Same(lambda: np.array([[[0.0, -1.0], [-1.0, 0.0]]]))),
    Case("alibi_bias", 6, "float64 slopes → float64 bias", lambda: ac.alibi_bias(2, 2, ac.alibi_slopes(1).double()),
         Same(lambda: torch.tensor([[[0.0, -1.0], [-1.0, 0.0]]], dtype=f64) / 256)),
    Case("alibi_slopes", 7, "n_heads = 0", lambda: ac.alibi_slopes(0), Raises("n_heads")),
    Case("alibi_slopes", 7, "n_heads = 2.0", lambda: ac.alibi_slopes(2.0), Raises("n_heads")),
    Case("sinusoidal_encoding", 7, "N = −1", lambda: ac.sinusoidal_encoding(-1, 4), Raises("N")),
    Case("sinusoidal_encoding", 7, "base = 1", lambda: ac.sinusoidal_encoding(3, 4, base=1), Raises("base")),
    Case("sinusoidal_encoding", 2, "N = 0 → (0, d_model)", lambda: ac.sinusoidal_encoding(0, 4), Same(lambda: np.zeros((0, 4)))),
    # MultiHeadAttention: both paths apply one mask rule ------------------------------------------------
    *[Case("MultiHeadAttention", 4, f"{what} (need_weights={nw})",
           lambda nw=nw, m=m, c=causal: MHA(XM, XM, XM, mask=m, need_weights=nw, is_causal=c), Raises("mask"))
      for nw in (True, False)
      for what, m, causal in (("float 0/1 mask (torch would read it as a bias)", torch.ones(5, 5), False),
                              ("int mask", torch.ones(5, 5, dtype=torch.long), False),
                              ("uint8 mask", torch.ones(5, 5, dtype=torch.uint8), False),
                              ("float mask with is_causal", torch.ones(5, 5), True),
                              ("mask that does not broadcast", torch.ones(3, 5) > 0, False))],
    *[Case("MultiHeadAttention", 4, f"fully masked query row → zero attention (need_weights={nw})",
           lambda nw=nw: MHA(XM, XM, XM, mask=torch.tensor([False, True, True, True, True])[:, None], need_weights=nw)[0][:, 0],
           Same(lambda: MHA.W_o.bias.detach().expand(2, 8), atol=1e-6)) for nw in (True, False)],
    Case("MultiHeadAttention", 4, "fused path = plain path with a padding mask",
         lambda: MHA(XM, XM, XM, mask=ac.padding_mask([3, 5], 5)[:, None], need_weights=False)[0],
         Same(lambda: MHA(XM, XM, XM, mask=ac.padding_mask([3, 5], 5)[:, None])[0], atol=1e-5)),
    *[Case("MultiHeadAttention", 2, f"no keys → W_o's bias (need_weights={nw})",
           lambda nw=nw: MHA(XM, XM[:, :0], XM[:, :0], need_weights=nw)[0],
           Same(lambda: MHA.W_o.bias.detach().expand(2, 5, 8))) for nw in (True, False)],
    *[Case("MultiHeadAttention", 2, f"no queries → empty (need_weights={nw})",
           lambda nw=nw: MHA(XM[:, :0], XM, XM, need_weights=nw)[0], Same(lambda: torch.zeros(2, 0, 8)))
      for nw in (True, False)],
    Case("MultiHeadAttention", 1, "NaN in one token → NaN for its sequence only",
         lambda: MHA(_with_nan(XM, (0, 2, 3)), _with_nan(XM, (0, 2, 3)), _with_nan(XM, (0, 2, 3)))[0][1],
         Same(lambda: MHA(XM, XM, XM)[0][1].detach())),
    Case("MultiHeadAttention", 6, "float64 input to a float32 module", lambda: MHA(XM.double(), XM.double(), XM.double()),
         Raises("query")),
    Case("MultiHeadAttention", 6, "NumPy input", lambda: MHA(XM.numpy(), XM, XM), Raises("query")),
    Case("MultiHeadAttention", 7, "head_mask of the wrong shape", lambda: MHA(XM, XM, XM, head_mask=torch.ones(3)),
         Raises("head_mask")),
    Case("TransformerEncoderLayer", 4, "float mask (plain path)", lambda: ENC(XM, mask=torch.ones(5, 5)), Raises("mask")),
    Case("TransformerEncoderLayer", 4, "float mask (fused path)", lambda: ENC(XM, mask=torch.ones(5, 5), need_weights=False),
         Raises("mask")),
    Case("TransformerEncoderLayer", 2, "N = 0 → empty", lambda: ENC(XM[:, :0])[0], Same(lambda: torch.zeros(2, 0, 8))),
    *[Case("TransformerDecoderLayer", 4, f"{what} (need_weights={nw})",
           lambda nw=nw, kw=kw: DEC(XM, XM, need_weights=nw, **kw), Raises("mask"))
      for nw in (True, False)
      for what, kw in (("float self-attention mask", {"mask": torch.ones(5, 5)}),
                       ("integer memory_mask", {"memory_mask": torch.ones(5, 5, dtype=torch.int64)}),
                       ("memory_mask that does not broadcast", {"memory_mask": torch.ones(3, 4, dtype=torch.bool)}))],
    Case("TransformerDecoderLayer", 2, "N = 0 → empty", lambda: DEC(XM[:, :0], XM)[0], Same(lambda: torch.zeros(2, 0, 8))),
    Case("TransformerDecoderLayer", 2, "memory without keys: fused path = plain path, finite",
         lambda: DEC(XM, XM[:, :0], need_weights=False)[0],
         Same(lambda: DEC(XM, XM[:, :0])[0].detach().nan_to_num(1e9), atol=1e-5)),
    # from_torch: copy in the source's dtype, refuse what cannot be copied ---------------------------------
    *[Case("MultiHeadAttention.from_torch", 8, f"{dt} module → same output in {dt}", lambda dt=dt: _mha_copy(dt)[0],
           Same(lambda dt=dt: _mha_copy(dt)[1].detach(), atol={f64: 1e-12, f16: 2e-3, bf16: 2e-2}[dt]))
      for dt in (f64, f16, bf16)],
    Case("MultiHeadAttention.from_torch", 8, "dropout 0.5 (silently dropped before)",
         lambda: ac.MultiHeadAttention.from_torch(nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)),
         Raises("dropout")),
    Case("MultiHeadAttention.from_torch", 8, "kdim ≠ embed_dim",
         lambda: ac.MultiHeadAttention.from_torch(nn.MultiheadAttention(8, 2, kdim=4, batch_first=True)), Raises("kdim")),
    *[Case("TransformerEncoderLayer.from_torch", 8, f"{dt} layer → same output in {dt}", lambda dt=dt: _layer_diff(dt)[0],
           Same(lambda dt=dt: _layer_diff(dt)[1].detach(), atol={f64: 1e-12, f16: 4e-3, bf16: 4e-2}[dt]))
      for dt in (f64, f16, bf16)],
    *[Case("TransformerDecoderLayer.from_torch", 8, f"{dt} layer → same output in {dt}", lambda dt=dt: _decoder_diff(dt)[0],
           Same(lambda dt=dt: _decoder_diff(dt)[1].detach(), atol={f64: 1e-12, f16: 4e-3, bf16: 4e-2}[dt]))
      for dt in (f64, f16, bf16)],
    Case("TransformerEncoderLayer.from_torch", 8, "attention dropout 0.1 (torch's default)",
         lambda: ac.TransformerEncoderLayer.from_torch(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)),
         Raises("dropout")),
    Case("TransformerEncoderLayer.from_torch", 8, "linear layers without bias",
         lambda: ac.TransformerEncoderLayer.from_torch(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, bias=False,
                                                                                  batch_first=True)),
         Raises("bias")),
    Case("TransformerEncoderLayer.from_torch", 8, "an activation the copy lacks",
         lambda: ac.TransformerEncoderLayer.from_torch(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=torch.tanh,
                                                                                  batch_first=True)),
         Raises("activation")),
    Case("TransformerDecoderLayer.from_torch", 8, "attention dropout 0.1",
         lambda: ac.TransformerDecoderLayer.from_torch(nn.TransformerDecoderLayer(8, 2, 16, batch_first=True)),
         Raises("dropout")),
    # AdditiveAttention -----------------------------------------------------------------------------------
    Case("AdditiveAttention", 7, "values of another batch size",
         lambda: ADD(rand(2, 4), rand(2, 7, 6), rand(3, 7, 2)), Raises("values")),
    Case("AdditiveAttention", 7, "query of another batch size",
         lambda: ADD(rand(3, 4), rand(2, 7, 6)), Raises("query")),
    Case("AdditiveAttention", 2, "no keys → zero context", lambda: ADD(rand(2, 4), rand(2, 0, 6))[0].detach(),
         Same(lambda: torch.zeros(2, 6))),
    Case("AdditiveAttention", 4, "fully masked row → zero context",
         lambda: ADD(rand(2, 4), rand(2, 7, 6), mask=ac.padding_mask([0, 3], 7)[:, 0])[0][0].detach(),
         Same(lambda: torch.zeros(6))),
    Case("AdditiveAttention", 4, "float mask", lambda: ADD(rand(2, 4), rand(2, 7, 6), mask=torch.ones(2, 7)),
         Raises("mask")),
    Case("AdditiveAttention", 6, "float64 query to a float32 module", lambda: ADD(rand(2, 4, dtype=f64), rand(2, 7, 6)),
         Raises("query")),
    # flash_attention ----------------------------------------------------------------------------------------
    *[Case("flash_attention", 5, f"{dt}, 1024 keys, values of 100 → 100 (inf before)",
           lambda dt=dt: _flash_big_values(dt), Same(lambda dt=dt: torch.full((1, 1, 4, 8), 100.0, dtype=dt)))
      for dt in (f16, bf16)],
    *[Case("flash_attention", 7, f"block_size {b!r}", lambda b=b: ac.flash_attention(Q, K, V, block_size=b),
           Raises("block_size")) for b in (2.0, (1, 2, 3), "8", -1, 0, (4, 0), True)],
    Case("flash_attention", 7, "scale inf", lambda: ac.flash_attention(Q, K, V, scale=inf), Raises("scale")),
    Case("flash_attention", 7, "NumPy input", lambda: ac.flash_attention(Q.numpy(), K, V), Raises("q")),
    Case("flash_attention", 2, "no keys → zeros", lambda: ac.flash_attention(Q, K[:, :0], V[:, :0]),
         Same(lambda: torch.zeros(2, 4, 3))),
    Case("flash_attention", 2, "no queries → empty", lambda: ac.flash_attention(Q[:, :0], K, V), Same(lambda: torch.zeros(2, 0, 3))),
    Case("flash_attention", 2, "empty batch → empty", lambda: ac.flash_attention(Q[:0], K[:0], V[:0]), Same(lambda: torch.zeros(0, 4, 3))),
    Case("flash_attention", 1, "NaN in one query → that row NaN", lambda: ac.flash_attention(_with_nan(Q, (0, 1, 2)), K, V)[0],
         Same(lambda: torch.cat([_sdpa64(Q, K, V)[0][0, :1], torch.full((1, 3), nan, dtype=f64),
                                 _sdpa64(Q, K, V)[0][0, 2:]]).float(), atol=1e-5)),
    Case("flash_attention", 6, "int tensors → float32", lambda: ac.flash_attention(*(torch.ones(2, 3, dtype=torch.long),) * 3),
         Same(lambda: torch.ones(2, 3))),
    Case("flash_attention", 6, "non-contiguous, broadcast batches = torch",
         lambda: ac.flash_attention(rand(2, 1, 8, 4).transpose(-2, -1), rand(1, 3, 5, 8), rand(3, 5, 2), block_size=2),
         Same(lambda: F.scaled_dot_product_attention(rand(2, 1, 8, 4).transpose(-2, -1), rand(1, 3, 5, 8).expand(2, 3, 5, 8),
                                                     rand(3, 5, 2).expand(2, 3, 5, 2)), atol=1e-5)),
    # local and linear attention ----------------------------------------------------------------------------
    Case("local_attention", 7, "window −1", lambda: ac.local_attention(K, K, V, -1), Raises("window")),
    Case("local_attention", 7, "window 1.5", lambda: ac.local_attention(K, K, V, 1.5), Raises("window")),
    Case("local_attention", 7, "block_size 0", lambda: ac.local_attention(K, K, V, 2, block_size=0), Raises("block_size")),
    Case("local_attention", 7, "q, k of other lengths", lambda: ac.local_attention(Q, K, V, 2), Raises("self-attention")),
    Case("local_attention", 2, "N = 0 → empty", lambda: ac.local_attention(K[:, :0], K[:, :0], V[:, :0], 2),
         Same(lambda: torch.zeros(2, 0, 3))),
    Case("local_attention", 6, "float16 stays float16",
         lambda: ac.local_attention(K.half(), K.half(), V.half(), 2, causal=True),
         Same(lambda: _sdpa64(K.half(), K.half(), V.half(), ac.sliding_window_mask(6, 2, causal=True, like=K))[0].half(),
              atol=5e-3)),
    Case("linear_attention", 7, "chunk 0", lambda: ac.linear_attention(K, K, V, causal=True, chunk=0), Raises("chunk")),
    Case("linear_attention", 7, "chunk −4", lambda: ac.linear_attention(K, K, V, chunk=-4), Raises("chunk")),
    Case("linear_attention", 7, "feature_map not a function", lambda: ac.linear_attention(K, K, V, feature_map=2),
         Raises("feature_map")),
    *[Case("linear_attention", 2, f"N = 0 → empty (causal={c})",
           lambda c=c: ac.linear_attention(K[:, :0], K[:, :0], V[:, :0], causal=c), Same(lambda: torch.zeros(2, 0, 3)))
      for c in (False, True)],
    Case("linear_attention", 5, "float16, 4096 positions of values 30: sums in float32, no inf",
         lambda: ac.linear_attention(*(torch.ones(1, 4096, 4, dtype=f16),) * 2, torch.full((1, 4096, 4), 30.0, dtype=f16)),
         Same(lambda: torch.full((1, 4096, 4), 30.0, dtype=f16))),
    Case("linear_attention", 6, "int tensors → float32", lambda: ac.linear_attention(*(torch.ones(1, 3, 2, dtype=torch.long),) * 3),
         Same(lambda: torch.ones(1, 3, 2))),
]


def _id(case: Case) -> str:
    return f"{case.klass}-{case.fn}: {case.what}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_bad_input(case: Case) -> None:
    if isinstance(case.expect, Raises):
        case.expect.check(case.call)
    else:
        with torch.no_grad():
            case.expect.check(case.call())


def test_every_public_function_has_rows():
    """Each public function of issue 13's list appears in the table."""
    listed = {c.fn.split(".")[0] for c in CASES}
    wanted = {"softmax", "logsumexp", "entropy", "online_softmax", "cosine_score", "dot_score",
              "scaled_dot_product_attention", "self_attention", "cross_attention", "causal_mask",
              "padding_mask", "rope_rotate", "alibi_bias", "MultiHeadAttention",
              "AdditiveAttention", "TransformerEncoderLayer", "TransformerDecoderLayer",
              "flash_attention", "local_attention", "linear_attention"}
    assert wanted <= listed, wanted - listed
