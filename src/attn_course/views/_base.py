"""The base of every view: an anywidget whose JavaScript recomputes in the browser.

A view is a Python class (this base + its traits) and an ES module ``views/js/<name>.js``
that imports its math from ``views/js/math/index.js`` (each function mirroring a Python
function of ``attn_course``) and its controls from ``views/js/ui.js``. esbuild bundles each
view into one self-contained module, ``views/static/<name>.js`` (``scripts/build_views.py``,
run by ``make vendor``; the bundles are committed), which becomes the widget's ``_esm``:
anywidget's module cannot import sibling files in the static book.

Traits come in two roles, set with ``.tag(sync=True, role=...)``:

- ``role="data"``: what the view shows (keys, logits, attention maps…); large arrays are
  declared with :class:`attn_course.views.packing.PackedArray` and shipped compactly;
- ``role="param"``: what the reader changes (query, temperature, layer…).

Both sync both ways when a kernel runs: the script calls ``model.set`` +
``model.save_changes`` on every move, so a notebook can read back what the reader
set. :meth:`AttnView.readout` computes, with ``attn_course``'s own functions, the
numbers the browser displays; the browser tests compare the two.

With JavaScript off (or in a viewer that does not run widgets) the view shows a
static PNG of its first state instead (see :meth:`AttnView._ipython_display_`).
"""

from __future__ import annotations

import base64
import html
import io
import json
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets

__all__ = ["AttnView", "all_views", "as_matrix", "as_vector", "bundle", "check_temperature"]

JS_DIR = Path(__file__).parent / "js"
STATIC_DIR = Path(__file__).parent / "static"


@cache
def bundle(view_js: str) -> str:
    """The ES module of a view: ``static/<view_js>``, esbuild's bundle of ``js/<view_js>``
    with the math and UI modules it imports (``scripts/build_views.py``)."""
    path = STATIC_DIR / view_js
    if not path.exists():
        raise FileNotFoundError(
            f"no bundle {path} for views/js/{view_js}: run `make vendor` (or "
            "`python scripts/build_views.py`) and commit views/static/")
    return path.read_text(encoding="utf-8")


def as_vector(name: str, x: Any, n: int | None = None) -> list[float]:
    """``x`` as a list of finite floats of shape ``(n,)``; ``ValueError`` naming ``name``."""
    a = _to_numpy(x)
    if a.ndim != 1 or (n is not None and a.shape[0] != n):
        want = f"({n},)" if n is not None else "(n,)"
        raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    return _finite_list(name, a)


def as_matrix(name: str, x: Any, shape: tuple[int | None, int | None] = (None, None)) -> list:
    """``x`` as a list of rows of floats of shape ``shape`` (``None`` = any size)."""
    a = _to_numpy(x)
    ok = a.ndim == 2 and all(want is None or got == want for got, want in zip(a.shape, shape))
    if not ok:
        want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    return _finite_list(name, a)


def _to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"expected numbers, got {type(x).__name__}") from None


def _finite_list(name: str, a: np.ndarray) -> list:
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got non-finite entries (shape {a.shape})")
    return a.tolist()


class AttnView(anywidget.AnyWidget):
    """Base class of the course's views (see ``views/README.md``).

    Subclasses set ``_view_js`` (the file in ``views/js``), ``view_name`` (written to
    ``data-view`` in the page), declare traits with ``role="data"`` or ``role="param"``,
    and implement :meth:`readout` and :meth:`fallback_figure`.
    """

    view_name: ClassVar[str] = ""
    _view_js: ClassVar[str] = ""
    #: Show a PNG of the first state to readers without JavaScript.
    static_fallback: ClassVar[bool] = True

    title = traitlets.Unicode("").tag(sync=True)
    _param_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _data_names = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if cls.__dict__.get("_view_js"):
            cls._esm = bundle(cls._view_js)
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        # Names first, so the front end's very first state already lists them.
        super().__init__(_param_names=self._names("param"), _data_names=self._names("data"),
                         **kwargs)

    @classmethod
    def _names(cls, role: str) -> list[str]:
        return sorted(n for n, t in cls.class_traits().items() if t.metadata.get("role") == role)

    # --- the state, as the browser sees it ------------------------------------------
    @property
    def params(self) -> dict[str, Any]:
        """The parameter traits (what the reader set), as plain Python values."""
        return {n: getattr(self, n) for n in self._names("param")}

    @property
    def state(self) -> dict[str, Any]:
        """The data traits, as plain Python values."""
        return {n: getattr(self, n) for n in self._names("data")}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> AttnView:
        """A view with the given trait values (e.g. the ``data-state`` and ``data-params``
        JSON a page's view carries), without validation or a fallback image."""
        names = set(cls._names("data")) | set(cls._names("param")) | {"title"}
        view = cls.__new__(cls)
        AttnView.__init__(view, **{k: v for k, v in state.items() if k in names})
        return view

    @classmethod
    def demo(cls) -> AttnView:
        """A small instance with seeded data: the browser tests show it on a page of every
        view and move its controls (every view class implements it)."""
        raise NotImplementedError(f"{cls.__name__}.demo()")

    def state_bytes(self) -> int:
        """Bytes of JSON this view adds to a page's saved widget state (its model and its
        layout's, as ``ipywidgets.embed`` writes them); the pages' budget is 150 kB."""
        from ipywidgets.embed import dependency_state

        return len(json.dumps(dependency_state([self], drop_defaults=False)))

    def readout(self) -> dict[str, Any]:
        """The numbers the browser displays for the current traits, computed with
        ``attn_course``; the same keys as the page's ``data-readout`` JSON."""
        raise NotImplementedError

    def fallback_figure(self) -> Any:
        """A ``matplotlib.figure.Figure`` of the current state (the no-JavaScript view)."""
        raise NotImplementedError

    # --- display ---------------------------------------------------------------------
    def fallback_html(self) -> str:
        """``<noscript>`` with a PNG of :meth:`fallback_figure`: shown only without JS."""
        fig = self.fallback_figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        alt = html.escape(f"{self.title or type(self).__name__}: first state (static image)")
        return (
            f'<noscript><img class="attn-view-fallback" alt="{alt}" '
            f'src="data:image/png;base64,{data}"/></noscript>'
        )

    def _ipython_display_(self) -> None:
        """Display the no-JS fallback (an invisible ``<noscript>``) and then the widget."""
        from IPython.display import display

        if self.static_fallback:
            display({"text/html": self.fallback_html()}, raw=True)
        bundle_, metadata = self._repr_mimebundle_()
        display(bundle_, metadata=metadata, raw=True)


def check_temperature(temperature: Any) -> float:
    """A positive, finite float, or ``ValueError`` naming ``temperature``."""
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}") from None
    if not (t > 0 and np.isfinite(t)):
        raise ValueError(f"temperature must be a positive, finite number, got {temperature!r}")
    return t


def all_views() -> dict[str, type[AttnView]]:
    """Every view class by its ``view_name``, including chapter-specific views in
    submodules that ``attn_course.views`` does not import (they are imported here)."""
    import importlib
    import pkgutil

    package = __name__.rsplit(".", 1)[0]
    for mod in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{package}.{mod.name}")
    found: dict[str, type[AttnView]] = {}
    todo = list(AttnView.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # (traitlets' add_traits, which anywidget calls, makes a subclass per instance: skip it)
        if cls.__dict__.get("view_name"):
            found[cls.view_name] = cls
    return found

