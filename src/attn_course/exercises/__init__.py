"""Checkers for the end-of-chapter exercises.

Each checker runs a learner's function on a few cases and returns a
:class:`CheckResult` that says, in plain words, what is wrong (a wrong shape,
an overflow at large logits, a masked entry that is not zero …). It prints
nicely in a notebook and is truthy only when every check passed.

One module per chapter (``attn_course.exercises.ch02`` …); the checkers are
re-exported here so a notebook can write ``from attn_course.exercises import
check_soft_lookup``.
"""

from ._base import Checker, CheckResult
from .ch01 import check_best_window, check_top_k_mask
from .ch02 import check_nadaraya_watson, check_soft_lookup
from .ch03 import check_additive_score, check_cosine_score, check_general_score
from .ch04 import check_score_variance, check_softmax_jacobian, check_unit_variance_scale
from .ch05 import check_masked_softmax, check_online_softmax, check_softmax

__all__ = [
    "CheckResult",
    "Checker",
    # chapter 1
    "check_best_window",
    "check_top_k_mask",
    # chapter 2
    "check_nadaraya_watson",
    "check_soft_lookup",
    # chapter 3
    "check_additive_score",
    "check_cosine_score",
    "check_general_score",
    # chapter 4
    "check_score_variance",
    "check_softmax_jacobian",
    "check_unit_variance_scale",
    # chapter 5
    "check_masked_softmax",
    "check_online_softmax",
    "check_softmax",
]
