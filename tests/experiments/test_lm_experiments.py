"""Tests of chapter 15's and 16's experiment code: ``attn_course.experiments.language_model``,
``induction`` and ``explanation``."""

from __future__ import annotations

import math

import pytest
import torch

from attn_course.data.repeats import repeated_segments
from attn_course.data.sentiment import sentiment_task
from attn_course.experiments.explanation import (
    EXPLAIN,
    adversarial_rows,
    importance_scores,
    rank_agreement,
)
from attn_course.experiments.induction import copying_scores, head_scores, in_context_loss
from attn_course.experiments.language_model import (
    cache_memory,
    kv_heads_from,
    lm_loss,
    per_token_times,
    validation_loss,
)
from attn_course.layers.kv_cache import KVCache
from attn_course.models.gpt import GPT
from attn_course.models.token_models import TokenTransformer


def _gpt(n_kv_heads=None, seed=0, **kw):
    torch.manual_seed(seed)
    cfg = dict(d_model=32, n_heads=4, n_layers=2, max_len=40, n_kv_heads=n_kv_heads)
    return GPT(13, **{**cfg, **kw}).eval()


# --- language_model ------------------------------------------------------------------------

def test_kv_heads_from_keeps_the_model_when_heads_already_agree():
    m = _gpt()
    idx = torch.randint(13, (2, 12), generator=torch.Generator().manual_seed(0))
    assert torch.allclose(kv_heads_from(m, 4)(idx), m(idx), atol=1e-5)
    with torch.no_grad():  # make heads 0=1 and 2=3 share keys and values: pooling loses nothing
        for block in m.blocks:
            for lin in (block.attn.W_k, block.attn.W_v):
                w = lin.weight.view(2, 2, 8, 32)  # (H_kv', group, d_k, d_model)
                w[:, 1] = w[:, 0]
                b = lin.bias.view(2, 2, 8)
                b[:, 1] = b[:, 0]
    for how in ("mean", "first"):
        g = kv_heads_from(m, 2, how=how)
        assert g.n_kv_heads == 2
        torch.testing.assert_close(g(idx), m(idx), atol=1e-5, rtol=1e-5)
    m2 = _gpt(seed=1)
    assert not torch.allclose(kv_heads_from(m2, 1)(idx), m2(idx), atol=1e-3)
    with pytest.raises(ValueError, match="n_kv_heads"):
        kv_heads_from(m, 3)
    with pytest.raises(ValueError, match="how"):
        kv_heads_from(m, 2, how="max")


def test_validation_loss_is_the_mean_cross_entropy_of_the_windows():
    m = _gpt()
    ids = torch.randint(13, (50,), generator=torch.Generator().manual_seed(1))
    got = validation_loss(m, ids, context=7, batch_size=3)
    windows = ids[:49].view(7, 7), ids[1:50].view(7, 7)
    with torch.no_grad():
        assert got == pytest.approx(float(lm_loss(m, windows)), rel=1e-5)
    with pytest.raises(ValueError, match="context"):
        validation_loss(m, ids[:5], context=7)


def test_step_times():
    m = _gpt(n_kv_heads=2)
    ids = torch.randint(13, (1, 20), generator=torch.Generator().manual_seed(2))
    for lean in (True, False):
        times = per_token_times(m, ids, [4, 20], repeats=1, lean=lean)
        assert set(times) == {"uncached", "cached"} and len(times["cached"]) == 2
        assert all(t > 0 for t in times["uncached"] + times["cached"])


@pytest.mark.parametrize("n_kv_heads", [None, 2, 1])
def test_cache_memory_measured_twice_is_the_formula(n_kv_heads):
    m = _gpt(n_kv_heads=n_kv_heads)
    mem = cache_memory(m, 24, batch=3)
    assert mem["formula"] == 2 * 2 * 3 * m.n_kv_heads * 8 * 24 * 4
    assert mem["storage"] == mem["allocated"] == mem["formula"]
    # a cache with room for more positions than it holds is measured at its capacity
    roomy = cache_memory(m, 10, batch=3, capacity=24)
    assert roomy["formula"] == 10 / 24 * mem["formula"]
    assert roomy["storage"] == roomy["allocated"] == mem["formula"]


