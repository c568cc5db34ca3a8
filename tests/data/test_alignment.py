"""Tests of ``attn_course.data.alignment``."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.data.alignment import alignment_task


def test_alignment_task_shares_keys_across_query_seeds():
    a = alignment_task(50, seed=3, query_seed=1)
    b = alignment_task(40, seed=3, query_seed=2)
    np.testing.assert_array_equal(a.keys, b.keys)
    assert a.queries.shape == (50, 4) and b.targets.shape == (40,)
    assert not np.allclose(a.queries[:40], b.queries)
    np.testing.assert_allclose(np.linalg.norm(a.directions, axis=1), 1.0)
    np.testing.assert_allclose(sorted(np.linalg.norm(a.keys, axis=1)), np.linspace(0.5, 2.5, 6))
    # low noise: every query is closest in direction to its target
    c = alignment_task(30, seed=1, noise=0.05)
    np.testing.assert_array_equal((c.queries @ c.directions.T).argmax(1), c.targets)


def test_alignment_task_bad_input():
    with pytest.raises(ValueError, match="targets"):
        alignment_task(2, targets=[0, 6])
    with pytest.raises(ValueError, match="n_k"):
        alignment_task(2, n_k=0)
