"""Train the networks whose weights chapters 11 and 12 load, and store them in
``src/attn_course/data/weights/`` (:mod:`attn_course.data.checkpoints`).

    python scripts/make_vision_weights.py ch11_marks ch11_canvas ch12_sweep ch12_vit2

``ch11_marks``: the opposite-marks networks (no block and the four non-local forms, three
seeds; minutes on one core). ``ch11_canvas``: the cluttered-canvas networks (no block, SE,
CBAM, three seeds, 1,000 steps each; about ten minutes on one quiet core). ``ch12_sweep``:
the CNN and the ViT with 4×4 patches on subsets of the digits. ``ch12_vit2``: the ViTs
with 2×2 patches (plain, shifted, sin-cos; three seeds each). The recipes are
``attn_course.experiments.vision_blocks.MARKS_RECIPE``, ``CANVAS_RECIPE`` and
``attn_course.experiments.vit_runs.SWEEP`` and ``VIT_RECIPE``; a chapter refuses weights
trained with another recipe.
"""

from __future__ import annotations

import argparse

import torch

from attn_course.experiments import vision_blocks, vit_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+",
                        choices=["ch11_marks", "ch11_canvas", "ch12_sweep", "ch12_vit2"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.names:
        if name == "ch12_vit2":
            vit_runs.regenerate()
        elif name == "ch12_sweep":
            vit_runs.regenerate_sweep()
        else:
            vision_blocks.regenerate(name)


if __name__ == "__main__":
    main()
