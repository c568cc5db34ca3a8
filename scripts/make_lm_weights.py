"""Regenerate the language models that chapter 15 loads (``attn_course/data/gpt_pydocs.pt``).

Usage: ``python scripts/make_lm_weights.py [KEY ...]`` (default: every model; keys ``main``,
``mha-s/0`` … ``mqa-s/2``). One CPU thread, seeded: see
:mod:`attn_course.experiments.language_model` for the recipes.
"""

from __future__ import annotations

import sys

import torch

from attn_course.experiments.language_model import make_weights

if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"wrote {make_weights(keys=sys.argv[1:] or None)}")
