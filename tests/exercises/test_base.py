"""The checkers' common behaviour (``attn_course.exercises._base``): a crashing solution is reported, not raised."""

from __future__ import annotations

import pytest

from attn_course.exercises.ch01 import check_top_k_mask
from attn_course.exercises.ch03 import check_cosine_score
from attn_course.exercises.ch04 import (
    check_softmax_jacobian,
)
from attn_course.exercises.ch05 import check_masked_softmax, check_online_softmax, check_softmax
from attn_course.exercises.ch06 import (
    check_cross_attention,
    check_self_attention,
    check_sinusoidal_encoding,
)
from attn_course.exercises.ch07 import (
    check_mha_flops,
    check_previous_token_score,
    check_split_merge,
)
from attn_course.exercises.ch10 import (
    check_causal_mask,
    check_encoder_block,
    check_encoder_layer_params,
)


@pytest.mark.parametrize("checker", [check_softmax, check_masked_softmax, check_online_softmax,
                                     check_softmax_jacobian, check_cosine_score, check_top_k_mask])
def test_a_crashing_solution_is_reported_not_raised(checker):
    def boom(*args):
        raise RuntimeError("oops")

    r = checker(boom)
    assert not r and "RuntimeError: oops" in str(r)


def test_checkers_survive_a_crashing_solution():
    def boom(*args):
        raise RuntimeError("boom")

    for check in (check_self_attention, check_sinusoidal_encoding, check_mha_flops,
                  check_previous_token_score, check_causal_mask, check_encoder_layer_params):
        res = check(boom)
        assert not res and "RuntimeError" in " ".join(res.problems)
    assert not check_split_merge(boom, boom) and not check_encoder_block(boom)
    assert not check_cross_attention(boom)
