"""Sphinx extension for the published book (loaded by ``_config.yml``'s ``local_extensions``).

Five small things Jupyter Book 1 does not do by itself:

1. **Download as .md.** Next to the ``.ipynb`` of a chapter, the download menu offers the
   chapter as a MyST Markdown notebook (written with jupytext from the committed notebook,
   without outputs), which diffs and reviews well and opens in Jupyter with jupytext.
2. **Alt text on every figure.** An image without alt text (a plot produced by a code cell
   whose metadata lacks ``mystnb: image: alt:``) is reported as a warning, so the ``-W``
   build fails and names the notebook and cell. See CONTRIBUTING.md, "Figures and alt text".
3. **Top-level names resolve.** ``attn_course`` re-exports the public names of its
   subpackages (``core``, ``layers``, ``models``, ...); the API page documents each in its
   module. A reference such as ``{func}`attn_course.softmax``` is resolved to the documented
   ``attn_course.core.softmax.softmax``, and ``attn_course.MultiHeadAttention.forward`` to
   the method in ``attn_course.layers.multihead``.
4. **The book's stylesheet**, ``static/course.css`` (figures readable in the dark theme),
   served from this folder so no ``_static`` folder is needed at the book's root (Jupyter
   Book would inject every script of every static folder into every page).
5. **The views' current scripts.** A view's front end (its ``_esm``, the bundle of
   ``attn_course/views/static``) is saved into the notebook's widget state when the notebook
   runs, and MyST-NB's execution cache keeps that copy while the code cells do not change.
   Each page's widget state gets the installed package's bundle instead, so a cached build
   never publishes an older view script than the package holds.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "attn_course"


# --- 1. download as .md ------------------------------------------------------------------


def add_markdown_download(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Write ``_sources/<page>.md`` for a notebook page and add it to the download menu."""
    if doctree is None or context.get("page_source_suffix") != ".ipynb":
        return
    import jupytext

    source = Path(app.env.doc2path(pagename))
    nb = jupytext.read(source)
    target = Path(app.outdir) / "_sources" / f"{pagename}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(jupytext.writes(nb, fmt="md:myst"), encoding="utf8")

    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            button = {
                "type": "link",
                "url": f"{context['pathto']('_sources', 1)}/{pagename}.md",
                "text": ".md",
                "tooltip": "Download as a MyST Markdown notebook (jupytext)",
                "icon": "fas fa-file-lines",
                "label": "download-markdown-button",
            }
            group["buttons"].insert(1, button)
            break


# --- 2. alt text ---------------------------------------------------------------------------


def check_alt_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Warn about every image without alt text (the HTML would fall back to the file name)."""
    for image in doctree.findall(nodes.image):
        if str(image.get("alt", "")).strip():
            continue
        cell = image.parent
        while cell is not None and "cell_index" not in cell.attributes:
            cell = cell.parent
        where = f"cell {cell['cell_index']}" if cell is not None else "a markdown image"
        logger.warning(
            "image without alt text (%s, %s): give the figure's code cell the metadata "
            "`mystnb: image: alt: ...`, or the markdown image an alt text",
            where,
            Path(str(image.get("uri", "?"))).name,
            location=image,
            type="course",
            subtype="alt",
        )


# --- 3. top-level re-exports -----------------------------------------------------------------


def resolve_reexport(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve ``attn_course.<name>[.<attribute>]`` to where ``<name>`` is documented."""
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", ""))
    prefix, _, rest = target.partition(".")
    name, _, attribute = rest.partition(".")  # attn_course.<name>[.<attribute>]
    if prefix != PACKAGE or not name:
        return None
    try:
        package = importlib.import_module(PACKAGE)
    except Exception:  # an import error is reported by autodoc already
        return None
    obj = getattr(package, name, None)
    if name not in getattr(package, "__all__", ()) or not hasattr(obj, "__module__"):
        return None
    canonical = f"{obj.__module__}.{getattr(obj, '__qualname__', name)}"
    if attribute:
        canonical += f".{attribute}"
    if canonical == target:
        return None
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode
    )


# --- 4. stylesheet --------------------------------------------------------------------------

STATIC = Path(__file__).resolve().parent / "static"


def add_static_path(app: Sphinx, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


# --- 5. the views' current scripts ------------------------------------------------------------

VIEWS = f"{PACKAGE}.views."


def current_view_scripts(widget_state: dict[str, Any]) -> int:
    """Give every course view in a saved widget state (``{"state": {id: model}}``, as
    ``ipywidgets.embed`` writes it) the ``_esm`` of its class in the installed package;
    return how many changed. Other widgets are left alone."""
    from attn_course.views._base import bundle

    changed = 0
    for model in widget_state.get("state", {}).values():
        state = model.get("state", {})
        ident = str(state.get("_anywidget_id", ""))
        if not ident.startswith(VIEWS) or "_esm" not in state:
            continue
        module, _, name = ident.rpartition(".")
        try:
            esm = bundle(getattr(importlib.import_module(module), name)._view_js)
        except (ImportError, AttributeError) as err:
            raise ValueError(f"a saved view names {ident!r}, which attn_course no longer "
                             f"has ({err}): run the notebook again") from None
        if esm != state["_esm"]:
            state["_esm"] = esm
            changed += 1
    return changed


def refresh_view_scripts(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: Any) -> None:
    """Before MyST-NB adds a page's widget state to it, put the current view scripts in."""
    from myst_nb.core.render import sanitize_script_content
    from myst_nb.sphinx_ import NbMetadataCollector

    if app.env is None or not hasattr(app.env, "nb_metadata"):
        return
    entry = NbMetadataCollector.get_js_files(app.env, pagename).get("ipywidgets_state")
    if not entry or "body" not in entry[1]:
        return
    state = json.loads(entry[1]["body"])
    if current_view_scripts(state):
        entry[1]["body"] = sanitize_script_content(json.dumps(state))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_static_path)
    # Before MyST-NB writes the page's widget state (its handler has the default priority).
    app.connect("html-page-context", refresh_view_scripts, priority=400)
    app.add_css_file("course.css")
    # After sphinx-book-theme has built its header buttons (priority 501).
    app.connect("html-page-context", add_markdown_download, priority=502)
    app.connect("doctree-resolved", check_alt_text)
    app.connect("missing-reference", resolve_reexport)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
