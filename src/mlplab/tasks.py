"""The three tasks a network can do, and the one function that decides which.

A model's task follows from its output activation: a softmax output
classifies into ``k`` classes (``"multiclass"``), a sigmoid output separates
two (``"binary"``, or several independent 0/1 labels), anything else
predicts numbers (``"regression"``). Before a model exists (a run
configuration without an output activation) the labels decide, and for a bare
function of the inputs (a plot of any ``f(X)``) its outputs do.

>>> from mlplab.tasks import infer_task
>>> infer_task(output_activation="softmax")
'multiclass'
>>> infer_task(labels=[0, 1, 1, 0])
'binary'
>>> infer_task(labels=[0.5, 1.25])
'regression'
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["TASKS", "infer_task"]

TASKS = ("binary", "multiclass", "regression")
_BY_ACTIVATION = {"softmax": "multiclass", "sigmoid": "binary"}


def infer_task(
    *, output_activation: str | None = None, labels: Any = None, outputs: Any = None
) -> str:
    """``"binary"``, ``"multiclass"`` or ``"regression"``, from the first of
    these that is given.

    Parameters
    ----------
    output_activation : str, optional
        The name of the output layer's activation (``"softmax:..."``-style
        specs are read up to the colon): softmax is multiclass, sigmoid is
        binary, anything else is regression.
    labels : array-like, optional
        Targets of a data set: one column of integers, booleans or strings is
        binary with at most two distinct values and multiclass with more;
        anything else (floats, several columns) is regression.
    outputs : array of shape (n_samples, n_outputs), optional
        What a model returned: several columns are multiclass; one column is
        binary when its finite values lie in [0, 1], else regression.
    """
    if output_activation is not None:
        name = output_activation.partition(":")[0]
        return _BY_ACTIVATION.get(name, "regression")
    if labels is not None:
        y = np.asarray(labels)
        if y.ndim == 1 and y.dtype.kind in "iubU":
            return "binary" if len(np.unique(y)) <= 2 else "multiclass"
        return "regression"
    if outputs is None:
        raise TypeError("infer_task needs output_activation, labels or outputs")
    out = np.asarray(outputs)
    if out.shape[1] > 1:
        return "multiclass"
    finite = out[np.isfinite(out)]
    outside_unit = finite.size > 0 and (finite.min() < 0.0 or finite.max() > 1.0)
    return "regression" if outside_unit else "binary"
