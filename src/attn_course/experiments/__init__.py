"""Sweeps, measurements and result tables: one module per chapter topic.

The module names are the keys of :mod:`attn_course.plots` (``intuition``, ``retrieval``,
``scores``, ``scaling``, ``multi_head``, ``bahdanau``, ``complexity``, ``vision``, ``vit``,
``efficient``, ``positions``): an experiment here returns the numbers, the plot module of
the same name draws them (``context_vector`` and ``learned_scores`` are drawn by
``plots.intuition`` and ``plots.scores``, the chapters they belong to). Experiments may use
everything below them — core, layers, models, data and tools.
"""
