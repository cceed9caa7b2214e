"""The training loop: :class:`Trainer` owns it; the model offers the step.

``Sequential.fit`` is ``Trainer(model, X, y, ...).fit(epochs)``. A trainer can
also be driven epoch by epoch -- ``run(epochs)`` trains that many more epochs
and can be called again, with nothing lost in between -- which is how a live
view (a server drawing each epoch, say) trains, pausing between calls::

    trainer = Trainer(model, X, y, batch_size=32)
    while keep_going():
        trainer.run(1)          # one more epoch; trainer.epoch counts them
        draw(model, trainer.history)
    trainer.finish()            # callbacks' on_train_end

Training is the same loop for every batch size: full-batch gradient descent
(``batch_size=None``, one step per epoch), stochastic (``batch_size=1``) and
mini-batch (``batch_size=k``). The samples are reshuffled every epoch by
drawing a permutation; each batch is then gathered into buffers reused all
through training, so memory holds the data once plus one batch, never a
shuffled copy of the whole data set. A scipy.sparse ``X`` (CSR once
checked) stays sparse: each batch is a CSR matrix of its rows. Each batch is
one call of
:meth:`mlplab.Sequential.step` (forward, loss, backward, optimizer update);
the loop adds the batching, the metrics, validation, callbacks and the
divergence guard. With the compiled engine (``engine="numba"``) the loop hands
whole epochs to one kernel call instead, the same steps with the same bits
(see :mod:`mlplab.engine`): up to :data:`COMPILED_PIECE` of work per call when
every callback only reads the logs (``Callback.reads_logs_only``), one epoch
per call otherwise, and step by step with batch hooks, ``on_epoch_begin``, a
metric other than ``accuracy``, ``mse``, ``mae``, sparse input or sample
weights on mini-batches.

>>> import mlplab as ml
>>> X, y = ml.datasets.make_moons(100, seed=0)
>>> model = ml.Sequential([ml.Dense(4, activation="tanh"),
...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
>>> model.compile("binary_crossentropy", ml.SGD(0.5))
>>> trainer = Trainer(model, X, y)
>>> _ = trainer.run(3)
>>> _ = trainer.run(2)
>>> trainer.epoch, len(trainer.history.history["loss"])
(5, 5)

A model compiled with :class:`mlplab.optimizers.LBFGS` trains on another
path, kept apart below: ``run(epochs)`` is one SciPy L-BFGS-B minimization of
the full-batch loss with ``maxiter=epochs``, and each L-BFGS iteration is one
epoch. Its logs hold the loss at the new weights (not a mean over the epoch)
and the metrics of those weights; ``on_epoch_begin`` comes before the
iteration's first evaluation of the loss, ``on_epoch_end`` after it, each
evaluation is one "batch" for the batch hooks, and a callback that sets
``model.stop_training`` ends the minimization. Every ``run`` starts a fresh
minimization, so the curvature memory is not carried from one call to the
next (``run(10)`` twice is not ``run(20)``). ``trainer.lbfgs_result`` is
SciPy's result of the last ``run`` (``nit``, ``nfev``, ``fun``, ``status``,
``message``).

BLAS threads: the NumPy engine's products are BLAS calls, and for products as
small as a tutorial network's, BLAS threads bring nothing and can cost (measured
on 2 cores: the same speed when the machine is otherwise idle; while other work
kept both cores busy, 2-5-1 on 500 points trained 1.75x slower with OpenBLAS's
two threads than with one, 64-64-10 on batches of 32 1.2x). So while ``run``
trains with the NumPy engine, BLAS is OpenBLAS, and every matrix product of a
step has fewer multiply-adds than :data:`BLAS_ONE_THREAD_BELOW` (OpenBLAS's own
threshold below which it computes a product on one thread anyway), OpenBLAS is
limited to one thread (threadpoolctl) and given back its threads after. Below that
size the products are computed exactly as before, so no result changes. Set
``BLAS_ONE_THREAD_BELOW = 0`` (or pass ``Trainer(..., limit_blas=False)``) to
leave BLAS alone. ``limit_blas=True`` limits every BLAS library whatever the
size: for large products that can change the last bits (OpenBLAS splits some
of them differently over two threads), which is why it is not the default
there.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import metrics as metrics_
from ._validation import check_int, check_range, check_sample_weight
from .callbacks import Callback, CallbackList, History, ProgressBar
from .exceptions import DivergenceError
from .layers import Dropout
from .optimizers import LBFGS

if TYPE_CHECKING:
    from .engine import EpochFeed
    from .model import Sequential

__all__ = [
    "BLAS_ONE_THREAD_BELOW",
    "COMPILED_PIECE",
    "Trainer",
    "check_epochs",
    "check_lbfgs",
]

_SMALL_FULL_BATCH = 256 * 1024  # bytes
#: While the NumPy engine trains, BLAS runs on one thread when the largest
#: matrix product of a step (batch x inputs x units of a Dense layer) has fewer
#: multiply-adds than this, OpenBLAS's own one-thread threshold (65536 x 4);
#: 0 turns the rule off (see the module notes).
BLAS_ONE_THREAD_BELOW = 262_144
#: The compiled engine runs this many (samples x weights) of work, at most, in
#: one call of its epoch kernel when every callback only reads the logs: about
#: a few milliseconds, so that Ctrl-C, a progress bar and a sweep's stop are
#: answered at once.
COMPILED_PIECE = 1 << 23
# the metric classes the epoch kernel computes: the name of their code in
# mlplab._numba_kernels (None: accuracy, whose code depends on the task)
_KERNEL_METRICS: dict[type, str | None] = {
    metrics_.OutputAccuracy: None,
    metrics_.OutputMSE: "M_MSE",
    metrics_.OutputMAE: "M_MAE",
}
_blas_controller: list[Any] = []  # threadpoolctl's controller, made on first use


def _largest_product(model: Sequential, batch_size: int) -> int:
    """The multiply-adds of the largest Dense product of one training step."""
    largest = 0
    for layer in model.layers:
        units, n_in = getattr(layer, "units", None), getattr(layer, "input_dim", None)
        if isinstance(units, int) and isinstance(n_in, int):
            largest = max(largest, batch_size * n_in * units)
    return largest


def _blas_limit(model: Sequential, batch_size: int, limit: bool | None) -> Any:
    """A context that limits BLAS to one thread, or ``contextlib.nullcontext``
    (``limit`` None: the size rule of :data:`BLAS_ONE_THREAD_BELOW`, for the
    NumPy engine only)."""
    if limit is None and (
        getattr(model, "engine", "numpy") != "numpy"
        or _largest_product(model, batch_size) >= BLAS_ONE_THREAD_BELOW
    ):
        limit = False
    if limit is False:
        return contextlib.nullcontext()
    from threadpoolctl import ThreadpoolController

    if limit:  # every BLAS loaded now (finding them takes about a millisecond)
        return ThreadpoolController().limit(limits=1, user_api="blas")
    # The size rule: the OpenBLAS libraries loaded when it first applied
    # (NumPy's among them), found once.
    if not _blas_controller:
        _blas_controller.append(ThreadpoolController())
    return _blas_controller[0].select(internal_api="openblas").limit(limits=1)


def check_epochs(epochs: Any) -> int:
    """A number of epochs: an integer >= 1."""
    return check_int("epochs", epochs, low=1)


class _EpochLog(Callback):
    """Prints one line per epoch (``verbose=2``)."""

    reads_logs_only = True

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        total = self.params.get("epochs")
        values = " - ".join(f"{k}: {v:.4g}" for k, v in (logs or {}).items())
        print(f"Epoch {epoch + 1}/{total} - {values}", file=sys.stderr)


class Trainer:
    """Trains a compiled model on one data set, epoch by epoch.

    The arguments are checked, the data validated and encoded, and the
    validation split made once, here; :meth:`run` then trains. Parameters are
    those of :meth:`mlplab.Sequential.fit`, plus:

    Parameters
    ----------
    epochs : int, optional
        The planned number of epochs, shown by progress displays (``verbose``
        and callbacks' ``params["epochs"]``); it does not limit :meth:`run`.
    limit_blas : bool, optional
        Run BLAS on one thread while training: None (default) OpenBLAS when
        the products are small (:data:`BLAS_ONE_THREAD_BELOW`, NumPy engine
        only; no result changes), True always (large products may then
        change in their last bits), False never.

    Attributes
    ----------
    model : Sequential
    history : History
        One value per epoch of every ``run`` so far (also ``model.history``).
    epoch : int
        Epochs trained so far.
    """

    def __init__(
        self,
        model: Sequential,
        X: Any,
        y: Any,
        *,
        batch_size: int | None = None,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        callbacks: Sequence[Callback] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        sample_weight: Any = None,
        epochs: int | None = None,
        limit_blas: bool | None = None,
    ) -> None:
        model.require_compiled("fit")
        if limit_blas is not None and not isinstance(limit_blas, bool):
            raise TypeError(
                f"limit_blas must be None, True or False; received {limit_blas!r}"
            )
        self._limit_blas = limit_blas
        if batch_size is not None:
            batch_size = check_int("batch_size", batch_size, low=1)
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1 or 2; received verbose={verbose!r}")
        if seed is not None:
            seed = check_int("seed", seed, low=0)
        validation_split = check_range(
            "validation_split", validation_split, 0.0, 1.0, high_inclusive=False
        )
        if validation_split and validation_data is not None:
            raise ValueError("give validation_data or validation_split, not both")
        self.model = model
        data = _prepare_data(
            model, X, y, sample_weight, validation_data, validation_split
        )
        self._X, self._Y, self._sw, self._X_val, self._Y_val = data
        n = self._X.shape[0]
        self._bs = bs = n if batch_size is None else min(batch_size, n)
        dense = isinstance(self._X, np.ndarray)  # else a scipy.sparse CSR matrix
        if dense and bs == n and self._X.nbytes <= _SMALL_FULL_BATCH:
            # A small full batch is used as is every step: store it features x
            # samples once (a (n, d) view of a C-contiguous (d, n) copy), which
            # makes its two products per step cheaper. Larger data is never copied.
            self._X = np.ascontiguousarray(self._X.T).T
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed) if seed is not None else model.train_rng
        for layer in model.layers:
            layer.rng = self._rng
        self._dense = dense
        self._batch_buffers: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
        # full-batch sample weights scaled once, for every epoch
        self._full_sw = (
            _batch_weights(self._sw) if self._sw is not None and bs == n else None
        )
        self.epoch = 0
        self._begun = False
        self._feed: EpochFeed | None = None
        self._piece = 1
        if isinstance(model.optimizer, LBFGS):
            check_lbfgs(model, batch_size, n)
        self._start_callbacks(callbacks, verbose, epochs)

    # -- set-up ------------------------------------------------------------------
    def _start_callbacks(
        self, callbacks: Sequence[Callback] | None, verbose: int, epochs: int | None
    ) -> None:
        model = self.model
        self.history = History()
        model.history = self.history
        # The user's callbacks first, so that History and the progress display
        # see what they add to the logs (e.g. LearningRateScheduler's rate).
        cb_list: list[Callback] = [*(callbacks or []), self.history]
        self._bar = ProgressBar() if verbose == 1 else None
        if self._bar is not None:
            cb_list.append(self._bar)
        elif verbose == 2:
            cb_list.append(_EpochLog())
        n, bs = self._X.shape[0], self._bs
        params = {
            "epochs": epochs,
            "batch_size": bs,
            "samples": n,
            "steps": -(-n // bs),
        }
        self._callbacks = CallbackList(cb_list, model, params)

    # -- training ----------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        """Whether a callback ended training (``model.stop_training``); ``run``
        then trains no more."""
        return self.model.stop_training

    def run(self, epochs: int) -> History:
        """Train ``epochs`` more epochs (fewer if a callback stops training).

        The first call starts the callbacks (``on_train_begin``); call
        :meth:`finish` when done. Returns :attr:`history`.

        Raises
        ------
        DivergenceError
            If the loss becomes NaN or infinite; the model keeps the last
            weights that gave a finite loss.
        """
        epochs = check_epochs(epochs)
        if not self._begun:
            self.model.stop_training = False
            self._callbacks.call("on_train_begin", {})
            self._begun = True
        if self.model.stop_training:
            return self.history
        opt = self.model.optimizer
        # A diverging run overflows; the loss check reports that as one
        # DivergenceError instead of a stream of RuntimeWarnings.
        blas = _blas_limit(self.model, self._bs, self._limit_blas)
        with np.errstate(over="ignore", invalid="ignore"), blas:
            if isinstance(opt, LBFGS):
                self._lbfgs_epochs(opt, epochs)
            else:
                self._epochs(epochs)
        return self.history

    def finish(self) -> History:
        """End training: the callbacks' ``on_train_end`` (EarlyStopping restores
        the best weights, a checkpoint saves the last epoch, a progress bar
        closes). Returns :attr:`history`."""
        self._callbacks.call("on_train_end", {})
        return self.history

    def fit(self, epochs: int) -> History:
        """``run(epochs)`` then ``finish()``: what ``Sequential.fit`` does."""
        try:
            self.run(epochs)
        finally:
            if self._bar is not None:
                self._bar.on_train_end()  # close the bar even when training raised
        return self.finish()

    def _epochs(self, epochs: int) -> None:
        model = self.model
        cbs = self._callbacks
        feed = self._epoch_feed()
        if feed is not None:
            self._compiled_epochs(feed, epochs)
            return
        epoch_begin = cbs.has("on_epoch_begin")
        epoch = self.epoch
        for epoch in range(self.epoch, self.epoch + epochs):
            if epoch_begin:
                cbs.call("on_epoch_begin", epoch, {})
            logs = self._train_epoch(epoch)
            if self._X_val is not None:
                self._validate(epoch, logs)
            self.epoch = epoch + 1
            cbs.call("on_epoch_end", epoch, logs)
            if model.stop_training:
                break
        # Each loss is checked before its update; the very last update is
        # checked here, once, on the weights themselves.
        if not np.isfinite(model.flat_params).all():
            model.restore_last_finite()
            raise DivergenceError(float("nan"), epoch, self._learning_rate())

    # -- the compiled engine: many epochs per kernel call ---------------------------
    def _epoch_feed(self) -> EpochFeed | None:
        """The data laid out for the compiled engine's epoch kernel (made on
        first use), or None where the loop must go step by step: another
        engine, sparse input, batch hooks or ``on_epoch_begin``, a metric the
        kernel does not compute, sample weights with mini-batches."""
        model, cbs = self.model, self._callbacks
        if model.engine != "numba" or not self._dense:
            return None
        if self._feed is not None:
            return self._feed
        hooks = ("on_epoch_begin", "on_train_batch_begin", "on_train_batch_end")
        if any(cbs.has(hook) for hook in hooks):
            return None
        from . import _numba_kernels as K
        from .engine import EpochFeed

        multiclass = model.task == "multiclass" and (model.output_dim or 0) > 1
        accuracy = K.M_ARGMAX if multiclass else K.M_THRESHOLD
        codes = []
        for name in model.metrics:
            kind = type(metrics_.get(name))
            if kind not in _KERNEL_METRICS:
                return None
            code = _KERNEL_METRICS[kind]
            codes.append(accuracy if code is None else getattr(K, code))
        n = self._X.shape[0]
        if self._sw is not None and self._bs < n:
            return None

        self._feed = EpochFeed(
            self._X,
            self._Y,
            self._full_sw,
            self._bs,
            self._shuffle,
            self._rng,
            self._X_val,
            self._Y_val,
            codes,
            model.dtype,
        )
        n_val = 0 if self._X_val is None else self._X_val.shape[0]
        if all(cb.reads_logs_only for cb in cbs.callbacks):
            work = (n + n_val) * max(1, model.count_params())
            self._piece = max(1, COMPILED_PIECE // work)
        else:
            self._piece = 1
        return self._feed

    def _compiled_epochs(self, feed: EpochFeed, epochs: int) -> None:
        """``epochs`` epochs with the compiled engine, in pieces of several
        epochs per kernel call when every callback only reads the logs (see
        :class:`mlplab.callbacks.Callback`); the same bits, logs and callback
        calls as the step-by-step loop, the validation and the metrics
        computed by the kernel."""
        from . import _numba_kernels as K

        model, cbs = self.model, self._callbacks
        names = list(model.metrics)
        # the logs' keys, in the step-by-step loop's order, and their rows in
        # the kernel's table
        keys = ["loss", *names]
        rows = [0, *range(2, 2 + len(names))]
        if self._X_val is not None:
            keys += ["val_loss", *("val_" + name for name in names)]
            rows += [1, *range(2 + len(names), 2 + 2 * len(names))]
        left = epochs
        while left > 0 and not model.stop_training:
            piece = min(left, self._piece)
            left -= piece
            done = model.compiled_epochs(feed, piece)
            for values in done.out[rows, : done.epochs].T.tolist():
                epoch = self.epoch
                self.epoch += 1
                cbs.call("on_epoch_end", epoch, dict(zip(keys, values, strict=True)))
            if done.status == K.DIVERGED:
                model.restore_last_finite()
                raise DivergenceError(done.bad_loss, self.epoch, self._learning_rate())
            if done.status == K.VAL_DIVERGED:
                raise DivergenceError(done.bad_loss, self.epoch, self._learning_rate())
        if not np.isfinite(model.flat_params).all():
            model.restore_last_finite()
            raise DivergenceError(float("nan"), self.epoch - 1, self._learning_rate())

    def _train_epoch(self, epoch: int) -> dict[str, float]:
        """One pass over the training data; returns the epoch's logs (the mean
        of the batch losses and metrics, each taken before its update)."""
        model, cbs = self.model, self._callbacks
        Xa, Y, sw, bs = self._X, self._Y, self._sw, self._bs
        n = Xa.shape[0]
        batch_hooks = cbs.has("on_train_batch_begin") or cbs.has("on_train_batch_end")
        metrics = [(name, metrics_.get(name)) for name in model.metrics]
        task = model.task
        step = model.step
        full = bs == n
        order = self._rng.permutation(n) if self._shuffle and not full else None
        swb = self._full_sw if full else None
        total = 0.0
        sums = dict.fromkeys(model.metrics, 0.0)
        for b, start in enumerate(range(0, n, bs)):
            if full:
                Xb, Yb = Xa, Y
            elif order is None:
                Xb, Yb = Xa[start : start + bs], Y[start : start + bs]
                if sw is not None:
                    swb = _batch_weights(sw[start : start + bs])
            else:
                idx = order[start : start + bs]
                Xb, Yb = self._gather(idx)
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
            for name, metric in metrics:
                sums[name] += metric(Yb, A, task) * m
            if batch_hooks:
                cbs.call("on_train_batch_end", b, {"loss": loss, "size": m})
        logs = {"loss": total / n}
        for name in model.metrics:
            logs[name] = sums[name] / n
        return logs

    def _gather(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows ``idx`` of the training data, copied into buffers kept per
        batch size (the batch size, and a smaller last batch); for a sparse X,
        a new CSR matrix of those rows."""
        m = idx.shape[0]
        bufs = self._batch_buffers
        if m not in bufs:
            bufs[m] = (
                np.empty((m, self._X.shape[1]), dtype=self._X.dtype)
                if self._dense
                else None,
                np.empty((self._Y.shape[1], m), dtype=self._Y.dtype),
            )
        Xbuf, YTbuf = bufs[m]
        # mode="clip" skips the copy that "raise" makes of `out`; the indices
        # are a permutation, always in range. Y is gathered as columns of its
        # (n_outputs, n) C-contiguous transpose, which is cheap.
        Yb = np.take(self._Y.T, idx, axis=1, out=YTbuf, mode="clip").T
        if Xbuf is None:  # CSR row indexing: a CSR batch, the nonzeros only
            return self._X[idx], Yb
        Xb = np.take(self._X, idx, axis=0, out=Xbuf, mode="clip")
        return Xb, Yb

    def _validate(self, epoch: int, logs: dict[str, float]) -> None:
        assert self._X_val is not None and self._Y_val is not None
        for key, value in self.model.evaluate_arrays(self._X_val, self._Y_val).items():
            logs["val_" + key] = value
        if not math.isfinite(logs["val_loss"]):
            raise DivergenceError(logs["val_loss"], epoch, self._learning_rate())

    def _learning_rate(self) -> float | None:
        opt = self.model.optimizer
        if opt is None or isinstance(opt, LBFGS):  # L-BFGS does not use one
            return None
        return opt.current_learning_rate()

    # -- L-BFGS: one minimization per run, one iteration per epoch ----------------
    @property
    def lbfgs_result(self) -> Any:
        """SciPy's ``OptimizeResult`` of the last :meth:`run` when the model's
        optimizer is an :class:`~mlplab.optimizers.LBFGS` (``None`` before
        one, and for other optimizers): ``nit``, ``nfev``, ``fun``,
        ``status`` and ``message``; the same object as the optimizer's
        ``result``."""
        opt = self.model.optimizer
        return opt.result if isinstance(opt, LBFGS) else None

    def _lbfgs_epochs(self, opt: LBFGS, epochs: int) -> None:
        check_lbfgs(self.model, self._bs, self._X.shape[0])
        params = self.model.flat_params
        run = _LBFGSRun(self)
        try:
            result = opt.minimize(
                run.objective, run.accepted.copy(), epochs, run.iteration
            )
        except BaseException:
            # a divergence, a failing callback, Ctrl-C: keep the last iterate
            np.copyto(params, run.accepted)
            raise
        np.copyto(params, result.x)
        if not np.isfinite(params).all():
            np.copyto(params, run.accepted)
            raise DivergenceError(float("nan"), self.epoch, None)


