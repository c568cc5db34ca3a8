"""The first cell of every notebook: make ``attn_course`` importable on Colab or Binder.

The cell's text is rendered from the one place that names the repository,
``repository.url`` in ``_config.yml`` (the launch buttons read the same key). Locally,
where the package is installed (``make book`` / ``make lab`` install it editable), the
cell does nothing; on Colab it pip-installs the package from the repository.

Usage::

    python scripts/colab_cell.py            # print the cell
    python scripts/colab_cell.py --check    # exit 1 if a notebook lacks the exact cell first
    python scripts/colab_cell.py --fix      # insert or replace the cell in every notebook

``--check``/``--fix`` take notebook paths; the default is ``notebooks/*.ipynb``. A first
code cell that already tries to install ``attn_course`` is replaced; otherwise the cell
is inserted before everything else. The cell carries the tag ``remove-cell`` so the book
never shows it. ``tests/test_notebook_hygiene.py`` runs the same check under ``make test``.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"
TAG = "remove-cell"

# One line of the cell is longer than this file's line limit, hence the joined pieces.
TEMPLATE = "\n".join(
    [
        "# Make the course package importable on Colab or Binder; "
        "does nothing where it is installed.",
        "import importlib.util",
        "import subprocess",
        "import sys",
        "",
        'if importlib.util.find_spec("attn_course") is None:',
        '    REPO = "{repo}"',
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", '
        'f"attn-course @ git+{{REPO}}"], check=True)',
    ]
)

# How an older or hand-made bootstrap cell is recognised, so --fix replaces it.
_MARKERS = ('find_spec("attn_course")', "find_spec('attn_course')", "attn-course @ git+")


def repository_url(config: Path = CONFIG) -> str:
    """The repository address from ``_config.yml`` (``repository.url``), without a trailing /."""
    data = yaml.safe_load(config.read_text(encoding="utf8")) or {}
    url = (data.get("repository") or {}).get("url")
    if not url:
        raise SystemExit(f"{config}: repository.url is not set")
    return str(url).rstrip("/")


def cell_source(repo: str | None = None) -> str:
    """The exact source of the bootstrap cell for ``repo`` (default: from ``_config.yml``)."""
    return TEMPLATE.format(repo=repo or repository_url())


def _is_bootstrap(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(m in cell.source for m in _MARKERS)


def problems(nb: nbformat.NotebookNode, source: str) -> list[str]:
    """What is wrong with the first cell of ``nb`` (empty when it is the exact bootstrap cell)."""
    if not nb.cells:
        return ["the notebook has no cells"]
    first = nb.cells[0]
    out = []
    if first.cell_type != "code":
        out.append(f"the first cell is a {first.cell_type} cell, not the bootstrap code cell")
    elif first.source != source:
        out.append(
            "the first cell is not the exact bootstrap cell (run scripts/colab_cell.py --fix)"
        )
    if TAG not in first.get("metadata", {}).get("tags", []):
        out.append(f"the first cell lacks the tag {TAG!r}")
    return out


def fix(nb: nbformat.NotebookNode, source: str) -> bool:
    """Make the bootstrap cell the first cell of ``nb``; return True if ``nb`` changed."""
    if not problems(nb, source):
        return False
    # Drop every earlier bootstrap cell wherever it is, then put the exact one first.
    keep = [c for c in nb.cells if not _is_bootstrap(c)]
    old = next((c for c in nb.cells if _is_bootstrap(c)), None)
    cell = nbformat.v4.new_code_cell(source=source)
    cell.id = old.get("id") if old is not None and old.get("id") else uuid.uuid4().hex[:8]
    cell.metadata["tags"] = [TAG]
    nb.cells = [cell, *keep]
    return True


def _notebooks(paths: Iterable[str]) -> list[Path]:
    given = [Path(p) for p in paths]
    return given or sorted((ROOT / "notebooks").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report notebooks without the cell")
    mode.add_argument("--fix", action="store_true", help="insert or replace the cell")
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    source = cell_source()
    if not (args.check or args.fix):
        print(source)
        return 0
    bad = 0
    for path in _notebooks(args.notebooks):
        nb = nbformat.read(path, as_version=4)
        if args.fix:
            if fix(nb, source):
                nbformat.write(nb, path)
                print(f"fixed {path}")
        else:
            for p in problems(nb, source):
                print(f"{path}: {p}")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
