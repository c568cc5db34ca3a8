"""Tests of ``attn_course.tools.threads``."""

from __future__ import annotations

import pytest
import torch


def test_torch_threads_restores_the_setting():
    from attn_course.tools.threads import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads"):
        with torch_threads(0):
            pass