class _LBFGSRun:
    """One :meth:`Trainer.run` of an L-BFGS trainer: the objective SciPy
    minimizes and the per-iteration callback that makes each iteration an
    epoch. ``accepted`` holds the last iterate (float64), which the trainer
    restores when the minimization fails."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.accepted = trainer.model.flat_params.astype(np.float64)
        cbs = trainer._callbacks
        self.epoch_hook = cbs.has("on_epoch_begin")
        self.batch_hooks = cbs.has("on_train_batch_begin") or cbs.has(
            "on_train_batch_end"
        )
        self.begin_pending = True  # the next evaluation starts an epoch
        self.evaluations = 0  # in the current epoch
        self.last_x: np.ndarray | None = None  # where the last evaluation was
        self.last_A: np.ndarray | None = None

    def objective(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """The full-batch loss at the weights ``x`` and its gradient, float64."""
        t = self.trainer
        model, cbs, n = t.model, t._callbacks, t._X.shape[0]
        if self.begin_pending:
            self.begin_pending, self.evaluations = False, 0
            if self.epoch_hook:
                cbs.call("on_epoch_begin", t.epoch, {})
        if self.batch_hooks:
            cbs.call("on_train_batch_begin", self.evaluations, {"size": n})
        np.copyto(model.flat_params, x)
        A = model.forward(t._X, True)
        loss = model.loss_value(t._Y, A, t._full_sw)
        if not math.isfinite(loss):
            raise DivergenceError(loss, t.epoch, None)
        model.backward(t._Y, A, t._full_sw)
        self.last_x, self.last_A = x.copy(), A
        if self.batch_hooks:
            cbs.call("on_train_batch_end", self.evaluations, {"loss": loss, "size": n})
        self.evaluations += 1
        return loss, model.flat_grads.astype(np.float64)

    def iteration(self, intermediate_result: Any) -> None:
        """After each L-BFGS iteration: the epoch's logs at the new weights,
        validation, ``on_epoch_end``; ``StopIteration`` if a callback asked."""
        t = self.trainer
        model, epoch = t.model, t.epoch
        x = intermediate_result.x
        np.copyto(self.accepted, x)
        np.copyto(model.flat_params, x)
        A = self.last_A
        if A is None or self.last_x is None or not np.array_equal(self.last_x, x):
            A = model.forward(t._X, True)  # the last evaluation was elsewhere
        logs = {"loss": float(intermediate_result.fun)}
        for name in model.metrics:
            logs[name] = metrics_.get(name)(t._Y, A, model.task)
        if t._X_val is not None:
            t._validate(epoch, logs)
        t.epoch = epoch + 1
        self.begin_pending = True
        t._callbacks.call("on_epoch_end", epoch, logs)
        if model.stop_training:
            raise StopIteration


def check_lbfgs(model: Sequential, batch_size: int | None, n: int) -> None:
    """A ``ValueError`` unless an L-BFGS model can train on ``n`` samples in
    batches of ``batch_size``: full batch only, and no dropout."""
    if batch_size is not None and batch_size < n:
        raise ValueError(
            f"L-BFGS takes the full batch; received batch_size={batch_size} for "
            f'{n} samples; leave batch_size=None (batch_size = "full" in a run '
            "config, --batch-size full on the command line)"
        )
    rates = [layer.rate for layer in model.layers if isinstance(layer, Dropout)]
    if any(rates):
        raise ValueError(
            "L-BFGS needs the same loss at every evaluation, and dropout draws a "
            f"new mask each time; received Dropout rates {rates}. Remove the "
            "dropout layers (or set their rate to 0), or use another optimizer"
        )


def _prepare_data(
    model: Sequential,
    X: Any,
    y: Any,
    sample_weight: Any,
    validation_data: tuple[Any, Any] | None,
    validation_split: float,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None
]:
    """The training arrays ``(X, Y, sample_weight)`` checked and encoded, and
    the validation arrays ``(X_val, Y_val)`` (None without validation)."""
    Xa = model.check_inputs(X)
    Y = model.encode_targets(y, Xa.shape[0])
    sw = None
    if sample_weight is not None:
        sw = check_sample_weight(sample_weight, Xa.shape[0], model.dtype)
    X_val = Y_val = None
    if validation_split:
        n_val = int(Xa.shape[0] * validation_split)
        if n_val < 1 or n_val >= Xa.shape[0]:
            raise ValueError(
                f"validation_split={validation_split} of {Xa.shape[0]} samples "
                f"leaves {n_val} for validation and {Xa.shape[0] - n_val} for "
                "training; both need at least one"
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
        X_val = model.check_inputs(validation_data[0], "X_val")
        Y_val = model.encode_targets(validation_data[1], X_val.shape[0], "y_val")
    return Xa, Y, sw, X_val, Y_val


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
