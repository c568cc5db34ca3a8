"""Train again the weights that chapters 8, 10 and 14 load, and store them in the package.

The weights live in ``src/attn_course/data/weights/<recipe>.pt``
(:mod:`attn_course.data.checkpoints`); the recipes — models, seeds, steps, data — are in
:mod:`attn_course.experiments.pretrained`. Each run trains on one thread, so runs of
different recipes can go in parallel processes. Usage::

    python scripts/make_paper_weights.py ch14_positions        # several minutes on one core
    python scripts/make_paper_weights.py ch08_translators ch08_long ch08_context ch10_translators
    python scripts/make_paper_weights.py --list
"""

from __future__ import annotations

import argparse

import torch

from attn_course.experiments.pretrained import RECIPES, regenerate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="recipes to train again")
    parser.add_argument("--list", action="store_true", help="list the recipes")
    args = parser.parse_args()
    if args.list or not args.names:
        print("\n".join(sorted(RECIPES)))
        return
    unknown = sorted(set(args.names) - set(RECIPES))
    if unknown:
        parser.error(f"unknown recipes {unknown}; choose from {sorted(RECIPES)}")
    torch.set_num_threads(1)
    for name in args.names:
        regenerate(name)


if __name__ == "__main__":
    main()
