"""Metrics as pure functions of labels and predictions.

>>> from mlplab import metrics
>>> metrics.accuracy([0, 1, 1, 0], [0, 1, 0, 0])
0.75
>>> metrics.confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])
array([[2, 0],
       [1, 1]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "accuracy",
    "confusion_matrix",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_score",
]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; received {t.shape} and "
            f"{p.shape}"
        )
    if t.size == 0:
        raise ValueError("y_true and y_pred are empty")
    return t, p


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted exactly."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(t == p))


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """``mean((y_pred - y_true)**2)`` over all entries."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean((p - t) ** 2))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """``mean(|y_pred - y_true|)`` over all entries."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(p - t)))


def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination, ``1 - SS_res / SS_tot`` (averaged over
    outputs)."""
    t, p = _pair(y_true, y_pred)
    t2 = t.reshape(t.shape[0], -1).astype(float)
    p2 = p.reshape(p.shape[0], -1).astype(float)
    ss_res = ((t2 - p2) ** 2).sum(axis=0)
    ss_tot = ((t2 - t2.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(
            ss_tot > 0,
            1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
            np.where(ss_res > 0, 0.0, 1.0),
        )
    return float(r2.mean())


def confusion_matrix(
    y_true: Any, y_pred: Any, n_classes: int | None = None
) -> np.ndarray:
    """``C[i, j]`` counts samples of true class ``i`` predicted as ``j``; classes
    are the integers ``0 .. n_classes - 1``."""
    t, p = _pair(y_true, y_pred)
    t, p = t.astype(np.int64).ravel(), p.astype(np.int64).ravel()
    if (t < 0).any() or (p < 0).any():
        raise ValueError("class labels must be non-negative integers")
    k = n_classes if n_classes is not None else int(max(t.max(), p.max())) + 1
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (t, p), 1)
    return C
