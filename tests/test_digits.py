"""The digits task: bundled data, a deterministic stratified split, the training wrapper."""

import pytest
import torch
from torch import nn

from attn_course.data.digits import load_digits
from attn_course.experiments.vision import train_classifier
from attn_course.tools.training import accuracy


def test_shapes_range_and_split_sizes():
    d = load_digits()
    assert d.x_train.shape[1:] == (1, 8, 8) and d.x_test.shape[1:] == (1, 8, 8)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert d.x_train.shape[0] + d.x_test.shape[0] == 1797
    assert float(d.x_train.min()) >= 0.0 and float(d.x_train.max()) <= 1.0
    assert 0.2 < d.x_test.shape[0] / 1797 < 0.3


def test_split_is_deterministic_disjoint_and_stratified():
    a, b, c = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.y_train, c.y_train)
    train = {tuple(x.flatten().tolist()) for x in a.x_train}
    test = [tuple(x.flatten().tolist()) for x in a.x_test]
    overlap = sum(t in train for t in test)
    assert overlap < 5  # the dataset has a handful of exact duplicate images, no more
    counts = torch.bincount(a.y_test, minlength=10)
    assert int(counts.min()) >= 40 and int(counts.max()) <= 50


def test_bad_fraction_raises():
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=1.5)


def test_accuracy_and_training_wrapper():
    d = load_digits()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    before = accuracy(model, d.x_test, d.y_test)
    r = train_classifier(model, d, epochs=3, lr=1e-2, progress=False)
    assert r.test_accuracy > 0.85 > before
    assert r.losses[-1] < r.losses[0]
    with pytest.raises(ValueError, match="same length"):
        accuracy(model, d.x_test, d.y_test[:3])


@pytest.mark.parametrize("threads", [1, 2])
def test_train_classifier_honours_threads(threads):
    """The thread count asked for is the one the training runs on (it used to be
    overridden by the loop's own default of one thread), and it is restored afterwards."""
    seen = []

    class Probe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(64, 10)

        def forward(self, x):
            if self.training:
                seen.append(torch.get_num_threads())
            return self.linear(x.flatten(1))

    d = load_digits()
    before = torch.get_num_threads()
    train_classifier(Probe(), d, epochs=1, batch_size=256, progress=False, threads=threads)
    assert seen and set(seen) == {threads}
    assert torch.get_num_threads() == before
