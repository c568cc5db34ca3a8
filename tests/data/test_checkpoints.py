"""Stored weights: the round trip through float16, names, missing files."""

import pytest
import torch

from attn_course.data import checkpoints


def test_round_trip_halves_floats_and_keeps_the_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "WEIGHTS", tmp_path)
    layer = torch.nn.Linear(3, 2)
    state = dict(layer.state_dict(), steps=torch.tensor([7]))
    checkpoints.save_checkpoint("demo", {"lr": 0.1}, {"a": {"state": state,
                                                             "history": {"loss": [1.0, 0.5]}}})
    blob = checkpoints.load_checkpoint("demo")
    assert blob["recipe"] == {"lr": 0.1} and blob["torch"] == torch.__version__
    run = blob["runs"]["a"]
    assert run["history"] == {"loss": [1.0, 0.5]}
    assert run["state"]["weight"].dtype == torch.float32
    torch.testing.assert_close(run["state"]["weight"], layer.weight.detach(), atol=1e-3, rtol=1e-3)
    assert run["state"]["steps"].dtype == torch.int64 and int(run["state"]["steps"]) == 7


@pytest.mark.parametrize("name", ["", "a/b", ".hidden"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match="name"):
        checkpoints.checkpoint_path(name)


def test_missing_weights_say_how_to_make_them(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "WEIGHTS", tmp_path)
    with pytest.raises(FileNotFoundError, match="pretrained"):
        checkpoints.load_checkpoint("nothing")
