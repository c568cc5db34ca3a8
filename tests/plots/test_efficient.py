"""The chapter 13 timing plots: labelled figures with the cache lines and the default marked."""

from __future__ import annotations

from matplotlib.figure import Figure

from attn_course.plots.efficient import plot_block_sweep, plot_plain_series

CACHES = {"L2 cache": 2**20, "L3 cache": 2**25}


def test_plain_series_marks_where_the_matrix_fills_each_cache() -> None:
    ns = [256, 512, 1024, 2048, 4096]
    fig = plot_plain_series({"live": (ns, [n * n * 5e-9 for n in ns])}, caches=CACHES)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert lines["L2 cache (1 MiB) full"].get_xdata()[0] == 512  # 4 · 512² bytes = 1 MiB
    assert lines["L3 cache (32 MiB) full"].get_xdata()[0] == 2**11 * 2**0.5
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(n) for n in ns]


def test_block_sweep_marks_the_default() -> None:
    blocks = [32, 128, 512, 2048]
    fig = plot_block_sweep({"stored": (blocks, [0.5, 0.1, 0.08, 0.1])}, caches=CACHES,
                           default=512)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "package default, 512" in labels and "stored" in labels
