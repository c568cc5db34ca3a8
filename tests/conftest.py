"""Shared fixtures and hypothesis settings for the test suite."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings

settings.register_profile(
    "course", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
torch.set_num_threads(1)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# nbval waits at most 5 s (a constant in nbval, with no option) for each output message
# after a notebook cell has finished. On a 2-core machine under load (two test runs at once
# here) a finished training cell of chapter 7 once missed that window and failed with
# "Timeout of 5 seconds exceeded waiting for output", though the cell had run without
# error. The cells' own time limit (--nbval-cell-timeout) is unchanged.
NBVAL_OUTPUT_TIMEOUT_S = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give nbval's notebook cells a longer wait for their outputs (called with every item
    of the session, notebooks included)."""
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = max(item.output_timeout, NBVAL_OUTPUT_TIMEOUT_S)
