"""The chapter 15 exercise checkers (``attn_course.exercises.ch15``), with right and wrong answers."""

from __future__ import annotations

import torch


def test_cache_bytes_checker():
    from attn_course.exercises.ch15 import check_cache_bytes

    assert check_cache_bytes(lambda L, h, d, t: 2 * L * h * d * t * 4)
    bad = check_cache_bytes(lambda L, h, d, t: L * h * d * t * 4)  # forgets the values
    assert not bad and any("keys AND values" in p for p in bad.problems)


def test_kv_head_checker():
    from attn_course.exercises.ch15 import check_kv_head

    assert check_kv_head(lambda h, H, Hkv: h // (H // Hkv))
    bad = check_kv_head(lambda h, H, Hkv: h % Hkv)  # interleaved groups, not torch's
    assert not bad and any("consecutive" in p for p in bad.problems)


def test_top_k_checker():
    from attn_course.exercises.ch15 import check_top_k

    def right(logits, k, temperature):
        z = logits / temperature
        keep = z >= z.topk(k).values[-1]
        return torch.where(keep, z, torch.tensor(float("-inf"), dtype=z.dtype)).softmax(-1)

    def no_temperature(logits, k, temperature):
        return right(logits, k, 1.0)

    assert check_top_k(right)
    bad = check_top_k(no_temperature)
    assert not bad and any("temperature" in p for p in bad.problems)



def _bpe(data, n_merges, *, smallest_on_ties=True):
    from collections import Counter

    ids, merges = list(data), []
    for i in range(n_merges):
        counts = Counter(zip(ids, ids[1:]))
        if not counts:
            break
        top = max(counts.values())
        tied = [p for p, c in counts.items() if c == top]  # in order of first occurrence
        pair = min(tied) if smallest_on_ties else tied[0]
        merges.append(pair)
        out, j = [], 0
        while j < len(ids):
            if tuple(ids[j:j + 2]) == pair:
                out.append(256 + i)
                j += 2
            else:
                out.append(ids[j])
                j += 1
        ids = out
    return merges


def test_bpe_merges_checker():
    from attn_course.exercises.ch15 import check_bpe_merges

    assert check_bpe_merges(_bpe)
    bad = check_bpe_merges(lambda d, n: _bpe(d, n, smallest_on_ties=False))  # first seen
    assert not bad and any("ties to the smallest" in p for p in bad.problems)
