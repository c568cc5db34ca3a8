"""Chapter 17's streaming measurements: caches read a text as the model would in one pass."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from attn_course.experiments.long_context import (
    first_token_attention,
    generation_profile,
    make_cache,
    recompute_nll,
    stream_nll,
)
from attn_course.layers.rolling_cache import RollingKVCache
from attn_course.models.gpt import GPT


@pytest.fixture(scope="module")
def model() -> GPT:
    torch.manual_seed(0)
    return GPT(11, d_model=16, n_heads=2, n_layers=2, max_len=96).eval()


def _ids(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 11, (n,), generator=torch.Generator().manual_seed(seed))


def test_stream_through_a_full_cache_equals_one_pass(model: GPT) -> None:
    ids = _ids(60)
    want = F.cross_entropy(model(ids[None, :-1])[0], ids[1:], reduction="none")
    got = stream_nll(model, ids, make_cache(model, capacity=60), chunk=7)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_a_window_longer_than_the_text_changes_nothing(model: GPT) -> None:
    ids = _ids(40, 1)
    full = stream_nll(model, ids, make_cache(model, capacity=40))
    rolled = stream_nll(model, ids, make_cache(model, window=64, sinks=2))
    torch.testing.assert_close(rolled, full, atol=1e-5, rtol=1e-5)


def test_a_short_window_differs_after_it_fills(model: GPT) -> None:
    ids = _ids(50, 2)
    full = stream_nll(model, ids, make_cache(model, capacity=50))
    rolled = stream_nll(model, ids, make_cache(model, window=8))
    torch.testing.assert_close(rolled[:8], full[:8], atol=1e-5, rtol=1e-5)
    assert (rolled[8:] - full[8:]).abs().max() > 1e-4


def test_recompute_with_the_whole_text_as_window_is_one_pass(model: GPT) -> None:
    ids = _ids(30, 3)
    want = F.cross_entropy(model(ids[None, :-1])[0], ids[1:], reduction="none")
    torch.testing.assert_close(recompute_nll(model, ids, 29), want, atol=1e-5, rtol=1e-5)
    assert recompute_nll(model, ids, 5).shape == want.shape
    with pytest.raises(ValueError, match="window"):
        recompute_nll(model, ids, 0)


def test_stream_rejects_bad_ids(model: GPT) -> None:
    with pytest.raises(ValueError, match="ids"):
        stream_nll(model, _ids(1), make_cache(model, capacity=4))


def test_generation_profile_memory(model: GPT) -> None:
    full = generation_profile(model, _ids(8), 64, make_cache(model, capacity=72), every=16)
    window = make_cache(model, window=16, sinks=2)
    assert isinstance(window, RollingKVCache)
    rolled = generation_profile(model, _ids(8), 64, window, every=16)
    assert [r["t"] for r in full] == [24, 40, 56, 72]
    assert full[-1]["cache_bytes"] == 72 / 24 * full[0]["cache_bytes"]  # grows with t
    assert len({r["cache_bytes"] for r in rolled}) == 1  # flat once full
    assert rolled[0]["cache_bytes"] == 18 / 24 * full[0]["cache_bytes"]


def test_first_token_attention(model: GPT) -> None:
    ids = _ids(4 * 32, 4)
    r = first_token_attention(model, ids, context=32, first=1, start=8, n_windows=4)
    assert r["weight"].shape == r["ratio"].shape == (2, 2)
    t = torch.arange(8, 32, dtype=torch.float32)
    torch.testing.assert_close(r["uniform"], (1 / (t + 1)).mean())
    assert ((r["weight"] > 0) & (r["weight"] < 1)).all()
    _, w = model.run(ids.view(4, 32), need_weights=True)  # (W, L, H, 32, 32)
    torch.testing.assert_close(r["weight"], w[..., 8:, 0].mean(dim=(0, 3)))
    with pytest.raises(ValueError, match="n_windows"):
        first_token_attention(model, ids[:100], context=32, n_windows=4)
