"""The chapter 11 exercise checkers (``attn_course.exercises.ch11``), with right and wrong answers."""

from __future__ import annotations

import torch

from attn_course.exercises.ch11 import (
    check_attention_memory,
    check_pixel_attention,
    check_squeeze_excitation,
)


def se_right(x, W1, b1, W2, b2):
    s = x.mean(dim=(2, 3))
    w = torch.sigmoid(torch.relu(s @ W1.T + b1) @ W2.T + b2)
    return x * w[:, :, None, None]


def se_max_pool(x, W1, b1, W2, b2):
    s = x.amax(dim=(2, 3))
    w = torch.sigmoid(torch.relu(s @ W1.T + b1) @ W2.T + b2)
    return x * w[:, :, None, None]


def se_no_sigmoid(x, W1, b1, W2, b2):
    s = x.mean(dim=(2, 3))
    return x * (torch.relu(s @ W1.T + b1) @ W2.T + b2)[:, :, None, None]


def test_check_squeeze_excitation():
    assert check_squeeze_excitation(se_right)
    bad = check_squeeze_excitation(se_max_pool)
    assert not bad and "channel weights" in str(bad)
    bad = check_squeeze_excitation(se_no_sigmoid)
    assert not bad and "sigmoid" in str(bad)


def test_check_attention_memory():
    def right(h, w, *, batch=1, n_heads=1, bytes_per_float=4):
        return batch * n_heads * (h * w) ** 2 * bytes_per_float

    def linear(h, w, *, batch=1, n_heads=1, bytes_per_float=4):
        return batch * n_heads * h * w * bytes_per_float

    def no_heads(h, w, *, batch=1, n_heads=1, bytes_per_float=4):
        return batch * (h * w) ** 2 * bytes_per_float

    assert check_attention_memory(right)
    bad = check_attention_memory(linear)
    assert not bad and "N²" in str(bad)
    bad = check_attention_memory(no_heads)
    assert not bad and "expected" in str(bad)


def pixel_right(x, W_q, W_k, row, col):
    C, H, W = x.shape
    t = x.reshape(C, H * W).T
    s = (t @ W_q.T) @ (t @ W_k.T).T / W_q.shape[0] ** 0.5
    return torch.softmax(s, -1)[row * W + col].reshape(H, W)


def pixel_column(x, W_q, W_k, row, col):
    C, H, W = x.shape
    t = x.reshape(C, H * W).T
    s = (t @ W_q.T) @ (t @ W_k.T).T / W_q.shape[0] ** 0.5
    return torch.softmax(s, -1)[:, row * W + col].reshape(H, W)


def test_check_pixel_attention():
    assert check_pixel_attention(pixel_right)
    bad = check_pixel_attention(pixel_column)
    assert not bad and "ROW" in str(bad)
    bad = check_pixel_attention(lambda x, W_q, W_k, r, c: torch.zeros(3))
    assert not bad and "shape" in str(bad)
