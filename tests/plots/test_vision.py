"""The plot helpers of ``attn_course.plots.vision``: labelled figures, bad input refused."""

from __future__ import annotations

import pytest
import torch

from attn_course.experiments.vision import measure_pixel_costs


def test_plot_helpers_return_figures_and_validate():
    from matplotlib.figure import Figure

    from attn_course.plots.vision import (
        plot_channel_weights,
        plot_pixel_attention,
        plot_pixel_costs,
        plot_spatial_maps,
    )

    rows = measure_pixel_costs([4, 8, 16], max_measured=8, repeats=1, channels=4, d_k=4)
    assert isinstance(plot_pixel_costs(rows), Figure)
    assert isinstance(plot_channel_weights({"SE": torch.rand(10, 8)}), Figure)
    assert isinstance(plot_spatial_maps(torch.rand(3, 8, 8), torch.rand(3, 8, 8), "abc"), Figure)
    w = torch.softmax(torch.randn(64, 64), -1)
    assert isinstance(plot_pixel_attention(torch.rand(8, 8), w, [(1, 2), (0, 0)]), Figure)
    with pytest.raises(ValueError, match="weights must have shape"):
        plot_pixel_attention(torch.rand(8, 8), w[:10], [(0, 0)])
    with pytest.raises(ValueError, match="n_classes, C"):
        plot_channel_weights({"SE": torch.rand(10)})
