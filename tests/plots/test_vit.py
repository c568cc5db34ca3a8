"""The plot helpers of ``attn_course.plots.vit``: labelled figures, bad input refused."""

from __future__ import annotations

import pytest
import torch


def test_plot_helpers_return_figures_and_validate():
    from matplotlib.figure import Figure

    from attn_course.plots.vit import (
        plot_cls_attention,
        plot_patches,
        plot_position_similarity,
        plot_rollout,
    )

    img = torch.rand(8, 8)
    assert isinstance(plot_patches(img, 2), Figure)
    assert isinstance(plot_cls_attention(img, torch.rand(2, 4, 4, 4)), Figure)
    assert isinstance(plot_rollout(torch.rand(3, 8, 8), torch.rand(3, 4, 4), "abc"), Figure)
    assert isinstance(plot_position_similarity(torch.rand(16, 16), (4, 4)), Figure)
    with pytest.raises(ValueError, match="patch_size"):
        plot_patches(img, 3)
    with pytest.raises(ValueError, match="sim must have shape"):
        plot_position_similarity(torch.rand(9, 9), (4, 4))
