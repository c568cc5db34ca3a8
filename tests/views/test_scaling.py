"""The ``attn_course.views.scaling`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import attn_course as ac
from attn_course.views import (
    ScalingExplorer,
)
from attn_course.views.scaling import scaling_draws


def test_scaling_readout_and_effect() -> None:
    q, K = scaling_draws(0, 64, 16, 100)
    assert q.shape == (100, 1, 64) and K.shape == (100, 16, 64)
    r = ScalingExplorer(d_k=64, scaled=True).readout()
    w = ac.softmax(ac.scaled_dot_score(q, K)[:, 0], axis=-1)
    np.testing.assert_allclose(r["weights"], w[0])
    assert r["mean_entropy"] == pytest.approx(float(ac.entropy(w).mean()))
    unscaled = ScalingExplorer(d_k=256, scaled=False).readout()
    scaled = ScalingExplorer(d_k=256, scaled=True).readout()
    assert unscaled["score_std"] > 10 * scaled["score_std"] * 0.9
    assert unscaled["mean_entropy"] < scaled["mean_entropy"]


def test_scaling_gradient_readouts_match_autograd() -> None:
    """The Jacobian norm and the query gradient of the first key's weight, checked by autograd."""
    import torch

    q, K = scaling_draws(3, 16, 8, 20)
    r = ScalingExplorer(d_k=16, scaled=False, n_keys=8, seed=3, n_trials=20).readout()
    jac_norms, grads = [], []
    for t in range(20):
        qt, Kt = torch.tensor(q[t, 0], requires_grad=True), torch.tensor(K[t])
        p = torch.softmax(Kt @ qt, -1)  # (n_keys,)
        J = torch.autograd.functional.jacobian(lambda z: torch.softmax(z, -1), (Kt @ qt).detach())
        jac_norms.append(float(torch.linalg.norm(J)))
        (g,) = torch.autograd.grad(p[0], qt)
        grads.append(float(g.norm()))
    assert r["jac_norm"] == pytest.approx(np.mean(jac_norms))
    assert r["grad_median"] == pytest.approx(np.median(grads))
    assert r["grad_dead"] == pytest.approx(np.mean(np.asarray(grads) < 1e-3))


def test_scaling_gradient_goes_sparse_without_the_scaling() -> None:
    unscaled = ScalingExplorer(d_k=1024, scaled=False).readout()
    scaled = ScalingExplorer(d_k=1024, scaled=True).readout()
    assert unscaled["grad_dead"] > 0.5 and scaled["grad_dead"] == 0
    assert unscaled["jac_norm"] < 0.25 * scaled["jac_norm"]


@pytest.mark.parametrize("kwargs", [{"d_k": 3}, {"d_k": 2048}, {"n_keys": 1}, {"seed": -2}])
def test_scaling_validation(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ScalingExplorer(**kwargs)
