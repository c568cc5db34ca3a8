"""The ring stepper's Python side: validation, and a readout that follows the ring."""

from __future__ import annotations

import pytest
import torch

from attn_course.views.ring import RingView


def _data(n: int = 16, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(n, d, generator=g, dtype=torch.float64) for d in (4, 4, 3))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("balanced", [False, True])
@pytest.mark.parametrize("P", [1, 3, 8])
def test_last_step_is_exact_attention(P: int, causal: bool, balanced: bool) -> None:
    q, k, v = _data(17)
    for query in (0, 8, 16):
        r = RingView(q, k, v, world_size=P, query=query, causal=causal, balanced=balanced).readout()
        want = torch.nn.functional.scaled_dot_product_attention(
            q[None], k[None], v[None], is_causal=causal)[0, query]
        assert r["step"] == P - 1 and len(r["error"]) == P
        torch.testing.assert_close(torch.tensor(r["out"], dtype=torch.float64), want)
        torch.testing.assert_close(torch.tensor(r["exact"], dtype=torch.float64), want)
        assert r["seen"][-1] == (query + 1 if causal else 17)
        assert sorted(r["sources"]) == list(range(P))


def test_before_the_last_step_the_row_is_not_yet_exact() -> None:
    q, k, v = _data()
    r = RingView(q, k, v, world_size=4, query=3, step=1, causal=False).readout()
    assert r["step"] == 1 and len(r["m"]) == 2 and r["seen"] == [4, 8]
    assert r["error"][-1] > 1e-3  # half the keys seen: not the exact row yet
    assert r["l"][1] > r["l"][0] * torch.exp(torch.tensor(r["m"][0] - r["m"][1])).item()


def test_step_is_clamped_to_the_world_size() -> None:
    view = RingView(*_data(), world_size=4, step=3)
    view.world_size = 2  # the reader moved P down; the step slider had been at 3
    assert view.readout()["step"] == 1


def test_demo_and_state_round_trip() -> None:
    view = RingView.demo()
    again = RingView.from_state({**view.state, **view.params})
    assert again.readout() == view.readout()
    assert view.state_bytes() < 20_000


@pytest.mark.parametrize("kwargs, match", [
    (dict(world_size=0), "world_size"), (dict(world_size=9), "world_size"),
    (dict(world_size=True), "world_size"), (dict(query=16), "query"),
    (dict(world_size=2, step=2), "step"),
])
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RingView(*_data(), **kwargs)


def test_bad_shapes() -> None:
    q, k, v = _data()
    with pytest.raises(ValueError, match="q must"):
        RingView(q[:8], k[:8], v[:8])
    with pytest.raises(ValueError, match="k must"):
        RingView(q, k[:, :3], v)
    with pytest.raises(ValueError, match="v must"):
        RingView(q, k, v[:10])
    with pytest.raises(ValueError, match="finite"):
        RingView(q.clone().fill_(float("nan")), k, v)


def test_fallback_figure() -> None:
    assert RingView.demo().fallback_html().startswith("<noscript><img")
