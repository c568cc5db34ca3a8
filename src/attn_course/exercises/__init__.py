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
from .ch02 import check_cold_temperature, check_nadaraya_watson, check_soft_lookup
from .ch03 import check_additive_score, check_cosine_score, check_general_score
from .ch04 import check_score_variance, check_softmax_jacobian, check_unit_variance_scale
from .ch05 import check_masked_softmax, check_online_softmax, check_softmax
from .ch06 import check_cross_attention, check_self_attention, check_sinusoidal_encoding
from .ch07 import check_mha_flops, check_previous_token_score, check_split_merge
from .ch08 import check_bahdanau_step, check_score_parameters, check_word_accuracy
from .ch09 import check_dilated_path_length, check_fit_exponent, check_layer_flops
from .ch10 import check_causal_mask, check_encoder_block, check_encoder_layer_params
from .ch11 import check_attention_memory, check_pixel_attention, check_squeeze_excitation
from .ch12 import check_attention_rollout, check_patchify
from .ch13 import (
    check_causal_linear_attention,
    check_causal_tiles,
    check_flash_step,
    check_tile_fit,
)
from .ch14 import check_alibi_bias, check_rope, check_sinusoidal_profile
from .ch15 import check_bpe_merges, check_cache_bytes, check_kv_head, check_top_k
from .ch16 import check_copying_score, check_prefix_score
from .ch17 import (
    check_held_positions,
    check_merge_partials,
    check_ring_bytes,
    check_ring_schedule,
    check_sink_softmax,
)

__all__ = [
    "CheckResult",
    "Checker",
    # chapter 1
    "check_best_window",
    "check_top_k_mask",
    # chapter 2
    "check_cold_temperature",
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
    # chapter 6
    "check_cross_attention",
    "check_self_attention",
    "check_sinusoidal_encoding",
    # chapter 7
    "check_mha_flops",
    "check_previous_token_score",
    "check_split_merge",
    # chapter 8
    "check_bahdanau_step",
    "check_score_parameters",
    "check_word_accuracy",
    # chapter 9
    "check_dilated_path_length",
    "check_fit_exponent",
    "check_layer_flops",
    # chapter 10
    "check_causal_mask",
    "check_encoder_block",
    "check_encoder_layer_params",
    # chapter 11
    "check_attention_memory",
    "check_pixel_attention",
    "check_squeeze_excitation",
    # chapter 12
    "check_attention_rollout",
    "check_patchify",
    # chapter 13
    "check_causal_linear_attention",
    "check_causal_tiles",
    "check_flash_step",
    "check_tile_fit",
    # chapter 14
    "check_alibi_bias",
    "check_rope",
    "check_sinusoidal_profile",
    # chapter 15
    "check_bpe_merges",
    "check_cache_bytes",
    "check_kv_head",
    "check_top_k",
    # chapter 16
    "check_copying_score",
    "check_prefix_score",
    # chapter 17
    "check_held_positions",
    "check_merge_partials",
    "check_ring_bytes",
    "check_ring_schedule",
    "check_sink_softmax",
]
