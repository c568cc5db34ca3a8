"""The chapter 16 exercise checkers (``attn_course.exercises.ch16``), with right and wrong answers."""

from __future__ import annotations

import torch


def test_prefix_score_checker():
    from attn_course.exercises.ch16 import check_prefix_score

    def right(w, S):
        i = torch.arange(S, 2 * S)
        return w[..., i, i - S + 1].mean(dim=(0, -1))

    def off_by_one(w, S):  # the earlier occurrence itself, not the token after it
        i = torch.arange(S, 2 * S)
        return w[..., i, i - S].mean(dim=(0, -1))

    assert check_prefix_score(right)
    bad = check_prefix_score(off_by_one)
    assert not bad and any("i − S + 1" in p for p in bad.problems)


def test_copying_score_checker():
    from attn_course.exercises.ch16 import check_copying_score

    def right(M):
        lam = torch.linalg.eigvals(M)
        return lam.real.sum() / lam.abs().sum()

    def trace_only(M):  # Σ λ = trace, but the denominator must be Σ |λ|
        return torch.trace(M) / M.abs().sum()

    assert check_copying_score(right)
    bad = check_copying_score(trace_only)
    assert not bad and any("eigenvalues" in p for p in bad.problems)
