"""The publishing set-up stays complete and in step with itself.

- Binder installs the same pinned versions as ``requirements.txt`` (torch as its CPU build).
- The two GitHub workflows only call the Makefile (``make book``, ``make test``).
- The launch buttons are configured from the one repository address in ``_config.yml``.
- The API page documents every public module of ``attn_course``.
- The glossary defines every term the chapters may link, and the references page's claim
  holds: every entry of ``book/references.bib`` is cited somewhere in the book, and every
  citation has an entry.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))


def _requirements(path: Path) -> dict[str, str]:
    """name → full requirement line, for the plain ``name==version`` lines of a file."""
    out = {}
    for line in path.read_text(encoding="utf8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.split(r"[=<>!~\[ ]", line, maxsplit=1)[0].lower()
        out[name] = line
    return out


def test_binder_pins_match_requirements():
    root = _requirements(ROOT / "requirements.txt")
    binder = _requirements(ROOT / "binder" / "requirements.txt")
    assert "torch" in binder
    assert binder["torch"] == root["torch"] + "+cpu", "binder must pin the CPU build of torch"
    assert "https://download.pytorch.org/whl/cpu" in (ROOT / "binder/requirements.txt").read_text()
    different = {n: (line, root.get(n)) for n, line in binder.items()
                 if n != "torch" and root.get(n) != line}
    assert not different, f"binder/requirements.txt differs from requirements.txt: {different}"
    post_build = ROOT / "binder" / "postBuild"
    assert "pip install" in post_build.read_text() and "-e ." in post_build.read_text()
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"


def _run_steps(workflow: str) -> tuple[dict, list[str]]:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf8"))
    runs = [s["run"] for job in data["jobs"].values() for s in job["steps"] if "run" in s]
    return data, runs


def test_workflows_only_call_the_makefile():
    makefile = (ROOT / "Makefile").read_text(encoding="utf8")
    for workflow, target in (("book.yml", "book"), ("test.yml", "test")):
        data, runs = _run_steps(workflow)
        assert runs, f"{workflow} runs nothing"
        for run in runs:
            assert run.startswith("make "), f"{workflow}: {run!r} bypasses the Makefile"
        assert any(run.split()[1] == target for run in runs), f"{workflow} must run make {target}"
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"no `{target}` target"
    data, _ = _run_steps("test.yml")
    # PyYAML reads the key `on:` as True.
    assert "pull_request" in (data.get("on") or data.get(True))
    book = (ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf8")
    assert "upload-pages-artifact" in book and "path: _build/html" in book
    assert "deploy-pages" in book
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf8")
    assert "make test" in ci


def test_launch_buttons_use_the_repository():
    url = CONFIG["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    buttons = CONFIG["launch_buttons"]
    assert buttons["binderhub_url"] == "https://mybinder.org"
    assert buttons["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["repository"]["branch"] == "main"


def _public_modules() -> list[str]:
    package = importlib.import_module("attn_course")
    names = []
    for info in pkgutil.walk_packages(package.__path__, "attn_course."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names)


def _documented() -> dict[str, list[str]]:
    """Module → the options of its automodule block in book/api.md."""
    api = (ROOT / "book" / "api.md").read_text(encoding="utf8")
    blocks = re.findall(r"^\.\. automodule:: ([\w.]+)\n((?:   :.*\n)*)", api, re.MULTILINE)
    return {m: opts.split() for m, opts in blocks}


def _reexported(module: str) -> bool:
    """Every public name of ``module`` is re-exported by its package."""
    package = importlib.import_module(module.rsplit(".", 1)[0])
    names = getattr(importlib.import_module(module), "__all__", None)
    return bool(names) and set(names) <= set(getattr(package, "__all__", ()))


def test_api_page_documents_every_public_module():
    documented = _documented()
    missing = []
    for module in _public_modules():
        package = module.rsplit(".", 1)[0]
        # A module whose names its package re-exports is documented with the package.
        via_package = documented.get(package) == [":members:"] or (
            package == "attn_course.exercises" and ":members:" in documented.get(package, [])
        )
        if module not in documented and not (via_package and _reexported(module)):
            missing.append(module)
    assert not missing, f"add an automodule block with :members: to book/api.md for: {missing}"
    for module in ("attn_course.core.softmax", "attn_course.core.attention", "attn_course.exercises"):
        assert ":members:" in documented.get(module, []), module


def test_every_exercise_checker_is_reexported():
    exercises = importlib.import_module("attn_course.exercises")
    missing = []
    for info in pkgutil.iter_modules(exercises.__path__, "attn_course.exercises."):
        if info.name.rsplit(".", 1)[1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            if name not in exercises.__all__:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"re-export in attn_course/exercises/__init__.py: {missing}"


GLOSSARY_TERMS = [
    "attention", "query", "key", "value", "alignment score", "attention weights", "softmax",
    "temperature", "logit", "mask", "causal mask", "padding mask", "self-attention",
    "cross-attention", "attention head", "multi-head attention", "positional encoding",
    "context vector", "encoder", "decoder", "scaled dot-product attention", "kernel regression",
    "entropy", "log-sum-exp", "online softmax", "Transformer block", "residual connection",
    "layer normalization", "feed-forward network", "patch embedding", "class token",
    "attention rollout", "receptive field", "recurrent neural network", "FLOP",
]


def _glossary() -> dict[str, str]:
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries, term = {}, None
    for line in body.splitlines():
        if line and not line.startswith((" ", ":")):
            term = line.strip()
            entries[term] = ""
        elif term and line.strip():
            entries[term] += " " + line.strip()
    return entries


def test_glossary_defines_every_term():
    entries = _glossary()
    missing = [t for t in GLOSSARY_TERMS if t not in entries]
    assert not missing, f"book/glossary.md lacks {missing}"
    for term, definition in entries.items():
        assert definition.strip(), f"{term!r} has no definition"
        assert "chapter" in definition, f"{term!r} should say which chapter introduces it"


def _book_sources() -> dict[str, str]:
    """Path → the text a reader sees (markdown cells of notebooks, markdown pages)."""
    out = {}
    for path in sorted((ROOT / "book").glob("*.md")):
        out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf8"))
        out[str(path.relative_to(ROOT))] = "\n".join(
            "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
        )
    return out


def _bib_keys() -> set[str]:
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", bib, re.MULTILINE))


def _cited() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for path, text in _book_sources().items():
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
            for key in group.split(","):
                cited.setdefault(key.strip(), set()).add(path)
    return cited


def test_every_citation_has_a_bib_entry():
    unknown = {k: sorted(v) for k, v in _cited().items() if k not in _bib_keys()}
    assert not unknown, f"cited but not in book/references.bib: {unknown}"


@pytest.mark.skipif(
    len(list((ROOT / "notebooks").glob("*.ipynb"))) < 14,
    reason="the whole book is not written yet: not every work can be cited",
)
def test_every_bib_entry_is_cited():
    uncited = sorted(_bib_keys() - set(_cited()))
    assert not uncited, (
        f"book/references.md says every entry is cited, but these are not: {uncited}"
    )
