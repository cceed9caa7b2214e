"""Training runs from a :class:`~mlplab.config.RunConfig`: data, split,
scaling, model, training, metrics, and the run folder.

:func:`train` runs one, with checkpoints, interruption and resume; the steps
it takes have a module each, whose names this module also offers:
:mod:`~mlplab.rundata` (:class:`Data`, :func:`load_data`),
:mod:`~mlplab.runmodel` (:func:`build_model`), :mod:`~mlplab.runmetrics`
(:class:`RunMetrics`, the record of ``metrics.json``),
:mod:`~mlplab.runresult` (:class:`RunResult`, :class:`FailedRun`),
:mod:`~mlplab.runfolder` (:func:`write_run`, :func:`write_summary`,
:func:`slug`) and :mod:`~mlplab.runtable` (:func:`results_table`,
:func:`format_table`, :func:`fmt`).

A run folder holds:

* ``config.toml`` -- the configuration (``mlplab train --config`` reads it);
* ``model.npz`` -- the trained model (:func:`mlplab.persistence.save`, no
  pickle);
* ``metrics.json`` -- ``final_loss`` and ``test_loss`` (after the last
  epoch, regularization included), ``train_accuracy`` and ``test_accuracy``
  (``null`` for regression, and the latter without a test split; regression
  runs report ``train_mse`` and ``test_mse``), ``epochs``, ``loss_history``
  (one value per epoch), ``val_loss_history`` (the test split's loss per
  epoch; empty without one), ``time_history`` (seconds since the start of
  training at each epoch's end), ``seconds``, ``diverged`` with
  ``diverged_epoch`` (counted from 1) and ``error``, ``name``, ``task``,
  ``classes``, ``n_train``, ``n_test``, ``n_params`` and the ``config``
  (:class:`RunMetrics` reads and writes it);
* ``learning_curves.png``, ``network.png``, for classification
  ``confusion_matrix.png`` and, for two input features,
  ``decision_boundary.png`` and ``neuron_maps.png``; ``train.gif`` when
  animated; ``report.html`` (:mod:`mlplab.report`).

>>> from mlplab.config import RunConfig
>>> result = train(RunConfig(samples=100, hidden=(4,), epochs=50, seed=1))
>>> sorted(k for k in result.metrics if k.endswith("accuracy"))
['test_accuracy', 'train_accuracy']
>>> len(result.metrics["loss_history"])
50
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._interrupt import Interrupted, StopOnSignal
from .callbacks import Callback
from .config import RunConfig
from .exceptions import DivergenceError
from .model import Sequential
from .optimizers import LBFGS
from .persistence import ModelCheckpoint, load, read_metadata
from .rundata import Data, load_data
from .runfolder import slug, write_run, write_summary
from .runmetrics import RunMetrics
from .runmodel import build_model
from .runresult import FailedRun, RunResult
from .runtable import fmt, format_table, results_table
from .training import check_lbfgs

if TYPE_CHECKING:
    from .plots import Snapshots

__all__ = [
    "Data",
    "FailedRun",
    "RunMetrics",
    "RunResult",
    "build_model",
    "fmt",
    "format_table",
    "load_data",
    "results_table",
    "slug",
    "train",
    "write_run",
    "write_summary",
]

CHECKPOINT = "checkpoint.npz"  # in the run folder, for resume=True


def train(
    config: RunConfig,
    out: str | Path | None = None,
    *,
    progress: bool = False,
    data: Data | None = None,
    animate: int = 0,
    checkpoint_every: int = 0,
    interrupt: Any = None,
    resume: bool = False,
) -> RunResult:
    """Train the run ``config`` describes; with ``out``, write its run folder.

    A diverging run does not raise: it is reported with ``diverged: true``,
    ``final_loss: null``, the epoch and the message, and its model keeps the
    last weights that gave a finite loss.

    Parameters
    ----------
    config : RunConfig
    out : path, optional
        The run folder to write (created if needed).
    progress : bool
        Show a progress bar (on a terminal).
    data : Data, optional
        Already loaded data (comparisons load it once for all their runs).
    animate : int, default 0
        With ``n > 0`` and two input features, record at most ``n + 1``
        snapshots of the weights while training (one copy each) and write
        ``train.gif`` into the run folder: the decision boundary evolving
        beside the loss curve (see ``plots.animate_training``).
    checkpoint_every : int, default 0
        With ``out``, save ``checkpoint.npz`` there every this many epochs
        (the model with its optimizer and random generator state, and the
        history so far), so that ``resume=True`` can continue the run.
    interrupt : GracefulInterrupt, optional
        When its signal arrives (Ctrl-C, SIGTERM), training stops at the end
        of the epoch, a checkpoint is saved into ``out`` and
        ``mlplab._interrupt.Interrupted`` is raised with how to resume.
    resume : bool, default False
        Continue the run whose ``checkpoint.npz`` is in ``out`` up to
        ``config.epochs``: the final weights are bit-identical to those of
        the run trained without a stop.
    """
    folder = None if out is None else Path(out)
    data = data if data is not None else load_data(config)
    model, prior = _start(config, data, folder, resume)
    watch = _Watch.start(
        config, data, folder, prior, checkpoint_every, interrupt, animate
    )
    fitted = _fit(model, config, data, watch, prior, progress)
    if not fitted.diverged:
        watch.stop_if_requested(config, folder)
    result = RunResult(config, data, model, _measure(config, data, model, fitted))
    if watch.snapshots is not None and not fitted.diverged:
        result.animation = _Animation(result, watch.snapshots)
    if out is not None:
        write_run(result, out)
    return result


@dataclass
class _Prior:
    """What a resumed run had done when its checkpoint was saved (nothing,
    for a new run): its epochs, their logs and wall-clock times."""

    epochs: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @classmethod
    def read(cls, path: Path) -> _Prior:
        """What the checkpoint at ``path`` records."""
        meta = read_metadata(path)
        return cls(
            int(meta.get("epoch", 0)),
            dict(meta.get("history", {})),
            list(meta.get("time_history", [])),
            float(meta.get("seconds", 0.0)),
        )

    def time_history(self, clock: _Clock) -> list[float]:
        """The seconds at the end of every epoch, these and ``clock``'s."""
        return [*self.times, *(self.seconds + t for t in clock.times)]

    def history_with(self, logs: dict[str, list[float]]) -> dict[str, list[float]]:
        """These logs continued by ``logs``, the ones of the epochs since."""
        hist = {k: [*self.history.get(k, []), *v] for k, v in logs.items()}
        for k, v in self.history.items():
            hist.setdefault(k, list(v))
        return hist


