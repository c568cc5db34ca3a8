"""Tests of ``attn_course.experiments.multi_head``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_course.experiments.multi_head import attention_to, mha_flops, previous_token_score
from attn_course.layers.multihead import MultiHeadAttention
from attn_course.tools.measure import count_flops


@pytest.mark.parametrize("n_q,n_k,d,h", [(5, 5, 16, 1), (5, 5, 16, 4), (3, 7, 24, 6), (8, 2, 8, 8)])
def test_mha_flops_matches_torch_counter(n_q, n_k, d, h):
    mha = MultiHeadAttention(d, h)
    q, kv = torch.randn(1, n_q, d), torch.randn(1, n_k, d)
    assert count_flops(mha, q, kv, kv) == mha_flops(n_q, n_k, d, h)["total"]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64), st.sampled_from([8, 16, 48]), st.sampled_from([1, 2, 4, 8]))
def test_mha_flops_independent_of_heads(n_q, n_k, d, h):
    assert mha_flops(n_q, n_k, d, h)["total"] == mha_flops(n_q, n_k, d, 1)["total"]


def test_mha_flops_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_heads"):
        mha_flops(4, 4, 10, 3)
    with pytest.raises(ValueError):
        mha_flops(0, 4, 8, 2)


def test_previous_token_score():
    w = np.stack([np.eye(5, k=-1), np.eye(5), np.full((5, 5), 0.2)])  # (H, N, N)
    np.testing.assert_allclose(previous_token_score(w), [1.0, 0.0, 0.2])
    t = previous_token_score(torch.as_tensor(w))
    assert isinstance(t, torch.Tensor) and t.shape == (3,)
    with pytest.raises(ValueError, match="N, N"):
        previous_token_score(np.zeros((2, 3, 4)))


def test_attention_to():
    w = torch.softmax(torch.randn(2, 3, 4, 6), -1)  # (B, H, n_q, n_k)
    everything = attention_to(w, torch.ones(2, 1, 6, dtype=torch.bool))
    torch.testing.assert_close(everything, torch.ones(2, 3, 4))
    one = torch.zeros(2, 1, 6, dtype=torch.bool)
    one[:, :, 2] = True
    torch.testing.assert_close(attention_to(w, one), w[..., 2])
    with pytest.raises(ValueError, match="key_mask"):
        attention_to(w, torch.ones(2, 1, 5, dtype=torch.bool))


def _tiny_model(n_heads=2):
    from attn_course.experiments.multi_head import marker_model

    torch.manual_seed(0)
    return marker_model(n_heads).eval()


def test_zero_ablation_is_head_mask_and_mean_ablation_by_own_output_changes_nothing():
    from attn_course.data.tasks import marker_task
    from attn_course.experiments.multi_head import ablate_head, record_heads

    model = _tiny_model()
    mha = model.encoder.layers[0].self_attn
    tokens, _ = marker_task(5, 12, seed=0)
    with torch.no_grad():
        base, _ = model(tokens)
        masked, _ = model(tokens, head_mask=torch.tensor([[1.0, 0.0]]))
        with ablate_head(mha, 1, "zero"):
            zeroed, _ = model(tokens)
        torch.testing.assert_close(zeroed, masked)
        with record_heads(mha) as seen:
            model(tokens[:1])
        assert seen[0].shape == (1, 12, 32)
        with ablate_head(mha, 0, "mean", mean=seen[0][0]):  # its own output: no change
            same, _ = model(tokens[:1])
        torch.testing.assert_close(same, base[:1])
        with ablate_head(mha, 0, "mean", mean=torch.zeros(12, 16)):  # a d_k-wide mean
            zero_mean, _ = model(tokens)
        assert not torch.allclose(zero_mean, base)
    with torch.no_grad():  # the hooks are gone after the block
        torch.testing.assert_close(model(tokens)[0], base)
    with pytest.raises(ValueError, match="kind"):
        with ablate_head(mha, 0, "noise"):
            pass
    with pytest.raises(ValueError, match="head must lie"):
        with ablate_head(mha, 2):
            pass
    with pytest.raises(ValueError, match="mean"):
        with ablate_head(mha, 0, "mean"):
            pass


def test_head_sweep_keeps_parameters_equal():
    from attn_course.data.tasks import marker_task
    from attn_course.experiments.multi_head import continue_training, head_sweep

    tokens, targets = marker_task(200, 12, seed=0)
    tt, tg = marker_task(50, 12, seed=1)
    r = head_sweep(tokens, targets, tt, tg, n_heads=(1, 2), seeds=(0,), steps=15)
    assert r.params[1] == r.params[2]
    assert r.acc_prev.shape == (2, 1) and r.loss.shape == (2, 1, 15)
    assert r.loss[0, 0, -1] < r.loss[0, 0, 0]
    more = continue_training(r, n_heads=1, steps=5)
    assert more.acc_prev.shape == (1,) and more.loss.shape == (1, 5)
