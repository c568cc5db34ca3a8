"""Numbers in the prose, one source of truth for the book and for JupyterLab.

A chapter computes a number once and names it::

    from attn_course.tools.glue import glue
    glue("ch04_var_ratio", float(ratio), display=False)

and its prose shows it with MyST's inline ``eval`` role, written in the markdown as the
role name in braces followed by ``ch04_var_ratio`` (or, with a format spec, by
``f"{ch04_var_ratio:.2f}"``) in backquotes. See CONTRIBUTING.md, "Numbers in the prose".

- In the **book**, ``glue`` is MyST-NB's: the value is saved in the executed notebook, and
  ``book/_ext/course_numbers.py`` renders each ``eval`` role from the glued value of that
  name (so the book keeps its execution cache; MyST-NB's own ``eval`` needs
  ``nb_execution_mode: inline``).
- In **JupyterLab** (with ``jupyterlab-myst``), the role is evaluated in the kernel when
  the markdown cell runs: ``glue`` also binds the value to that name in the notebook's
  namespace, so the reader sees the same number the book shows.

``scripts/numbers_to_eval.py`` converts notebooks written with ``glue:text`` roles.
"""

from __future__ import annotations

import keyword
from typing import Any

__all__ = ["glue"]


def glue(name: str, value: Any, display: bool = True) -> None:
    """Glue ``value`` under ``name`` for the book and name it in the notebook's namespace.

    Args:
        name: a Python identifier starting with the chapter, e.g. ``"ch04_var_ratio"``.
        value: the value (a number, a string, a figure, a ``Markdown`` table, …).
        display: also display the value in the cell's output (MyST-NB's ``glue``).

    Raises:
        ValueError: ``name`` is not a Python identifier (the prose could not name it).
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    from myst_nb import glue as myst_glue

    myst_glue(name, value, display=display)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook tools
        return
    shell = get_ipython()
    if shell is not None:
        shell.user_ns[name] = value
