"""Regenerate chapter 16's one-layer control (``attn_course/data/induction_one_layer.json``).

Usage: ``python scripts/make_induction_control.py``. Trains the attention-only model of
``attn_course.experiments.induction.INDUCTION`` with one layer instead of two, for three
seeds, on one CPU thread — for the two-layer recipe's 400 steps and for 2000 — and stores the
in-context loss on the probe along the way and the final head scores (see
``ONE_LAYER_RECIPE``). About three minutes on one quiet core.
"""

from __future__ import annotations

import torch

from attn_course.experiments.induction import make_one_layer_runs

if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"wrote {make_one_layer_runs()}")
