"""The plot helpers of ``attn_course.plots.vision``: labelled figures, bad input refused."""

from __future__ import annotations

import pytest

from attn_course.experiments.vision import measure_pixel_costs


def test_plot_helpers_return_figures_and_validate():
    from matplotlib.figure import Figure

    from attn_course.plots.vision import plot_pixel_costs, plot_time_breakdown

    rows = measure_pixel_costs([4, 8, 16], max_measured=8, repeats=1, channels=4, d_k=4)
    assert isinstance(plot_pixel_costs(rows), Figure)
    times = {"conv": 1e-4, "scores": 2e-4, "softmax": 5e-4, "weighted_sum": 2e-4}
    fig = plot_time_breakdown(times, flop_ratio=28.0)
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].patches) == len(times)  # one bar per step
    with pytest.raises(ValueError, match="times must not be empty"):
        plot_time_breakdown({})
