"""The chapter 12 exercise checkers (``attn_course.exercises.ch12``), with right and wrong answers."""

from __future__ import annotations

import torch

from attn_course.exercises.ch12 import check_attention_rollout, check_patchify


def patchify_right(x, p):
    B, C, H, W = x.shape
    x = x.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def patchify_plain_reshape(x, p):
    B, C, H, W = x.shape
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def test_check_patchify():
    assert check_patchify(patchify_right)
    bad = check_patchify(patchify_plain_reshape)
    assert not bad and "top-left" in str(bad)
    bad = check_patchify(lambda x, p: x)
    assert not bad and "shape" in str(bad)


def rollout_right(w):
    A = 0.5 * (w.mean(1) + torch.eye(w.shape[-1]))
    r = A[0]
    for layer in range(1, A.shape[0]):
        r = A[layer] @ r
    return r


def rollout_no_residual(w):
    A = w.mean(1)
    r = A[0]
    for layer in range(1, A.shape[0]):
        r = A[layer] @ r
    return r


def rollout_wrong_order(w):
    A = 0.5 * (w.mean(1) + torch.eye(w.shape[-1]))
    r = A[0]
    for layer in range(1, A.shape[0]):
        r = r @ A[layer]
    return r


def test_check_attention_rollout():
    assert check_attention_rollout(rollout_right)
    bad = check_attention_rollout(rollout_no_residual)
    assert not bad and "residual" in str(bad)
    bad = check_attention_rollout(rollout_wrong_order)
    assert not bad and "order" in str(bad)
