"""The chapter 9 exercise checkers (``attn_course.exercises.ch09``), with right and wrong answers."""

from __future__ import annotations

import math

from attn_course.exercises.ch09 import (
    check_dilated_path_length,
    check_fit_exponent,
    check_layer_flops,
)
from attn_course.experiments.complexity import fit_exponent, layer_flops, max_path_length


def test_layer_flops() -> None:
    assert check_layer_flops(lambda kind, n, d, k, acc: layer_flops(kind, n, d, k, accounting=acc))

    def wrong(kind, n, d, k, acc):  # forgets the weighted sum of the values
        if kind == "self-attention":
            return 2 * n * n * d
        return layer_flops(kind, n, d, k, accounting=acc)

    bad = check_layer_flops(wrong)
    assert not bad and "self-attention" in str(bad) and "hint" in str(bad)

    def old_table(kind, n, d, k, acc):  # counts x_t W as mixing (the old accounting)
        if kind == "recurrent":
            return 4 * n * d * d
        return layer_flops(kind, n, d, k, accounting=acc)

    bad = check_layer_flops(old_table)
    assert not bad and "recurrent layer, mixing" in str(bad)
    assert "recurrent layer, layer" not in str(bad)


def test_fit_exponent() -> None:
    import numpy as np

    assert check_fit_exponent(fit_exponent)
    assert check_fit_exponent(lambda x, y: float(np.polyfit(np.log2(x), np.log2(y), 1)[0]))

    def two_points(x, y):
        return math.log(y[-1] / y[0]) / math.log(x[-1] / x[0])

    bad = check_fit_exponent(two_points)
    assert not bad and "least-squares" in str(bad)


def test_dilated_path_length() -> None:
    assert check_dilated_path_length(lambda n, k: max_path_length("convolutional", n, k))

    def float_log(n, k):
        return max(1, math.ceil(math.log(n) / math.log(k)))

    bad = check_dilated_path_length(float_log)
    assert not bad and "compare integers" in str(bad)
