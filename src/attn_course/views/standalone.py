"""Write views into a standalone HTML page that runs them with the vendored widget runtime.

Used by the browser tests (a page with one of every view, independent of the chapters)
and by ``benchmarks/views_redraw.py``. The page loads ``require.js``, the require
config and ``embed-amd.js`` from ``site/widgets/`` (copied from ``book/vendor/widgets``,
see ``scripts/vendor_widgets.py``), so it makes no request outside its own site.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from ._base import AttnView

__all__ = ["write_standalone_page"]

_RUNTIME = ("require.js", "require-config.js", "embed-amd.js")


def write_standalone_page(
    site: Path, views: Sequence[AttnView], runtime: Path, *, name: str = "views.html"
) -> Path:
    """Write ``site/name`` showing ``views`` in order; return its path.

    Args:
        site: the folder to serve (created if needed).
        views: the views to show, each preceded by its ``<noscript>`` fallback image.
        runtime: the vendored widget runtime (``book/vendor/widgets``), copied to
            ``site/widgets`` unless already there.

    Raises:
        ValueError: ``runtime`` lacks one of the runtime's files.
    """
    from ipywidgets.embed import embed_data

    missing = [f for f in _RUNTIME if not (Path(runtime) / f).exists()]
    if missing:
        raise ValueError(f"runtime {runtime} lacks {missing}: run `make vendor`")
    site = Path(site)
    site.mkdir(parents=True, exist_ok=True)
    if not (site / "widgets").exists():
        shutil.copytree(runtime, site / "widgets")
    data = embed_data(views=list(views), drop_defaults=False)
    state = json.dumps(data["manager_state"]).replace("</", "<\\/")
    blocks = "\n".join(
        f'<div class="cell">{v.fallback_html()}'
        f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(spec)}</script></div>'
        for v, spec in zip(views, data["view_specs"])
    )
    page = site / name
    page.write_text(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>views</title>\n"
        "<link rel='icon' href='data:,'>\n"
        + "".join(f"<script src='widgets/{f}'></script>\n" for f in _RUNTIME)
        + f"<script type='application/vnd.jupyter.widget-state+json'>{state}</script>\n"
        f"</head><body>\n{blocks}\n</body></html>\n",
        encoding="utf-8",
    )
    return page
