"""The chapter 2 exercise checkers (``attn_course.exercises.ch02``), with right and wrong answers."""

from __future__ import annotations

import numpy as np

from attn_course.core.retrieval import nadaraya_watson, soft_lookup
from attn_course.exercises import check_nadaraya_watson, check_soft_lookup


def right_soft(q, k, v, t):
    return soft_lookup(q, k, v, temperature=t)


def naive_soft(q, k, v, t):  # no max subtraction: NaN for far keys
    with np.errstate(all="ignore"):
        e = np.exp(-((k - q) ** 2).sum(-1) / t)
        w = e / e.sum()
    return w @ v, w


def dot_soft(q, k, v, t):  # the wrong score
    s = k @ q / t
    w = np.exp(s - s.max())
    w /= w.sum()
    return w @ v, w


def test_soft_lookup_checker():
    assert check_soft_lookup(right_soft)
    bad = check_soft_lookup(naive_soft)
    assert not bad and any("subtract the largest score" in p for p in bad.problems)
    wrong = check_soft_lookup(dot_soft)
    assert not wrong and any("weights is off" in p for p in wrong.problems)
    assert "❌" in str(wrong) and "✅" in str(check_soft_lookup(right_soft))


def test_nadaraya_watson_checker():
    assert check_nadaraya_watson(lambda a, b, c, h: nadaraya_watson(a, b, c, bandwidth=h)[0])

    def missing_two(a, b, c, h):  # exp(-(x - x_i)^2 / h^2): wrong kernel width
        s = -((a[:, None] - b) ** 2) / h**2
        w = np.exp(s - s.max(1, keepdims=True))
        return (w / w.sum(1, keepdims=True)) @ c

    res = check_nadaraya_watson(missing_two)
    assert not res and any("y_hat is off" in p for p in res.problems)

    def crashes(a, b, c, h):
        raise RuntimeError("boom")

    res = check_nadaraya_watson(crashes)
    assert not res and all("RuntimeError" in p for p in res.problems)


def test_cold_temperature_checker():
    from attn_course.exercises import check_cold_temperature
    from attn_course.exercises.ch02 import _cold_temperature

    assert check_cold_temperature(_cold_temperature)

    def smallest(q, k, v, tol):  # scans from the cold end: the smallest temperature, not the largest
        nearest = v[np.argmin(((k - q) ** 2).sum(-1))]
        for p in range(-8, 4):
            if abs(soft_lookup(q, k, v, temperature=10.0**p)[0] - nearest) < tol:
                return 10.0**p
        return None

    res = check_cold_temperature(smallest)
    assert not res and any("log10 of the temperature is off" in p for p in res.problems)

    def against_the_mean(q, k, v, tol):  # compares with the wrong answer (the mean of the values)
        for p in range(3, -9, -1):
            if abs(soft_lookup(q, k, v, temperature=10.0**p)[0] - v.mean()) < tol:
                return 10.0**p
        return None

    res = check_cold_temperature(against_the_mean)
    assert not res and len(res.problems) == 3
    res = check_cold_temperature(lambda q, k, v, tol: 1e-3)  # one store's answer, hard-coded
    assert not res and len(res.problems) == 2
