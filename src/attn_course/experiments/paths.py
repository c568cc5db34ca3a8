"""Autograd graphs of real layers (chapter 9): dependency chains and path lengths.

:func:`graph_depth` is the longest chain of dependent operations behind an output (Table
1's *sequential operations*); :func:`gradient_by_distance` the gradient that reaches each
earlier position. The rest measures Table 1's *maximum path length*.

Vaswani et al.'s maximum path length counts the layer applications (or recurrence steps) a
signal crosses between input position ``j`` and output position ``i``. We measure it from
autograd rather than from a formula:

- :func:`position_dependencies` asks autograd which input positions each output position of
  *one* layer depends on (the nonzero pattern of the layer's Jacobian, one batched backward
  pass on the real layer with random weights);
- :func:`hops_to_connect` follows those patterns layer after layer (a breadth-first search)
  and returns how many layers it takes before the last output depends on the first input;
- :func:`graph_hops` searches the autograd graph itself, for a layer whose graph is recorded
  position by position (the loop of a recurrent layer): the fewest nodes of a given kind
  (one ``tanh`` per recurrence step) on a path from an output to the operation that read an
  input position. Autograd records a convolution or an attention over the whole sequence as
  one node, so for those the graph alone cannot tell positions apart — hence the first two.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

__all__ = ["PATH_KINDS", "gradient_by_distance", "graph_depth", "graph_hops", "hops_to_connect",
           "path_between", "path_route", "position_dependencies", "reads_position",
           "recurrence_hops"]


def position_dependencies(layer: Callable[[Tensor], Tensor], n: int, d: int, *,
                          seed: int = 0) -> Tensor:
    """Which input positions each output position of ``layer`` depends on.

    Args:
        layer: maps ``(1, n, d)`` to ``(1, n, d_out)``.
        n, d: sequence length and width of the probe input.
        seed: seeds the probe input and the random cotangents.

    Returns:
        ``(n, n)`` bool; entry ``(i, j)`` is True iff ``∂ y_i / ∂ x_j ≠ 0``.
    """
    if n < 1 or d < 1:
        raise ValueError(f"need n ≥ 1 and d ≥ 1, got n={n}, d={d}")
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, n, d, generator=g, requires_grad=True)
    y = layer(x)  # (1, n, d_out)
    if y.dim() != 3 or y.shape[:2] != (1, n):
        raise ValueError(f"layer must map (1, n={n}, d) to (1, n, d_out), got {tuple(y.shape)}")
    cot = torch.zeros(n, *y.shape)  # (n, 1, n, d_out): cotangent i lives on output i only
    idx = torch.arange(n)
    cot[idx, 0, idx] = torch.randn(n, y.shape[-1], generator=g)
    (gx,) = torch.autograd.grad(y, x, cot, is_grads_batched=True)  # (n, 1, n, d)
    return gx[:, 0].abs().sum(-1) > 0  # (n_out, n_in)


def hops_to_connect(patterns: Sequence[Tensor], *, source: int = 0,
                    target: int = -1) -> int | None:
    """Layers needed before output ``target`` depends on input ``source``.

    ``patterns[l]`` is layer ``l``'s ``(n, n)`` dependency pattern (from
    :func:`position_dependencies`); returns the smallest number of leading layers that
    connect the two positions, or ``None`` if the whole stack does not.
    """
    if not patterns:
        raise ValueError("patterns must hold at least one (n, n) pattern")
    n = patterns[0].shape[0]
    reach = torch.zeros(n, dtype=torch.bool)
    reach[source] = True
    for depth, dep in enumerate(patterns, 1):
        reach = (dep & reach[None, :]).any(-1)  # (n,) positions the source has reached
        if reach[target % n]:
            return depth
    return None


def graph_hops(output: Tensor, is_source: Callable[[Any], bool],
               is_hop: Callable[[Any], bool]) -> int | None:
    """Fewest ``is_hop`` nodes on a path of ``output``'s autograd graph to an ``is_source`` node.

    A 0-1 breadth-first search from ``output.grad_fn`` along ``next_functions``; ``None`` if
    no source node is reachable.
    """
    if output.grad_fn is None:
        raise ValueError("output has no autograd graph: compute it from inputs that require grad")
    start = output.grad_fn
    dist = {start: int(is_hop(start))}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if is_source(node):
            return dist[node]
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            w = int(is_hop(nxt))
            if nxt not in dist or dist[node] + w < dist[nxt]:
                dist[nxt] = dist[node] + w
                (queue.append if w else queue.appendleft)(nxt)
    return None


def reads_position(t: int, dim: int = 1) -> Callable[[Any], bool]:
    """A test for the autograd node of ``x.select(dim, t)`` (e.g. ``x[:, t]``): the node
    through which position ``t`` of the input enters a loop."""
    def test(node: Any) -> bool:
        return (type(node).__name__.startswith("SelectBackward")
                and getattr(node, "_saved_dim", None) == dim
                and getattr(node, "_saved_index", None) == t)
    return test


def recurrence_hops(step_output: Tensor) -> int | None:
    """Recurrence steps (``tanh`` nodes) between ``step_output`` and input position 0."""
    return graph_hops(step_output, reads_position(0),
                      lambda node: type(node).__name__ == "TanhBackward0")


def graph_depth(output: Tensor) -> int:
    """Longest chain of dependent operations behind ``output`` in the autograd graph.

    This is the number of steps that must run one after another: it grows with
    ``n`` for a recurrent loop and stays constant for self-attention.
    """
    if output.grad_fn is None:
        raise ValueError("output has no autograd graph: compute it from inputs that require grad")
    depth: dict[Any, int] = {}
    order, stack = [], [(output.grad_fn, False)]
    while stack:  # iterative post-order DFS (a recurrent graph is too deep for recursion)
        node, done = stack.pop()
        if done:
            kids = [c for c, _ in node.next_functions if c is not None]
            depth[node] = 1 + max((depth[c] for c in kids), default=0)
            continue
        if node in depth or node in order:
            continue
        order.append(node)
        stack.append((node, True))
        stack.extend((c, False) for c, _ in node.next_functions if c is not None and c not in depth)
    return depth[output.grad_fn]


def gradient_by_distance(layer: Callable[[Tensor], Tensor], x: Tensor) -> np.ndarray:
    """``‖∂y_last / ∂x_{n-1-t}‖`` (Frobenius) for ``t = 0 … n-1``.

    Args:
        layer: maps ``(1, n, d_in)`` to ``(1, n, d_out)``.
        x: ``(1, n, d_in)``, one input sequence.

    Returns:
        ``(n,)`` array; entry ``t`` is the gradient reaching the input ``t`` positions
        before the last one.
    """
    if x.dim() != 3 or x.shape[0] != 1:
        raise ValueError(f"x must have shape (1, n, d), got {tuple(x.shape)}")
    x = x.detach().clone().requires_grad_(True)
    y_last = layer(x)[0, -1]  # (d_out,)
    sq = torch.zeros(x.shape[1])
    for j in range(y_last.shape[0]):
        (g,) = torch.autograd.grad(y_last[j], x, retain_graph=True)
        sq += (g[0] ** 2).sum(-1)  # (n,)
    return sq.sqrt().flip(0).numpy()


# --- the path between two positions, as the chapter's playground draws it -----------------
PATH_KINDS = ("recurrent", "convolutional", "contiguous", "restricted", "self-attention")


def path_route(kind: str, i: int, j: int, *, k: int = 3, r: int = 4) -> list[tuple[int, int]]:
    """A shortest route from input position ``j`` to output position ``i ≥ j``, as
    ``(row, position)`` nodes from ``(0, j)`` (the input) to ``(L, i)``.

    ``kind`` is one of ``PATH_KINDS``. For ``"recurrent"`` row ``t ≥ 1`` is the state
    ``h_{j+t-1}`` (the route runs along the chain); for the stacks row ``l`` is the output of
    layer ``l``: dilated convolutions (``"convolutional"``, dilation ``k^(l-1)``: the route
    takes the base-``k`` digits of ``i − j``), contiguous convolutions of kernel ``k``
    (up to ``k − 1`` positions a layer), windowed attention reaching ``r`` back (up to ``r``
    a layer) and one causal attention layer (any distance in one hop). ``len(route) − 1`` is
    :func:`path_between`; with ``j = 0, i = n − 1`` it is Table 1's maximum path length
    (:func:`attn_course.experiments.complexity.max_path_length`).
    """
    if kind not in PATH_KINDS:
        raise ValueError(f"kind must be one of {PATH_KINDS}, got {kind!r}")
    if not 0 <= j <= i:
        raise ValueError(f"need 0 ≤ j ≤ i, got i={i}, j={j}")
    if k < 2 or r < 1:
        raise ValueError(f"need a kernel k ≥ 2 and a window r ≥ 1, got k={k}, r={r}")
    gap = i - j
    if kind == "recurrent":  # x_j → h_j → h_{j+1} → … → h_i
        return [(0, j)] + [(t + 1, j + t) for t in range(gap + 1)]
    if kind == "self-attention":
        return [(0, j), (1, i)]
    route, pos, row = [(0, j)], j, 0
    if kind == "convolutional":
        rest, dilation = gap, 1
        while True:
            pos, row = pos + (rest % k) * dilation, row + 1
            rest //= k
            dilation *= k
            route.append((row, pos))
            if rest == 0:
                return route
    step = k - 1 if kind == "contiguous" else r
    while True:
        pos, row = min(i, pos + step), row + 1
        route.append((row, pos))
        if pos == i:
            return route


def path_between(kind: str, i: int, j: int, *, k: int = 3, r: int = 4) -> int:
    """Layers (recurrence steps) a signal crosses from input ``j`` to output ``i ≥ j``:
    ``i − j + 1`` steps of a recurrence, ``⌈log_k(i − j + 1)⌉`` dilated convolutions,
    ``⌈(i − j)/(k − 1)⌉`` contiguous ones, ``⌈(i − j)/r⌉`` windowed attentions, one
    attention (at least 1 each); see :func:`path_route`."""
    return len(path_route(kind, i, j, k=k, r=r)) - 1
