"""Tests of ``attn_course.models.gpt_decode``: the lean decoding path gives the modules' tokens
and logits, with and without the cache, for MHA, GQA and MQA and every GPT option it covers."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from attn_course.data.text import CharTokenizer, load_corpus
from attn_course.experiments.language_model import load_model
from attn_course.models.gpt import GPT
from attn_course.models.gpt_decode import _NATIVE_GELU_MAX, DecodePlan, _gelu, plan_supports

OPTIONS = {"default": {}, "attention-only": {"d_ff": 0}, "untied": {"tie_embeddings": False}}


def _model(n_kv_heads=None, seed=0, **kw):
    torch.manual_seed(seed)
    model = GPT(13, d_model=32, n_heads=4, n_layers=3, max_len=48, n_kv_heads=n_kv_heads,
                **kw).eval()
    with torch.no_grad():  # larger weights than the init, and non-zero biases and shifts
        for p in model.parameters():
            p.mul_(8.0) if p.dim() > 1 else p.add_(0.1 * torch.randn_like(p))
    return model


def _four_ways(model, prompt, n_new, **kw):
    """Tokens of the lean and the module path, each with and without the cache."""
    out = {}
    for lean in (True, False):
        for use_cache in (True, False):
            g = torch.Generator().manual_seed(11)
            out[lean, use_cache] = model.generate(prompt, n_new, use_cache=use_cache, lean=lean,
                                                  generator=g, **kw)
    return out


@pytest.mark.parametrize("name", ["main", "mha-s", "gqa-s", "mqa-s"])
def test_greedy_tokens_of_the_trained_models_are_those_of_the_modules(name):
    m, _ = load_model(name, 1)
    ids = CharTokenizer.ascii().encode(load_corpus().val[:400])
    prompt = torch.stack([ids[:16], ids[200:216]])  # (2, 16): two prompts in one batch
    runs = _four_ways(m, prompt, m.max_len - 16)
    reference = runs[False, False]
    assert reference.shape == (2, m.max_len) and torch.equal(reference[:, :16], prompt)
    assert min(len(set(row[16:].tolist())) for row in reference) > 5  # not one repeated token
    for key, tokens in runs.items():
        assert torch.equal(tokens, reference), key


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("n_kv_heads", [None, 2, 1])
def test_greedy_tokens_are_those_of_the_modules_for_every_option(n_kv_heads, option):
    m = _model(n_kv_heads, **OPTIONS[option])
    prompt = torch.randint(13, (3, 5), generator=torch.Generator().manual_seed(2))
    runs = _four_ways(m, prompt, 40)  # (greedy on a random model soon repeats one token)
    for key, tokens in runs.items():
        assert torch.equal(tokens, runs[False, False]), key


@pytest.mark.parametrize("sampling", [dict(temperature=1.0), dict(temperature=0.8, top_k=4),
                                      dict(temperature=1.2, top_p=0.9)])
@pytest.mark.parametrize("n_kv_heads", [None, 2, 1])
def test_sampled_tokens_with_a_seeded_generator_are_those_of_the_modules(n_kv_heads, sampling):
    m = _model(n_kv_heads)
    prompt = torch.randint(13, (2, 4), generator=torch.Generator().manual_seed(3))
    runs = _four_ways(m, prompt, 40, **sampling)
    reference = runs[False, True]
    assert len(set(reference[0, 4:].tolist())) > 3
    for key, tokens in runs.items():
        assert torch.equal(tokens, reference), key


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("n_kv_heads", [None, 2, 1])
def test_plan_logits_equal_the_modules(n_kv_heads, option):
    m = _model(n_kv_heads, **OPTIONS[option])
    idx = torch.randint(13, (2, 30), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        full = m(idx)  # (2, 30, 13)
        plan = DecodePlan(m, 30)
        tol = dict(atol=1e-5, rtol=1e-5)
        # no cache: the whole prefix, last position only
        for t in (1, 7, 30):
            torch.testing.assert_close(plan.logits(idx[:, :t]), full[:, t - 1], **tol)
        # a cache: a prompt, then several tokens at once (bottom-right mask), then one by one
        cache = m.new_cache(2, capacity=30)
        torch.testing.assert_close(plan.logits(idx[:, :9], cache), full[:, 8], **tol)
        torch.testing.assert_close(plan.logits(idx[:, 9:14], cache), full[:, 13], **tol)
        for t in range(14, 30):
            torch.testing.assert_close(plan.logits(idx[:, t:t + 1], cache), full[:, t], **tol)
        assert cache.length == cache.offset == 30
        # and its cache holds what the modules' cache holds
        ref = m.new_cache(2, capacity=30)
        m(idx, cache=ref)
        torch.testing.assert_close(cache.k, ref.k, **tol)
        torch.testing.assert_close(cache.v, ref.v, **tol)


def test_lean_generation_calls_no_module_and_the_plain_one_does():
    m = _model(2)
    calls = []
    for block in m.blocks:
        block.register_forward_hook(lambda *a: calls.append(1))
    prompt = torch.zeros(1, 3, dtype=torch.long)
    m.generate(prompt, 10)
    m.generate(prompt, 10, use_cache=False)
    assert calls == []
    m.generate(prompt, 10, lean=False)
    assert len(calls) == 10 * m.n_layers  # the prompt, then 9 steps, per block


def test_a_parameter_change_between_calls_reaches_the_lean_path():
    m = _model()
    prompt = torch.randint(13, (2, 4), generator=torch.Generator().manual_seed(5))
    before = m.generate(prompt, 20)
    with torch.no_grad():
        m.blocks[0].attn.W_k.weight.mul_(-1.0)  # in place: the fused [W_q; W_k; W_v] is stale
    after = m.generate(prompt, 20)
    assert not torch.equal(before, after)
    assert torch.equal(after, m.generate(prompt, 20, lean=False))


def test_what_the_plan_does_not_cover_falls_back_to_the_modules():
    sink = _model(sink_logit=True)
    assert not plan_supports(sink)
    with pytest.raises(ValueError, match="sink logits"):
        DecodePlan(sink, 10)
    prompt = torch.zeros(1, 3, dtype=torch.long)
    assert torch.equal(sink.generate(prompt, 12), sink.generate(prompt, 12, lean=False))
    m = _model()
    assert plan_supports(m)
    m.train()
    assert not plan_supports(m)
    out = m.generate(prompt, 5)  # generate switches to eval itself, and back
    assert m.training and out.shape == (1, 8)


@pytest.mark.parametrize("rows", [1, 16, _NATIVE_GELU_MAX // 256, _NATIVE_GELU_MAX // 256 + 1, 256])
def test_gelu_of_either_kernel_is_torchs_exact_gelu(rows):
    x = 4 * torch.randn(rows, 256, generator=torch.Generator().manual_seed(rows))
    # ATen's and oneDNN's kernels differ in the last bits only
    torch.testing.assert_close(_gelu(x), F.gelu(x), rtol=1e-6, atol=2e-6)


@pytest.mark.parametrize("before", [True, False])
def test_gelu_leaves_the_onednn_flag_as_it_found_it(before):
    mkldnn = torch.backends.mkldnn
    saved = mkldnn.enabled
    try:
        mkldnn.enabled = before
        _gelu(torch.randn(1, 256))
        assert mkldnn.enabled is before
        with pytest.raises(RuntimeError):  # GELU of integers: the flag is restored anyway
            _gelu(torch.ones(1, 256, dtype=torch.int64))
        assert mkldnn.enabled is before
    finally:
        mkldnn.enabled = saved
