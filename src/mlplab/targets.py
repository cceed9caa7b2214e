"""Targets as a model trains on them: labels and numbers checked and encoded
as an (n_samples, n_outputs) matrix.

The model's :meth:`~mlplab.Sequential.encode_targets` calls this with its
task, output size, loss and dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_array, check_numeric, to_finite_float
from .losses import Loss

__all__ = ["encode_targets"]


def encode_targets(
    y: Any,
    n: int,
    *,
    n_outputs: int,
    task: str,
    loss: Loss | None,
    dtype: np.dtype,
    name: str = "y",
) -> np.ndarray:
    """Validate labels or targets ``y`` for ``n`` samples and encode them as
    an (n, n_outputs) matrix in Fortran order (output by output, like the
    layers' activations).

    A multiclass task takes integer labels ``0..k-1`` (shape (n,) or (n, 1))
    or one-hot rows; the others take (n,) or (n, n_outputs) numbers, which
    the loss may check further (``Loss.check_targets``: 0/1 labels for binary
    cross-entropy, non-negative counts for poisson).

    >>> import numpy as np
    >>> encode_targets([2, 0], 2, n_outputs=3, task="multiclass", loss=None,
    ...                dtype=np.dtype("float64"))
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    k = n_outputs
    arr = as_array(y, name)
    if arr.dtype.kind in "UO":
        raise TypeError(
            f"{name} must hold numbers; received an array of dtype {arr.dtype}"
            ". Encode class names as integers 0..k-1"
        )
    check_numeric(arr, name)
    if arr.ndim == 0 or arr.shape[0] != n:
        raise ValueError(
            f"X has {n} samples but {name} has "
            f"{'a scalar' if arr.ndim == 0 else f'shape {arr.shape}'}; they must "
            "have the same length"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity")
    if task == "multiclass":
        return _class_targets(arr, k, name, dtype)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[1] != k:
        what = "0/1 labels" if task == "binary" else "targets"
        raise ValueError(
            f"{name} has shape {arr.shape}, but the model has {k} output unit(s): "
            f"give {what} of shape ({n},) or ({n}, {k})"
        )
    if loss is not None:
        loss.check_targets(arr, name)
    return to_finite_float(arr, name, dtype, order="F")


def _class_targets(arr: np.ndarray, k: int, name: str, dtype: np.dtype) -> np.ndarray:
    n = arr.shape[0]
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim == 1:
        # Checked before the cast to int, which is undefined for 1e300.
        ok = (arr >= 0) & (arr <= k - 1)
        if arr.dtype.kind == "f":
            ok &= arr == np.floor(arr)
        if not ok.all():
            raise ValueError(
                f"a softmax output of {k} units needs integer class labels in "
                f"0..{k - 1}; received values from {arr.min()!r} to {arr.max()!r}"
                f" (e.g. {np.unique(arr)[:5].tolist()})"
            )
        Y = np.zeros((n, k), dtype=dtype, order="F")
        Y[np.arange(n), arr.astype(np.intp)] = 1.0
        return Y
    if arr.ndim == 2 and arr.shape[1] == k:
        # Counted, not summed: a sum of entries like 1e308 overflows.
        one_hot = ((arr == 0) | (arr == 1)).all(axis=1)
        bad = ~(one_hot & (np.count_nonzero(arr, axis=1) == 1))
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(
                f"a 2-D {name} for a softmax output must be one-hot (a single 1 "
                f"per row, zeros elsewhere); row {row} is {arr[row].tolist()}"
            )
        return np.asfortranarray(arr, dtype=dtype)
    raise ValueError(
        f"{name} has shape {arr.shape}, but the model has a softmax output of {k} "
        f"units: give integer labels of shape ({n},) or one-hot labels of shape "
        f"({n}, {k})"
    )
