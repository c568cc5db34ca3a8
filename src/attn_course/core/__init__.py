"""The math of attention, NumPy and torch alike — no ``torch.nn`` here.

Read in this order: :mod:`~attn_course.core.softmax` (and its streaming form,
:mod:`~attn_course.core.online_softmax`), :mod:`~attn_course.core.masks` (the mask rule
and the one causal alignment), :mod:`~attn_course.core.scores` (the score family and its
dispatcher), :mod:`~attn_course.core.attention` (``softmax(QKᵀ/√d_k)V``, self- and
cross-attention), :mod:`~attn_course.core.positions` and :mod:`~attn_course.core.retrieval`.
Everything here imports only ``attn_course._backend``; the layers build on it.
"""
