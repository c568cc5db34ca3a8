"""Tests of ``attn_course.experiments.paths``: dependency patterns and path lengths measured
on the real layers, against the formulas of Table 1 (and cases where they must differ)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attn_course.experiments.complexity import max_path_length
from attn_course.experiments.paths import (
    gradient_by_distance,
    graph_depth,
    graph_hops,
    hops_to_connect,
    path_between,
    path_route,
    position_dependencies,
    reads_position,
    recurrence_hops,
)
from attn_course.models.mixers import (
    ConvStack,
    RecurrentLayer,
    SelfAttentionLayer,
    WindowedAttentionLayer,
)


@pytest.mark.parametrize("n", [5, 9, 20])
def test_measured_path_lengths_match_the_table(n: int) -> None:
    d, k, r = 4, 3, 3
    torch.manual_seed(0)
    sa = position_dependencies(SelfAttentionLayer(d, causal=True), n, d)
    assert hops_to_connect([sa] * 3) == 1 == max_path_length("self-attention", n)
    win = position_dependencies(WindowedAttentionLayer(d, r), n, d)
    assert hops_to_connect([win] * n) == max_path_length("restricted", n, r=r)
    conv = position_dependencies(ConvStack(d, k, 1, dilated=False), n, d)
    assert hops_to_connect([conv] * n) == max_path_length("contiguous", n, k)
    stack = ConvStack(d, k, 5)
    dilated = [position_dependencies(_one_conv(stack, i), n, d) for i in range(5)]
    assert hops_to_connect(dilated) == max_path_length("convolutional", n, k)
    rnn = RecurrentLayer(d)
    assert recurrence_hops(rnn.states(torch.randn(1, n, d, requires_grad=True))[-1]) == n


def _one_conv(stack: ConvStack, i: int):
    conv = stack.convs[i]

    def layer(x: torch.Tensor) -> torch.Tensor:
        h = torch.nn.functional.pad(x.transpose(1, 2), ((stack.k - 1) * conv.dilation[0], 0))
        return conv(h).transpose(1, 2)

    return layer


def test_dependency_patterns_are_measured_not_assumed() -> None:
    d, n = 4, 8
    torch.manual_seed(1)
    # non-causal attention: the first output depends on the last input too
    full = position_dependencies(SelfAttentionLayer(d), n, d)
    assert bool(full.all())
    causal = position_dependencies(SelfAttentionLayer(d, causal=True), n, d)
    assert torch.equal(causal, torch.ones(n, n, dtype=torch.bool).tril())
    # a layer that only copies its input connects nothing: no number of layers is enough
    assert hops_to_connect([position_dependencies(lambda x: 2 * x, n, d)] * n) is None
    # a recurrence with a skip connection two steps back halves the path
    W = torch.randn(d, d) / d**0.5

    def skip_states(x: torch.Tensor) -> list[torch.Tensor]:
        hs = [torch.zeros(1, d), torch.zeros(1, d)]
        for t in range(x.shape[1]):
            hs.append(torch.tanh(x[:, t] + hs[-2] @ W))
        return hs[2:]

    assert recurrence_hops(skip_states(torch.randn(1, 9, d, requires_grad=True))[-1]) == 5


def test_graph_hops_inputs() -> None:
    with pytest.raises(ValueError, match="graph"):
        graph_hops(torch.zeros(2), reads_position(0), lambda node: True)
    x = torch.randn(1, 4, 3, requires_grad=True)
    assert graph_hops((x[:, 2] * 2).sum(), reads_position(0), lambda node: True) is None
    with pytest.raises(ValueError, match="pattern"):
        hops_to_connect([])
    with pytest.raises(ValueError, match="must map"):
        position_dependencies(lambda x: x.sum(1), 4, 3)


def test_graph_depth_grows_with_n_only_for_the_recurrence() -> None:
    d = 4
    torch.manual_seed(0)
    rnn, sa = RecurrentLayer(d), SelfAttentionLayer(d)
    depth = {n: (graph_depth(rnn(torch.randn(1, n, d, requires_grad=True))),
                 graph_depth(sa(torch.randn(1, n, d, requires_grad=True)))) for n in (4, 8, 16)}
    assert depth[16][0] - depth[8][0] == 2 * (depth[8][0] - depth[4][0]) > 0
    assert depth[4][1] == depth[8][1] == depth[16][1]
    with pytest.raises(ValueError, match="graph"):
        graph_depth(torch.zeros(2))


def test_gradient_by_distance() -> None:
    torch.manual_seed(0)
    n, d = 12, 4
    x = torch.randn(1, n, d)
    conv = ConvStack(d, 3, 1)  # sees only the last 3 positions
    g = gradient_by_distance(conv, x)
    assert g.shape == (n,) and np.all(g[:3] > 0) and np.all(g[3:] == 0)
    g_sa = gradient_by_distance(SelfAttentionLayer(d), x)
    assert np.all(g_sa > 0)
    with pytest.raises(ValueError, match="shape"):
        gradient_by_distance(conv, torch.randn(n, d))


@pytest.mark.parametrize(("i", "j"), [(0, 0), (7, 3), (13, 0), (13, 12), (11, 2)])
def test_path_between_two_positions_matches_the_real_layers(i: int, j: int) -> None:
    """The playground's path lengths, against hops measured on the real layers between
    input ``j`` and output ``i`` (not only first and last)."""
    n, d, k, r = 14, 4, 3, 2
    torch.manual_seed(0)
    stack = ConvStack(d, k, 4)
    measured = {
        "self-attention": [position_dependencies(SelfAttentionLayer(d, causal=True), n, d)] * 2,
        "restricted": [position_dependencies(WindowedAttentionLayer(d, r), n, d)] * n,
        "contiguous": [position_dependencies(ConvStack(d, k, 1, dilated=False), n, d)] * n,
        "convolutional": [position_dependencies(_one_conv(stack, m), n, d) for m in range(4)],
    }
    for kind, patterns in measured.items():
        want = hops_to_connect(patterns, source=j, target=i)
        assert path_between(kind, i, j, k=k, r=r) == want, kind
    states = RecurrentLayer(d).states(torch.randn(1, n, d, requires_grad=True))
    tanh = lambda node: type(node).__name__ == "TanhBackward0"  # noqa: E731
    assert path_between("recurrent", i, j) == graph_hops(states[i], reads_position(j), tanh)


def test_path_route_steps_stay_inside_each_layer() -> None:
    for i, j, k, r in [(30, 0, 3, 4), (17, 5, 2, 1), (9, 9, 5, 8), (31, 1, 4, 3)]:
        for kind, reach in (("contiguous", k - 1), ("restricted", r)):
            route = path_route(kind, i, j, k=k, r=r)
            assert route[0] == (0, j) and route[-1][1] == i
            assert all(0 <= b[1] - a[1] <= reach for a, b in zip(route, route[1:]))
        route = path_route("convolutional", i, j, k=k)
        jumps = [b[1] - a[1] for a, b in zip(route, route[1:])]
        assert all(s % k**m == 0 and s // k**m < k for m, s in enumerate(jumps))  # one tap a layer
    with pytest.raises(ValueError, match="j ≤ i"):
        path_between("recurrent", 2, 5)
    with pytest.raises(ValueError, match="kind"):
        path_route("lstm", 2, 1)