def _start(
    config: RunConfig, data: Data, folder: Path | None, resume: bool
) -> tuple[Sequential, _Prior]:
    """The model to train and what was done before: a new model, or with
    ``resume`` the checkpoint's in ``folder``; ``folder`` gets ``config.toml``."""
    if resume:
        if folder is None or not (folder / CHECKPOINT).exists():
            raise ValueError(
                f"nothing to resume: {folder} has no {CHECKPOINT} (give "
                "--checkpoint-every, or stop a run with Ctrl-C, to make one)"
            )
        model = load(folder / CHECKPOINT)
        prior = _Prior.read(folder / CHECKPOINT)
    else:
        model, prior = build_model(config, data), _Prior()
    if isinstance(model.optimizer, LBFGS):  # refused before the folder is made
        check_lbfgs(model, config.batch_size, data.X_train.shape[0])
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.toml").write_text(config.to_toml(), encoding="utf-8")
    return model, prior


class _Clock(Callback):
    """Seconds since the start of training at the end of each epoch (with
    the compiled engine, taken when the kernel hands back each piece of
    epochs, see :class:`mlplab.callbacks.Callback`)."""

    reads_logs_only = True

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.times.append(time.perf_counter() - self._start)


class _RunCheckpoint(ModelCheckpoint):
    """A run's checkpoint: also saves the wall-clock history, so that a
    resumed run's ``time_history`` and ``seconds`` go on from it."""

    def __init__(
        self,
        path: Path,
        clock: _Clock,
        prior: _Prior,
        every: int,
        metadata: dict[str, Any],
    ) -> None:
        super().__init__(
            path,
            every=every,
            metadata=metadata,
            initial_epoch=prior.epochs,
            initial_history=prior.history,
        )
        self.clock, self.prior = clock, prior

    def save(self) -> str:
        clock, prior = self.clock, self.prior
        self.metadata["time_history"] = prior.time_history(clock)
        self.metadata["seconds"] = prior.seconds + (
            clock.times[-1] if clock.times else 0.0
        )
        return super().save()


@dataclass
class _Watch:
    """The callbacks that watch a run: its clock, its checkpoint (with a run
    folder, saved every so many epochs or on a signal), the signal it stops
    on and, to animate it, the snapshots of its weights."""

    clock: _Clock
    checkpoint: _RunCheckpoint | None
    interrupt: Any
    snapshots: Snapshots | None

    @classmethod
    def start(
        cls,
        config: RunConfig,
        data: Data,
        folder: Path | None,
        prior: _Prior,
        checkpoint_every: int,
        interrupt: Any,
        animate: int,
    ) -> _Watch:
        """The callbacks that ``train``'s arguments ask for."""
        clock = _Clock()
        checkpoint = None
        if folder is not None and (checkpoint_every or interrupt is not None):
            checkpoint = _RunCheckpoint(
                folder / CHECKPOINT,
                clock,
                prior,
                every=checkpoint_every or config.epochs + 1,
                metadata={"classes": data.classes, "task": data.task},
            )
        snapshots = None
        if animate and data.n_features == 2:
            from .plots import Snapshots

            snapshots = Snapshots.every(config.epochs, frames=animate)
        return cls(clock, checkpoint, interrupt, snapshots)

    def callbacks(self) -> list[Callback]:
        """The callbacks to train with, the clock first."""
        found: list[Callback] = [self.clock]
        if self.checkpoint is not None:
            found.append(self.checkpoint)
        if self.interrupt is not None:
            found.append(StopOnSignal(self.interrupt))
        if self.snapshots is not None:
            found.append(self.snapshots)
        return found

    def stop_if_requested(self, config: RunConfig, folder: Path | None) -> None:
        """After a signal, training stopped at the end of an epoch: save the
        checkpoint and raise ``Interrupted`` with how to resume."""
        if self.interrupt is None or not self.interrupt.requested:
            return
        signum, checkpoint = self.interrupt.signum, self.checkpoint
        if checkpoint is None or folder is None:
            raise Interrupted(signum, "interrupted; nothing was saved (no run folder)")
        checkpoint.save()
        raise Interrupted(
            signum,
            f"interrupted after epoch {checkpoint.epoch} of {config.epochs}; "
            f"checkpoint saved in {folder / CHECKPOINT}; resume with: "
            f"mlplab train --resume {folder}",
        )


