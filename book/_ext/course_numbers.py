"""Sphinx extension: ``{eval}`` in the prose, rendered from the notebook's glued values.

The chapters show their numbers with MyST's inline ``eval`` role, which JupyterLab (with
``jupyterlab-myst``) evaluates in the kernel, so a learner running a notebook reads the
numbers in the prose (see ``attn_course.tools.glue``). MyST-NB's own ``eval`` role needs
``nb_execution_mode: inline`` (no execution cache: every build re-runs every notebook), so
the book renders ``{eval}`` from the values the notebook glued instead, exactly as
``{glue:text}`` does:

- ``{eval}`name``` shows the value glued as ``name``;
- ``{eval}`f"{name:spec}"``` shows it formatted with the format spec ``spec``
  (``.2f``, ``,``, ``.1%``, …) — the same text Python's f-string gives in JupyterLab.

Anything else (another expression) is a warning, so the ``-W`` build fails and says why:
the book can only show what the notebook glued.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
EXPRESSION = re.compile(rf'^\s*(?:(?P<name>{NAME})|f(?P<q>["\'])\{{(?P<fname>{NAME})'
                        rf'(?::(?P<spec>[^{{}}"\']*))?\}}(?P=q))\s*$')


def parse_expression(text: str) -> tuple[str, str] | None:
    """``(glue key, format spec)`` of an ``{eval}`` expression the book can show, else None.

    >>> parse_expression('f"{ch04_x:.2f}"')
    ('ch04_x', '.2f')
    >>> parse_expression("ch04_x")
    ('ch04_x', '')
    """
    m = EXPRESSION.match(text)
    if not m:
        return None
    if m.group("name"):
        return m.group("name"), ""
    return m.group("fname"), m.group("spec") or ""


def eval_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
              options: dict | None = None, content: list | None = None
              ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``{eval}`expr``` → the glued value of ``expr``'s name, formatted like ``{glue:text}``."""
    from myst_nb.ext.glue.roles import PasteTextRole

    parsed = parse_expression(text)
    if parsed is None:
        msg = inliner.reporter.warning(
            f"{{eval}}`{text}`: the book shows only a glued name, `name` or "
            f'`f"{{name:spec}}"` (glue the value in the notebook and name it here)',
            line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    key, spec = parsed
    return PasteTextRole()("glue:text", rawtext, f"{key}:{spec}" if spec else key, lineno,
                           inliner, options or {}, content or [])


def setup(app: Sphinx) -> dict[str, Any]:
    # Replaces MyST-NB's `eval` role (registered when myst_nb loads, before local extensions).
    app.add_role("eval", eval_role, override=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
