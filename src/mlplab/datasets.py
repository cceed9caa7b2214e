"""Seeded synthetic data sets.

>>> from mlplab import datasets
>>> X, y = datasets.make_moons(200, noise=0.2, seed=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((200, 2), (200,), [0, 1])
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive, check_range

__all__ = ["make_moons"]


def make_moons(
    n_samples: int = 500, noise: float = 0.2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the classic set a linear model cannot
    separate.

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible between the classes.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int, optional

    Returns
    -------
    X : array of shape (n_samples, 2)
    y : int array of shape (n_samples,), labels 0 (upper moon) and 1 (lower moon)
    """
    n = check_positive("n_samples", n_samples, integer=True)
    noise = check_range("noise", noise, 0.0, np.inf, high_inclusive=False)
    rng = np.random.default_rng(seed)
    n_upper = n // 2 + n % 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower])
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    order = rng.permutation(n)
    X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y