@dataclass
class _Animation:
    """A recorded run, written as a GIF on request (``write_run`` does)."""

    result: RunResult
    snapshots: Any

    def save(self, path: Path) -> Path:
        from .plots import write_animation

        d = self.result.data
        return write_animation(
            self.result.model,
            self.snapshots,
            d.X_train,
            d.y_train,
            path=path,
            X_test=d.X_test,
            y_test=d.y_test,
        )


@dataclass
class _Fitted:
    """How training went: the logs of every epoch (a resumed run's earlier
    ones included), the seconds at each epoch's end and in all, and where
    and why it diverged."""

    history: dict[str, list[float]]
    time_history: list[float]
    seconds: float
    diverged: bool = False
    diverged_epoch: int | None = None  # counted from 1
    error: str | None = None


def _fit(
    model: Sequential,
    config: RunConfig,
    data: Data,
    watch: _Watch,
    prior: _Prior,
    progress: bool,
) -> _Fitted:
    """Train ``model`` for the epochs ``config`` has left after ``prior``'s;
    a divergence is recorded, not raised."""
    validation = (data.X_test, data.y_test) if data.X_test is not None else None
    diverged, error, diverged_epoch = False, None, None
    start = time.perf_counter()
    if config.epochs - prior.epochs < 1:  # a resumed run that had done them all
        model.history.history = {}
    else:
        try:
            model.fit(
                data.X_train,
                data.y_train,
                epochs=config.epochs - prior.epochs,
                batch_size=config.batch_size,
                validation_data=validation,
                callbacks=watch.callbacks(),
                verbose=1 if progress else 0,
            )
        except DivergenceError as exc:
            diverged, error = True, str(exc)
            # counted from 1, like the epochs of loss_history
            diverged_epoch = None if exc.epoch is None else prior.epochs + exc.epoch + 1
    seconds = prior.seconds + time.perf_counter() - start
    return _Fitted(
        prior.history_with(model.history.history),
        prior.time_history(watch.clock),
        seconds,
        diverged,
        diverged_epoch,
        error,
    )


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _score(logs: dict[str, float] | None, key: str) -> float | None:
    return None if logs is None else _finite(logs[key])


def _measure(
    config: RunConfig, data: Data, model: Sequential, fitted: _Fitted
) -> RunMetrics:
    """The metrics of the trained ``model`` (see the module notes)."""
    # The weights a diverged run keeps may still overflow the loss: its
    # accuracies are reported, its losses are not.
    with np.errstate(over="ignore", invalid="ignore"):
        train_logs = model.evaluate(data.X_train, data.y_train)
        test_logs = (
            model.evaluate(data.X_test, data.y_test)
            if data.X_test is not None
            else None
        )
    regression, lost = data.task == "regression", fitted.diverged
    return RunMetrics(
        name=config.label,
        task=data.task,
        classes=data.classes,
        n_train=int(data.X_train.shape[0]),
        n_test=0 if data.X_test is None else int(data.X_test.shape[0]),
        n_params=model.count_params(),
        diverged=fitted.diverged,
        diverged_epoch=fitted.diverged_epoch,
        error=fitted.error,
        final_loss=None if lost else _score(train_logs, "loss"),
        test_loss=None if lost else _score(test_logs, "loss"),
        train_accuracy=None if regression else _score(train_logs, "accuracy"),
        train_mse=_score(train_logs, "mse") if regression else None,
        test_accuracy=None if regression else _score(test_logs, "accuracy"),
        test_mse=_score(test_logs, "mse") if regression else None,
        epochs=len(fitted.history.get("loss", [])),
        loss_history=[_finite(v) for v in fitted.history.get("loss", [])],
        val_loss_history=[_finite(v) for v in fitted.history.get("val_loss", [])],
        time_history=fitted.time_history,
        seconds=fitted.seconds,
        config=config.to_dict(),
    )
