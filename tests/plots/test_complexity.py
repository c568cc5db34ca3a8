"""The plot helpers of ``attn_course.plots.complexity``: labelled figures, bad input refused."""

from __future__ import annotations

from attn_course.experiments.complexity import (
    LAYER_KINDS,
)


def test_plot_helpers_return_labelled_figures() -> None:
    from matplotlib.figure import Figure

    from attn_course.plots.complexity import (
        plot_gradient_by_distance,
        plot_scaling,
        plot_sequential,
        plot_steps_to_accuracy,
    )

    curves = {kind: [1.0, 2.0, 4.0] for kind in LAYER_KINDS}
    slopes = {kind: 1.0 for kind in LAYER_KINDS}
    figs = [
        plot_scaling({"n": [1, 2, 4]}, {"n": curves}, {"n": slopes}, ylabel="FLOPs", title="t"),
        plot_sequential([1, 2, 4], curves, curves),
        plot_gradient_by_distance({"untrained": curves}),
        plot_steps_to_accuracy([1, 2, 4], {"recurrent": [10, None, None]}, 300),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel() and (ax.get_title() or fig.get_suptitle())
