"""The chapter 14 exercise checkers (``attn_course.exercises.ch14``), with right and wrong answers."""

from __future__ import annotations


# --- chapter 14 -------------------------------------------------------------------------
def test_rope_checker():
    from attn_course.core.positions import rope_rotate
    from attn_course.exercises.ch14 import check_rope

    assert check_rope(rope_rotate)
    bad = check_rope(lambda x: rope_rotate(x.flip(-1)).flip(-1))  # rotates the wrong way
    assert not bad and any("matches RoPE" in p for p in bad.problems)


def test_alibi_checker():
    from attn_course.core.positions import alibi_bias, alibi_slopes
    from attn_course.exercises.ch14 import check_alibi_bias

    assert check_alibi_bias(lambda n, h: alibi_bias(n, n, alibi_slopes(h)))
    bad = check_alibi_bias(lambda n, h: -alibi_bias(n, n, alibi_slopes(h)))  # a bonus, not a penalty
    assert not bad and any("slopes" in p for p in bad.problems)


def test_sinusoidal_profile_checker():
    import numpy as np

    from attn_course.core.positions import sinusoidal_encoding
    from attn_course.exercises.ch14 import check_sinusoidal_profile

    def right(offs, d):
        pe = sinusoidal_encoding(200, d)
        return pe[100] @ pe[100 + offs].T / (d / 2)

    assert check_sinusoidal_profile(right)
    bad = check_sinusoidal_profile(lambda offs, d: np.cos(offs / 10))
    assert not bad and "off by" in str(bad)
