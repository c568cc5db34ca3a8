"""Convert chapter notebooks so that JupyterLab readers see the numbers the book shows.

Chapters are written with MyST-NB's glue: ``glue("ch04_x", value, display=False)`` in code and
``{glue:text}`ch04_x:.2f``` in the prose. JupyterLab shows such a role as raw code. This
script rewrites each notebook to the form both readers render (see
``attn_course.tools.glue`` and ``book/_ext/course_numbers.py``):

- prose: ``{glue:text}`key``` → ``{eval}`key```, ``{glue:text}`key:spec``` →
  ``{eval}`f"{key:spec}"```;
- code: ``from myst_nb import glue`` → ``from attn_course.tools.glue import glue`` (the same
  glue, which also names the value in the notebook so that ``{eval}`` finds it);
- markdown cells lose the ``user_expressions`` metadata JupyterLab saves when a cell runs
  (results do not belong in the committed notebook, like outputs).

It is idempotent (a converted notebook is left as it is) and changes nothing else: other glue
roles and directives (``{glue:md}`` tables, ``{glue:figure}``) stay. It reports every
``{eval}`` name that no ``glue("…")`` call of the notebook names literally (a key built at run
time, e.g. ``glue(f"ch14_drop_{m}", …)``, is reported as dynamic, not as an error).

Usage::

    python scripts/numbers_to_eval.py notebooks/*.ipynb          # convert in place
    python scripts/numbers_to_eval.py --check notebooks/*.ipynb  # exit 1 if any needs it
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

GLUE_TEXT = re.compile(r"\{glue:text\}`([^`:]+?)(?::([^`]*))?`")
EVAL = re.compile(r"\{eval\}`f?[\"']?\{?([A-Za-z_][A-Za-z0-9_]*)")
IMPORT = re.compile(r"^from myst_nb import glue\s*$", re.M)
NEW_IMPORT = "from attn_course.tools.glue import glue"
GLUE_CALL = re.compile(r"\bglue\(\s*(f?)[\"']([^\"']+)[\"']")


def _eval(match: re.Match[str]) -> str:
    key, spec = match.group(1).strip(), match.group(2)
    if "::" in key:  # a value glued in another document: leave it to glue
        return match.group(0)
    return f'{{eval}}`f"{{{key}:{spec}}}"`' if spec else f"{{eval}}`{key}`"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def convert_notebook(nb: dict) -> tuple[dict, list[str]]:
    """Return the converted notebook (the same object, changed in place) and notes."""
    notes: list[str] = []
    literal, dynamic = set(), False
    for cell in nb.get("cells", []):
        src = _source(cell)
        if cell.get("cell_type") == "markdown":
            new = GLUE_TEXT.sub(_eval, src)
            cell.get("metadata", {}).pop("user_expressions", None)
        elif cell.get("cell_type") == "code":
            new = IMPORT.sub(NEW_IMPORT, src)
            for f, key in GLUE_CALL.findall(new):
                if f:
                    dynamic = True
                else:
                    literal.add(key)
        else:
            continue
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
    used = {m for cell in nb.get("cells", []) if cell.get("cell_type") == "markdown"
            for m in EVAL.findall(_source(cell))}
    for name in sorted(used - literal):
        notes.append(f"{{eval}} name {name!r} has no glue(\"{name}\", …) call"
                     + (" (maybe a key built at run time)" if dynamic else ""))
    uses_glue = any(cell.get("cell_type") == "code" and "glue(" in _source(cell)
                    for cell in nb.get("cells", []))
    imports_ours = any(NEW_IMPORT in _source(c) for c in nb.get("cells", []))
    if uses_glue and not imports_ours:
        notes.append("calls glue() but does not import attn_course.tools.glue.glue "
                     "(JupyterLab's {eval} will not find the names)")
    return nb, notes


def convert_file(path: Path, check: bool = False) -> tuple[bool, list[str]]:
    """Convert ``path`` in place (unless ``check``); return (whether it changed, notes)."""
    text = path.read_text(encoding="utf-8")
    nb, notes = convert_notebook(json.loads(text))
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    changed = json.loads(new) != json.loads(text)
    if changed and not check:
        path.write_text(new, encoding="utf-8")
    return changed, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook still needs converting")
    args = parser.parse_args(argv)
    pending = 0
    for path in args.notebooks:
        changed, notes = convert_file(path, check=args.check)
        pending += changed
        verb = ("needs converting" if args.check else "converted") if changed else "up to date"
        print(f"{path}: {verb}", file=sys.stderr)
        for note in notes:
            print(f"  note: {note}", file=sys.stderr)
    return 1 if args.check and pending else 0


if __name__ == "__main__":
    sys.exit(main())
