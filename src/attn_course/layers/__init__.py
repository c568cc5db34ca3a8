"""``torch.nn`` building blocks, each built on :mod:`attn_course.core` and nothing above it.

Read in this order: :mod:`~attn_course.layers.multihead` (the one multi-head attention,
with its position hook), :mod:`~attn_course.layers.positions` (position encodings and the
hooks of chapter 14), :mod:`~attn_course.layers.additive` (attention with a named score,
chapter 8), :mod:`~attn_course.layers.transformer` and :mod:`~attn_course.layers.decoder`
(the Transformer blocks, chapter 10), :mod:`~attn_course.layers.vision` (attention on
feature maps, chapter 11), :mod:`~attn_course.layers.efficient` and
:mod:`~attn_course.layers.flash` (cheaper and tiled attention, chapter 13),
:mod:`~attn_course.layers.ring` and :mod:`~attn_course.layers.ring_local` (attention split
across processes, chapter 17; the local launcher comes from :mod:`attn_course.tools`).
"""
