"""The networks the chapters train, built from :mod:`attn_course.layers`.

:mod:`~attn_course.models.seq2seq` (RNN translators with and without attention, chapter 8),
:mod:`~attn_course.models.token_models` (a tiny Transformer and a recurrent baseline for the
token tasks, chapters 7 and 10), :mod:`~attn_course.models.mixers` (attention, recurrence and
convolution of equal width, chapter 9), :mod:`~attn_course.models.cnn` (a small CNN with an
attention block, chapter 11), :mod:`~attn_course.models.vit` (the Vision Transformer,
chapter 12) and :mod:`~attn_course.models.positions` (a causal Transformer with a pluggable
position method, chapter 14).
"""
