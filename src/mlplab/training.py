"""The training loop behind ``Sequential.fit``: batching, shuffling,
validation, callbacks and the divergence guard.

Full-batch (``batch_size=None``), stochastic (``batch_size=1``) and mini-batch
gradient descent are the same loop with different batch sizes. The samples are
reshuffled every epoch by drawing a permutation; each batch is then gathered
into buffers reused all through training, so memory holds the data once plus
one batch, never a shuffled copy of the whole data set.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import check_range, check_sample_weight
from .callbacks import Callback, CallbackList, History, ProgressBar
from .exceptions import DivergenceError

if TYPE_CHECKING:
    from .model import Sequential


_SMALL_FULL_BATCH = 256 * 1024  # bytes


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; received {name}={value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}; received {name}={value!r}")
    return int(value)


class _EpochLog(Callback):
    """Prints one line per epoch (``verbose=2``)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        total = self.params.get("epochs")
        values = " - ".join(f"{k}: {v:.4g}" for k, v in (logs or {}).items())
        print(f"Epoch {epoch + 1}/{total} - {values}", file=sys.stderr)


def fit(
    model: Sequential,
    X: Any,
    y: Any,
    *,
    epochs: int = 1,
    batch_size: int | None = None,
    shuffle: bool = True,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    callbacks: Sequence[Callback] | None = None,
    verbose: int = 0,
    seed: int | None = None,
    sample_weight: Any = None,
) -> History:
    """Train ``model``; see :meth:`mlplab.Sequential.fit`."""
    model._require_compiled("fit")
    epochs = _check_int("epochs", epochs, 1)
    if batch_size is not None:
        batch_size = _check_int("batch_size", batch_size, 1)
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2; received verbose={verbose!r}")
    if seed is not None:
        seed = _check_int("seed", seed, 0)
    validation_split = check_range(
        "validation_split", validation_split, 0.0, 1.0, high_inclusive=False
    )
    if validation_split and validation_data is not None:
        raise ValueError("give validation_data or validation_split, not both")

    Xa = model._inputs(X)
    Y = model._targets(y, Xa.shape[0])
    sw = None
    if sample_weight is not None:
        sw = check_sample_weight(sample_weight, Xa.shape[0], model.dtype)
    X_val = Y_val = None
    if validation_split:
        n_val = int(Xa.shape[0] * validation_split)
        if n_val < 1 or n_val >= Xa.shape[0]:
            raise ValueError(
                f"validation_split={validation_split} of {Xa.shape[0]} samples leaves "
                f"{n_val} for validation and {Xa.shape[0] - n_val} for training; "
                "both need at least one"
            )
        Xa, X_val = Xa[:-n_val], Xa[-n_val:]
        Y, Y_val = np.asfortranarray(Y[:-n_val]), np.asfortranarray(Y[-n_val:])
        if sw is not None:
            sw = sw[:-n_val]
            if not sw.any():
                raise ValueError(
                    "sample_weight is zero on every sample left for training"
                )
    elif validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val); received "
                f"{type(validation_data).__name__}"
            )
        X_val = model._inputs(validation_data[0], "X_val")
        Y_val = model._targets(validation_data[1], X_val.shape[0], "y_val")

    n = Xa.shape[0]
    bs = n if batch_size is None else min(batch_size, n)
    if bs == n and Xa.nbytes <= _SMALL_FULL_BATCH:
        # A small full batch is used as is every step: store it features x
        # samples once (a (n, d) view of a C-contiguous (d, n) copy), which
        # makes its two products per step cheaper. Larger data is never copied.
        Xa = np.ascontiguousarray(Xa.T).T
    rng = np.random.default_rng(seed) if seed is not None else model.train_rng
    for layer in model.layers:
        layer.rng = rng

    history = History()
    model.history = history
    # The user's callbacks first, so that History and the progress display see
    # what they add to the logs (e.g. LearningRateScheduler's learning_rate).
    cb_list: list[Callback] = [*(callbacks or []), history]
    bar = ProgressBar() if verbose == 1 else None
    if bar is not None:
        cb_list.append(bar)
    elif verbose == 2:
        cb_list.append(_EpochLog())
    params = {"epochs": epochs, "batch_size": bs, "samples": n, "steps": -(-n // bs)}
    cbs = CallbackList(cb_list, model, params)

    model.stop_training = False
    cbs.call("on_train_begin", {})
    try:
        # A diverging run overflows; the loss check reports that as one
        # DivergenceError instead of a stream of RuntimeWarnings.
        with np.errstate(over="ignore", invalid="ignore"):
            _epochs(model, cbs, Xa, Y, X_val, Y_val, epochs, bs, shuffle, rng, sw)
    finally:
        if bar is not None:
            bar.on_train_end()  # close the bar even when training raised
    cbs.call("on_train_end", {})
    return history


def _epochs(
    model: Sequential,
    cbs: CallbackList,
    Xa: np.ndarray,
    Y: np.ndarray,
    X_val: np.ndarray | None,
    Y_val: np.ndarray | None,
    epochs: int,
    bs: int,
    shuffle: bool,
    rng: np.random.Generator,
    sw: np.ndarray | None = None,
) -> None:
    n = Xa.shape[0]
    batch_hooks = cbs.has("on_train_batch_begin") or cbs.has("on_train_batch_end")
    epoch_begin = cbs.has("on_epoch_begin")
    metrics = model.metrics
    step = model._step
    gather = shuffle and bs < n
    YT = Y.T  # (n_outputs, n) C-contiguous: gathering columns of it is cheap
    bufs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    starts = range(0, n, bs)
    full = bs == n
    order = idx = None
    swb = None
    if sw is not None and full:
        swb = _batch_weights(sw)
    for epoch in range(epochs):
        if epoch_begin:
            cbs.call("on_epoch_begin", epoch, {})
        if gather:
            order = idx = None  # let last epoch's permutation go before the next
            order = rng.permutation(n)
        total = 0.0
        sums = dict.fromkeys(metrics, 0.0)
        for b, start in enumerate(starts):
            if full:
                Xb, Yb = Xa, Y
            elif order is None:
                Xb, Yb = Xa[start : start + bs], Y[start : start + bs]
                if sw is not None:
                    swb = _batch_weights(sw[start : start + bs])
            else:
                idx = order[start : start + bs]
                m = idx.shape[0]
                if m not in bufs:  # the batch size, and a smaller last batch
                    bufs[m] = (
                        np.empty((m, Xa.shape[1]), dtype=Xa.dtype),
                        np.empty((Y.shape[1], m), dtype=Y.dtype),
                    )
                Xbuf, YTbuf = bufs[m]
                # mode="clip" skips the copy that "raise" makes of `out`; the
                # indices are a permutation, always in range.
                Xb = np.take(Xa, idx, axis=0, out=Xbuf, mode="clip")
                Yb = np.take(YT, idx, axis=1, out=YTbuf, mode="clip").T
                if sw is not None:
                    swb = _batch_weights(sw[idx])
            if batch_hooks:
                cbs.call("on_train_batch_begin", b, {"size": Xb.shape[0]})
            try:
                loss, A = step(Xb, Yb, swb)
            except DivergenceError as err:
                raise DivergenceError(err.loss, epoch, err.learning_rate) from None
            m = Xb.shape[0]
            total += loss * m
            for name in metrics:
                sums[name] += model._metric(name, Yb, A) * m
            if batch_hooks:
                cbs.call("on_train_batch_end", b, {"loss": loss, "size": m})
        logs = {"loss": total / n}
        for name in metrics:
            logs[name] = sums[name] / n
        if X_val is not None:
            assert Y_val is not None
            for key, value in model._evaluate_arrays(X_val, Y_val).items():
                logs["val_" + key] = value
            if not math.isfinite(logs["val_loss"]):
                raise DivergenceError(logs["val_loss"], epoch, _lr(model))
        cbs.call("on_epoch_end", epoch, logs)
        if model.stop_training:
            break
    # Each loss is checked before its update; the very last update is checked
    # here, once, on the weights themselves.
    if not np.isfinite(model._flat_params).all():
        model._diverged()
        raise DivergenceError(float("nan"), epoch, _lr(model))


def _batch_weights(w: np.ndarray) -> np.ndarray:
    """A batch's sample weights scaled to mean 1 (all zero stays zero: the
    batch then moves only the regularization).

    The weights are first divided by their largest, so that neither the sum
    (weights near the float maximum) nor ``m / sum`` (a batch of subnormal
    weights) can overflow.
    """
    top = w.max()
    if not top > 0:
        return w
    s = w / top  # in [0, 1], the largest exactly 1: the sum lies in [1, m]
    return s * (w.shape[0] / s.sum())


def _lr(model: Sequential) -> float | None:
    opt = model.optimizer
    return None if opt is None else opt.current_learning_rate()