class _ExpandingCache(KVCache):
    """A cache that also keeps its key/value heads repeated for every query head (what
    grouped-query attention exists to avoid): the measurements must see the copies."""

    def __init__(self, *args, group: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.group, self.expanded = group, {}

    def update(self, layer, k, v):
        k, v = super().update(layer, k, v)
        self.expanded[layer] = (k.repeat_interleave(self.group, 1),
                                v.repeat_interleave(self.group, 1))  # (B, H, t, d_k) each
        return k, v


def test_cache_memory_sees_a_cache_that_expands_the_shared_heads():
    m = _gpt(n_kv_heads=1)  # 4 query heads share 1 key/value head
    m.new_cache = lambda batch, capacity: _ExpandingCache(
        m.n_layers, batch=batch, n_kv_heads=1, d_k=m.d_k, capacity=capacity, group=4)
    mem = cache_memory(m, 24, batch=3)
    assert mem["storage"] == mem["allocated"] == 5 * mem["formula"]  # itself and 4 copies


# --- induction ---------------------------------------------------------------------------

def test_head_scores_read_the_right_diagonals():
    S = 5
    eye = torch.eye(2 * S)
    prev = torch.zeros(2 * S, 2 * S)
    prev[torch.arange(1, 2 * S), torch.arange(2 * S - 1)] = 1.0  # every query looks one back
    prev[0, 0] = 1.0
    induct = torch.zeros(2 * S, 2 * S)
    induct[:S, 0] = 1.0
    induct[torch.arange(S, 2 * S), torch.arange(1, S + 1)] = 1.0  # i looks at i − S + 1
    w = torch.stack([torch.stack([eye, prev]), torch.stack([induct, eye])])[None]  # (1,2,2,N,N)
    s = head_scores(w, S)
    # (the induction head's query 1 looks at 0, its previous position: 1 of 2S − 1 queries)
    torch.testing.assert_close(s["previous"], torch.tensor([[0.0, 1.0], [1 / 9, 0.0]]))
    torch.testing.assert_close(s["prefix"], torch.tensor([[0.0, 0.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="weights"):
        head_scores(w, S + 1)


def test_copying_score_is_one_for_a_copying_head_and_minus_one_for_its_negation():
    m = _gpt(d_ff=0)
    with torch.no_grad():
        attn = m.blocks[0].attn
        W_v = attn.W_v.weight[:8]  # head 0: (d_k, d_model)
        attn.W_o.weight[:, :8] = W_v.T  # W_V W_O is positive semi-definite: the head copies
        attn.W_o.weight[:, 8:16] = -attn.W_v.weight[8:16].T  # head 1 suppresses
    s = copying_scores(m)
    assert s.shape == (2, 4)
    assert float(s[0, 0]) == pytest.approx(1.0, abs=1e-4)
    assert float(s[0, 1]) == pytest.approx(-1.0, abs=1e-4)


def test_in_context_loss_without_heads_cannot_use_the_repeat():
    m = _gpt(d_ff=0)
    tokens = repeated_segments(8, 10, 13, seed=0)
    full = in_context_loss(m, tokens, 10)
    none = in_context_loss(m, tokens, 10, head_mask=torch.zeros(2, 4))
    # with every head ablated each logit depends on its own token only, so both copies score alike
    assert none["first"] == pytest.approx(none["second"], rel=1e-5)
    assert abs(full["first"] - full["second"]) > 1e-4  # with heads, context changes the loss


# --- explanation -------------------------------------------------------------------------

def test_rank_agreement_known_values():
    truth = torch.tensor([[True, False, False, True]])
    assert rank_agreement(torch.tensor([[3.0, 1.0, 0.0, 2.0]]), truth) == 1.0
    assert rank_agreement(torch.tensor([[0.0, 2.0, 3.0, 1.0]]), truth) == -1.0
    assert rank_agreement(torch.ones(1, 4), truth) == 0.0
    assert rank_agreement(torch.tensor([[3.0, 2.0, 0.0, 1.0]]), truth) == 0.5
    assert math.isnan(rank_agreement(torch.ones(1, 4), torch.zeros(1, 4, dtype=torch.bool)))
    with pytest.raises(ValueError, match="same shape"):
        rank_agreement(torch.ones(2, 4), truth)


def test_importance_scores_and_the_row_surgery_reproduce_the_model():
    task = sentiment_task(6, EXPLAIN["length"], seed=4)
    torch.manual_seed(0)
    model = TokenTransformer(task.vocab_size, 2, n_layers=2, max_len=EXPLAIN["length"] + 1,
                             **EXPLAIN["model"])
    scores = importance_scores(model, task)
    assert set(scores) == {"attention", "rollout", "gradient × input", "leave-one-out"}
    for s in scores.values():
        assert s.shape == (6, EXPLAIN["length"]) and bool(torch.isfinite(s).all())
    out = adversarial_rows(model, task, steps=5)
    assert out["reconstruction_error"] < 1e-5
    assert 0.0 <= out["mass_after"] <= 1.0 and 0.0 <= out["tv"] <= 1.0
    assert all(p.requires_grad for p in model.parameters())


# --- the shipped weights ----------------------------------------------------------------

def test_shipped_models_load_and_match_their_recipes():
    from attn_course.data.text import CharTokenizer, corpus_fingerprint, load_corpus
    from attn_course.experiments.language_model import load_model, shipped_models

    jobs = shipped_models()
    fingerprint = corpus_fingerprint(load_corpus())
    for key, (config, recipe) in jobs.items():
        name, _, seed = key.partition("/")
        model, rec = load_model(name, int(seed or 0))
        assert rec["config"] == config and rec["train"] == recipe, key
        assert rec["alphabet"] == CharTokenizer.ascii().alphabet
        assert rec["fingerprint"] == fingerprint  # trained on this Python's documentation
        assert len(rec["history"]) == recipe["steps"]
        assert not model.training
    with pytest.raises(ValueError, match="no shipped model"):
        load_model("mha-s", 7)
