"""Metrics as pure functions of labels and predictions.

>>> from mlplab import metrics
>>> metrics.accuracy([0, 1, 1, 0], [0, 1, 0, 0])
0.75
>>> metrics.confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])
array([[2, 0],
       [1, 1]])
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._registry import Registry

__all__ = [
    "OutputMetric",
    "accuracy",
    "confusion_matrix",
    "get",
    "mean_absolute_error",
    "mean_squared_error",
    "names",
    "output_metric",
    "r2_score",
    "register",
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


# -- the metrics a compiled model reports ------------------------------------------
class OutputMetric:
    """A metric that ``fit`` and ``evaluate`` report, computed from encoded
    targets ``Y`` and output activations ``A`` (both (n_samples, n_outputs))
    and the model's task. Subclass it with a ``name`` and ``__call__`` and
    :func:`register` it to use it in ``compile(metrics=[...])``."""

    name: ClassVar[str] = ""

    def __call__(self, Y: np.ndarray, A: np.ndarray, task: str) -> float:
        raise NotImplementedError


class OutputAccuracy(OutputMetric):
    """Argmax against argmax for a multiclass task; ``A >= 0.5`` against ``Y
    >= 0.5`` otherwise, over every output."""

    name = "accuracy"

    def __call__(self, Y: np.ndarray, A: np.ndarray, task: str) -> float:
        if A.shape[1] > 1 and task == "multiclass":
            return float(np.mean(A.argmax(axis=1) == Y.argmax(axis=1)))
        return float(np.mean((A >= 0.5) == (Y >= 0.5)))


class OutputMSE(OutputMetric):
    """The mean squared difference over every entry."""

    name = "mse"

    def __call__(self, Y: np.ndarray, A: np.ndarray, task: str) -> float:
        diff = A - Y
        return float(np.mean(diff * diff))


class OutputMAE(OutputMetric):
    """The mean absolute difference over every entry."""

    name = "mae"

    def __call__(self, Y: np.ndarray, A: np.ndarray, task: str) -> float:
        return float(np.mean(np.abs(A - Y)))


REGISTRY: Registry[OutputMetric] = Registry(
    "metric", OutputMetric, [OutputAccuracy, OutputMSE, OutputMAE]
)


def names() -> list[str]:
    """The names ``compile(metrics=...)`` accepts."""
    return REGISTRY.names()


def register(cls: type[OutputMetric]) -> type[OutputMetric]:
    """Make your own :class:`OutputMetric` available by its ``name``; usable as
    a class decorator."""
    return REGISTRY.register(cls)


def get(identifier: Any) -> OutputMetric:
    """A model metric from its name (see :func:`names`) or an instance."""
    return REGISTRY.get(identifier)


def check_output_metric(name: Any) -> str:
    """``name`` if it is exactly a registered metric name, else a
    ``ValueError`` that lists them."""
    if not isinstance(name, str) or name not in REGISTRY.names():
        raise ValueError(f"unknown metric {name!r}. {REGISTRY.valid_names()}")
    return name


def output_metric(name: str, Y: np.ndarray, A: np.ndarray, task: str) -> float:
    """The model metric ``name`` of targets ``Y`` and outputs ``A``.

    >>> import numpy as np
    >>> Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> output_metric("accuracy", Y, np.array([[0.9, 0.1], [0.6, 0.4]]), "multiclass")
    0.5
    """
    return get(name)(Y, A, task)
