"""The published pages carry the installed package's view scripts (``book/_ext/course_publish.py``).

A view's ``_esm`` is saved into the notebook's widget state when the notebook runs; with
MyST-NB's execution cache a later build would otherwise publish that old copy (the ch. 10
page once overflowed a phone screen with a view script older than the package's).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from ipywidgets import IntSlider
from ipywidgets.embed import dependency_state

from attn_course.views import AttentionMapExplorer, SoftmaxLab
from attn_course.views._base import bundle

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
import course_publish  # noqa: E402

STATE_TYPE = "application/vnd.jupyter.widget-state+json"


def _saved_state(*widgets) -> dict:
    """The widget state as a notebook saves it, with every view's script made stale."""
    state = {"version_major": 2, "version_minor": 0,
             "state": dependency_state(list(widgets), drop_defaults=False)}
    for model in state["state"].values():
        if "_esm" in model["state"]:
            model["state"]["_esm"] = "export default { render() {} }  // an old bundle"
    return state


def test_saved_views_get_the_current_scripts() -> None:
    views = [AttentionMapExplorer(np.full((3, 3), 1 / 3)), SoftmaxLab([0.0, 1.0, 2.0])]
    other = IntSlider()
    state = _saved_state(*views, other)
    other_before = json.dumps(state["state"][other.model_id])
    assert course_publish.current_view_scripts(state) == 2
    for view in views:
        assert state["state"][view.model_id]["state"]["_esm"] == bundle(view._view_js)
    assert json.dumps(state["state"][other.model_id]) == other_before
    assert course_publish.current_view_scripts(state) == 0  # already current


def test_a_view_the_package_no_longer_has_is_an_error() -> None:
    state = _saved_state(SoftmaxLab([0.0, 1.0]))
    model = next(m for m in state["state"].values() if "_anywidget_id" in m["state"])
    model["state"]["_anywidget_id"] = "attn_course.views.softmax_lab.GoneView"
    with pytest.raises(ValueError, match="GoneView"):
        course_publish.current_view_scripts(state)


def test_the_page_hook_rewrites_the_state_myst_nb_will_write() -> None:
    view = SoftmaxLab([0.0, 1.0, 2.0])
    body = json.dumps(_saved_state(view)).replace("</script>", r"<\/script>")
    env = SimpleNamespace(nb_metadata=defaultdict(dict))
    env.nb_metadata["notebooks/05_softmax"]["js_files"] = {
        "ipywidgets_state": (None, {"type": STATE_TYPE, "body": body})}
    app = SimpleNamespace(env=env)
    course_publish.refresh_view_scripts(app, "notebooks/05_softmax", "page.html", {}, None)
    course_publish.refresh_view_scripts(app, "intro", "page.html", {}, None)  # no notebook
    kwargs = env.nb_metadata["notebooks/05_softmax"]["js_files"]["ipywidgets_state"][1]
    assert "</script>" not in kwargs["body"]
    saved = json.loads(kwargs["body"])["state"][view.model_id]["state"]
    assert saved["_esm"] == bundle("softmax_lab.js")
