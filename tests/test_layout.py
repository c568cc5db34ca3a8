"""The package's shelf (../shared/LAYOUT.md, issue 12): subpackages only, short modules,
and imports that point down: core → layers → models → experiments, with plots, views and
exercises on top."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest

import attn_course

PACKAGE = Path(attn_course.__file__).resolve().parent
SUBPACKAGES = {"core", "layers", "models", "data", "experiments", "tools", "plots", "views",
               "exercises"}

# What each part of the package may import from the package (besides itself). ``_backend``
# (array helpers) and ``tools`` (seeds, progress bars, the loop, timers, the process
# launcher) sit at the bottom; core is the math; layers are built from core (ring attention
# on one machine also uses the launcher of tools); models from layers; data are the tasks;
# experiments may use all of those; plots, views and exercises sit on top.
ALLOWED = {
    "_backend": set(),
    "tools": {"_backend"},
    "core": {"_backend"},
    "layers": {"_backend", "core", "tools"},  # tools: ring_local starts processes
    "models": {"_backend", "core", "layers"},
    "data": {"_backend", "core", "tools"},
    "experiments": {"_backend", "core", "layers", "models", "data", "tools"},
    "plots": {"_backend", "core", "layers", "models", "data", "experiments", "tools"},
    "views": {"_backend", "core", "layers", "models", "data", "experiments", "tools", "plots"},
    "exercises": {"_backend", "core", "layers", "models", "data", "experiments", "tools"},
}

MAX_LINES = 300
LONGER: dict[str, str] = {}  # "subpackage/module.py": reason — none today


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_top_level_holds_only_the_package_files_and_the_subpackages():
    top = {m.name for m in pkgutil.iter_modules([str(PACKAGE)])}
    assert top == {"_backend"} | SUBPACKAGES
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "_backend.py"}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_short(path):
    rel = str(path.relative_to(PACKAGE))
    n = len(path.read_text(encoding="utf8").splitlines())
    assert n <= MAX_LINES or rel in LONGER, f"{rel} has {n} lines: two ideas? split it"


def _part(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0].removesuffix(".py") if len(rel) > 1 or rel[0] == "_backend.py" else ""


def _imported_parts(path: Path) -> set[str]:
    """The package parts (``core``, ``layers``, …) that ``path`` imports, resolved from
    absolute ``attn_course.x`` and relative ``..x`` imports alike."""
    tree = ast.parse(path.read_text(encoding="utf8"))
    here = path.relative_to(PACKAGE).parts[:-1]  # the module's package inside attn_course
    parts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - (node.level - 1)])
                target = base + (node.module.split(".") if node.module else [])
                if not target:  # "from .. import x": x is the part
                    target = [node.names[0].name]
                names = ["attn_course." + ".".join(target)]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            if name.startswith("attn_course."):
                parts.add(name.split(".")[1])
            elif name == "attn_course":
                parts.add("attn_course")
    return parts


@pytest.mark.parametrize("path", [p for p in _modules() if _part(p)],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    part = _part(path)
    used = _imported_parts(path) - {part}
    assert "attn_course" not in used, "import the module that defines a name, not the package"
    bad = used - ALLOWED[part]
    assert not bad, (f"{path.relative_to(PACKAGE)} ({part}) imports {sorted(bad)}; "
                     f"{part} may import only {sorted(ALLOWED[part])}")


def test_the_import_check_sees_relative_and_absolute_imports():
    probe = PACKAGE / "core" / "softmax.py"
    assert _imported_parts(probe) == {"_backend", "core"}
    assert "experiments" in _imported_parts(PACKAGE / "plots" / "scaling.py")
    assert "layers" in _imported_parts(PACKAGE / "models" / "vit.py")


# The public names of attn_course before the package was reshelved (issue 12): every one
# stays importable from the package itself.
NAMES_BEFORE = [
    "AdditiveAttention", "FeedForward", "LearnedPositionalEmbedding", "MultiHeadAttention",
    "SinusoidalPositionalEncoding", "TransformerDecoderLayer", "TransformerEncoder",
    "TransformerEncoderLayer", "additive_score", "alibi_bias", "alibi_slopes", "causal_mask",
    "cosine_score", "count_parameters", "cross_attention", "dot_score", "entropy",
    "flash_attention", "general_score", "linear_attention", "local_attention",
    "location_score", "logsumexp", "minibatches", "online_softmax", "online_softmax_update",
    "padding_mask", "rope_rotate", "scaled_dot_product_attention", "scaled_dot_score",
    "self_attention", "set_seed", "sinusoidal_encoding", "softmax", "train",
]


def test_every_public_name_of_before_is_still_exported():
    missing = [n for n in NAMES_BEFORE if n not in attn_course.__all__ or
               not hasattr(attn_course, n)]
    assert not missing
    assert len(set(attn_course.__all__)) == len(attn_course.__all__)
