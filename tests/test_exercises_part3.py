"""Each chapter 11–12 checker passes a right solution and fails a wrong one, helpfully."""

import torch

from attn_course.exercises.ch11 import (
    check_attention_memory,
    check_pixel_attention,
    check_squeeze_excitation,
)
from attn_course.exercises.ch12 import check_attention_rollout, check_patchify


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
