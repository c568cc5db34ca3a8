"""Key–value stores and regression data for chapter 2 (attention as soft retrieval).

Both are small, seeded NumPy arrays: a store of 2-D keys whose values vary smoothly
with the key (the retrieval playground), and noisy samples of a 1-D curve for
Nadaraya–Watson kernel regression (:func:`attn_course.core.retrieval.nadaraya_watson`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["make_key_value_store", "make_regression_data", "true_function"]


def make_key_value_store(
    n_keys: int = 8, *, seed: int = 0, spread: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """A small store of 2-D keys and scalar values for the playground.

    Values are a smooth function of the key (``v = k_x + 0.5·k_y``) so that nearby keys
    hold nearby values and interpolating between them makes sense.

    Returns:
        ``keys (n_keys, 2)`` and ``values (n_keys,)``, float64, deterministic in ``seed``.
    """
    rng = np.random.default_rng(seed)
    keys = rng.uniform(-spread, spread, size=(n_keys, 2))
    values = keys[:, 0] + 0.5 * keys[:, 1]
    return keys, values


def make_regression_data(
    n: int = 50, *, seed: int = 0, noise: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of ``f(x) = 2 sin(x) + x^0.8`` on ``[0, 5]`` for kernel regression.

    Returns:
        ``x (n,)`` sorted and ``y (n,)``, deterministic in ``seed``.
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 5, size=n))
    return x, true_function(x) + rng.normal(0, noise, size=n)


def true_function(x: np.ndarray) -> np.ndarray:
    """The noiseless curve behind :func:`make_regression_data`."""
    return 2 * np.sin(x) + x**0.8
