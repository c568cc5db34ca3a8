"""Seeded tasks and data sets the chapters train and measure on.

Everything here is small, synthetic or bundled (scikit-learn's 8×8 digits), deterministic
under a seed, and downloads nothing. Modules: :mod:`~attn_course.data.glimpse` (cluttered
scenes, chapter 1), :mod:`~attn_course.data.key_value` (chapter 2),
:mod:`~attn_course.data.alignment` (chapter 3),
:mod:`~attn_course.data.toy_sentence` (chapter 6), :mod:`~attn_course.data.tasks`
(sequence tasks of chapters 7, 9, 10 and 14), :mod:`~attn_course.data.translation`
(chapter 8), :mod:`~attn_course.data.digits` (the one digits loader, chapters 1, 11, 12),
:mod:`~attn_course.data.efficient_tasks` (chapter 13),
:mod:`~attn_course.data.text` (the Python documentation as a corpus, chapters 15–17),
:mod:`~attn_course.data.bpe` (a byte-level BPE tokenizer, chapter 15).
"""
