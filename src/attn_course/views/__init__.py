"""Interactive views for the book: anywidgets that recompute attention in the browser.

Each view is a Python class holding its data and parameters as synced traits and a
small ES module (``views/js/<name>.js``) that redraws on every control change, so the
playgrounds work in the static book with no kernel. See ``views/README.md``.
"""

from ._base import AttnView
from .attention_map import AttentionMapExplorer
from .retrieval import RetrievalPlayground
from .scaling import ScalingExplorer
from .score_explorer import ScoreExplorer
from .softmax_lab import SoftmaxLab
from .token_row import TokenRowView

VIEWS: dict[str, type[AttnView]] = {
    cls.view_name: cls
    for cls in (RetrievalPlayground, SoftmaxLab, ScalingExplorer, ScoreExplorer, TokenRowView,
                AttentionMapExplorer)
}
"""Every view class by its ``view_name`` (the page's ``data-view``)."""

__all__ = [
    "VIEWS",
    "AttentionMapExplorer",
    "AttnView",
    "RetrievalPlayground",
    "ScalingExplorer",
    "ScoreExplorer",
    "SoftmaxLab",
    "TokenRowView",
]
