"""Cluttered scenes for chapter 1: one digit on a large dark canvas, and how to look at it.

A *scene* is a large dark canvas ``(size, size)`` with one handwritten 8×8 digit
(:func:`attn_course.data.digits.load_digit_images`, nothing downloads) pasted at a random
place and sparse bright clutter elsewhere. A *glimpse* is an 8×8 window — 64 pixels,
under 1% of a 96×96 scene: :func:`crop` cuts windows out, :func:`uniform_pool` averages
the whole scene down to 8×8 instead. Which window to look at is chapter 1's experiment
(:mod:`attn_course.experiments.intuition`).

Shapes: scenes ``(n, size, size)``, digits ``(n, 8, 8)``, positions ``(n, 2)`` (row, col
of a window's top-left corner), labels ``(n,)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GLIMPSE", "Scenes", "crop", "make_scenes", "uniform_pool"]

GLIMPSE = 8  # side of a glimpse window, the size of one digit


@dataclass(frozen=True)
class Scenes:
    """Scenes ``(n, size, size)``, the digit's ink alone ``(n, size, size)``, labels, positions."""

    scenes: np.ndarray
    ink: np.ndarray
    labels: np.ndarray
    positions: np.ndarray


def make_scenes(
    digits: np.ndarray, labels: np.ndarray, *, size: int = 96, clutter: float = 0.03, seed: int = 0
) -> Scenes:
    """Paste each digit ``(n, 8, 8)`` at a random place of a ``size × size`` scene with clutter.

    About a fraction ``clutter`` of the pixels (``clutter · size²`` random places per scene)
    get a random brightness in ``[0.3, 1]``; the digit is drawn over them. Arrays are
    float32. Deterministic under ``seed``.
    """
    digits = np.asarray(digits, dtype=np.float64)
    if digits.ndim != 3 or digits.shape[1:] != (GLIMPSE, GLIMPSE):
        raise ValueError(f"digits must have shape (n, {GLIMPSE}, {GLIMPSE}), got {digits.shape}")
    if size < GLIMPSE:
        raise ValueError(f"size must be at least {GLIMPSE}, got {size}")
    rng = np.random.default_rng(seed)
    n = digits.shape[0]
    n_specks = int(round(clutter * size * size))
    noise = np.zeros((n, size * size), dtype=np.float32)
    where = rng.integers(0, size * size, size=(n, n_specks))  # (n, n_specks) flat pixel indices
    noise[np.arange(n)[:, None], where] = rng.uniform(0.3, 1.0, size=(n, n_specks))
    noise = noise.reshape(n, size, size)  # (n, size, size)
    pos = rng.integers(0, size - GLIMPSE + 1, size=(n, 2))  # (n, 2)
    ink = np.zeros((n, size, size), dtype=np.float32)
    rows = pos[:, 0, None, None] + np.arange(GLIMPSE)[None, :, None]  # (n, 8, 1)
    cols = pos[:, 1, None, None] + np.arange(GLIMPSE)[None, None, :]  # (n, 1, 8)
    ink[np.arange(n)[:, None, None], rows, cols] = digits
    scenes = np.maximum(noise, ink)
    return Scenes(scenes, ink, np.asarray(labels), pos)


def crop(scenes: np.ndarray, positions: np.ndarray, window: int = GLIMPSE) -> np.ndarray:
    """The windows ``(n, window, window)`` at ``positions`` ``(n, 2)``."""
    n = scenes.shape[0]
    rows = positions[:, 0, None, None] + np.arange(window)[None, :, None]  # (n, w, 1)
    cols = positions[:, 1, None, None] + np.arange(window)[None, None, :]  # (n, 1, w)
    return scenes[np.arange(n)[:, None, None], rows, cols]


def uniform_pool(scenes: np.ndarray, out: int = GLIMPSE) -> np.ndarray:
    """Average ``(n, size, size)`` down to ``(n, out, out)`` (``size`` divisible by ``out``)."""
    n, h, w = scenes.shape
    if h % out or w % out:
        raise ValueError(f"scene size {h}×{w} must be divisible by out={out}")
    return scenes.reshape(n, out, h // out, out, w // out).mean((2, 4))  # (n, out, out)
