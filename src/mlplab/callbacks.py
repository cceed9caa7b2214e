"""Callbacks: code that ``fit`` calls at fixed points of training.

Subclass :class:`Callback` and override any of ``on_train_begin``,
``on_train_end``, ``on_epoch_begin``, ``on_epoch_end``,
``on_train_batch_begin`` and ``on_train_batch_end``. ``self.model`` is the model
being trained; setting ``self.model.stop_training = True`` ends training after
the current epoch. ``logs`` holds ``"loss"``, each metric, and their ``val_``
versions when there is validation data.

>>> import mlplab as ml
>>> class PrintEvery(ml.Callback):
...     def __init__(self, k):
...         super().__init__()
...         self.k = k
...     def on_epoch_end(self, epoch, logs=None):
...         if epoch % self.k == 0:
...             print(f"epoch {epoch}: loss {logs['loss']:.3f}")
"""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from ._validation import check_range, is_int

if TYPE_CHECKING:
    from .model import Sequential

__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LearningRateScheduler",
    "ProgressBar",
]

_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
)


class Callback:
    """Base class; every hook does nothing.

    ``reads_logs_only``: set it True on a callback whose hooks only read the
    logs and the time (and may set ``model.stop_training``), never the
    weights. The compiled engine then runs several epochs in one kernel call
    and calls its ``on_epoch_end`` for each of them, in order, afterwards; a
    stop it asks for takes effect at the end of that piece. With any callback
    that leaves it False (the default), the compiled engine calls it after
    every epoch, as the NumPy engine does.
    """

    reads_logs_only: ClassVar[bool] = False

    def __init__(self) -> None:
        self.model: Sequential | None = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        pass

    def on_train_batch_begin(
        self, batch: int, logs: dict[str, Any] | None = None
    ) -> None:
        pass

    def on_train_batch_end(
        self, batch: int, logs: dict[str, Any] | None = None
    ) -> None:
        pass


class CallbackList:
    """Dispatches each hook to the callbacks that override it, so that hooks
    nobody uses cost nothing in the training loop."""

    def __init__(
        self, callbacks: Iterable[Callback], model: Sequential, params: dict[str, Any]
    ) -> None:
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be Callback instances; received {cb!r} of type "
                    f"{type(cb).__name__}"
                )
            cb.set_model(model)
            cb.set_params(params)
        self._bound: dict[str, list[Callable[..., None]]] = {
            hook: [
                getattr(cb, hook)
                for cb in self.callbacks
                if getattr(type(cb), hook) is not getattr(Callback, hook)
            ]
            for hook in _HOOKS
        }

    def has(self, hook: str) -> bool:
        return bool(self._bound[hook])

    def call(self, hook: str, *args: Any) -> None:
        for fn in self._bound[hook]:
            fn(*args)


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` is a list
    with one value per epoch, ``history.epoch`` the epoch numbers. ``fit``
    returns it, and it stays on the model as ``model.history``."""

    reads_logs_only = True

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"<History: {len(self.epoch)} epochs of {keys}>"


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving.

    Parameters
    ----------
    monitor : str, default "val_loss"
        A key of the epoch logs (``"loss"``, ``"val_loss"``, ``"val_accuracy"``...).
    min_delta : float, default 0.0
        Smallest change that counts as an improvement.
    patience : int, default 0
        Epochs without improvement after which training stops.
    mode : {"auto", "min", "max"}
        Whether lower or higher is better; ``"auto"`` means higher for keys
        containing "acc", lower otherwise.
    restore_best_weights : bool, default False
        When training ends (stopped early or not), put back the weights of the
        best epoch.

    Attributes
    ----------
    stopped_epoch : int or None
        The epoch at which training was stopped, ``None`` if it ran to the end.
    best_epoch : int or None
    best : float
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
        verbose: int = 0,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a string; received {monitor!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"mode must be 'auto', 'min' or 'max'; received mode={mode!r}"
            )
        if not is_int(patience) or patience < 0:
            raise ValueError(
                "patience must be a non-negative integer; "
                f"received patience={patience!r}"
            )
        self.monitor = monitor
        self.min_delta = abs(
            check_range(
                "min_delta",
                min_delta,
                -math.inf,
                math.inf,
                low_inclusive=False,
                high_inclusive=False,
            )
        )
        self.patience = patience
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        self.restore_best_weights = bool(restore_best_weights)
        self.verbose = verbose
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_weights: list[Any] | None = None
        self.stopped_epoch: int | None = None

    def _improved(self, current: float) -> bool:
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which is not in the epoch "
                f"logs; available: {sorted(logs)}. ('val_' keys need validation_data "
                "or validation_split.)"
            )
        assert self.model is not None
        current = float(logs[self.monitor])
        if self._improved(current):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        assert self.model is not None
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
        if self.verbose and self.stopped_epoch is not None:
            print(
                f"Early stopping at epoch {self.stopped_epoch}; best {self.monitor} "
                f"{self.best:.6g} at epoch {self.best_epoch}",
                file=sys.stderr,
            )


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch.

    Parameters
    ----------
    schedule : callable
        ``schedule(epoch, lr) -> new lr`` (or ``schedule(epoch)``), epochs
        counted from 0.

    The learning rate of each epoch is added to its logs as ``"learning_rate"``.
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"schedule must be callable; received {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        try:
            n_args = len(inspect.signature(schedule).parameters)
        except (TypeError, ValueError):
            n_args = 2
        self._two_args = n_args >= 2

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        from .schedules import LearningRateSchedule

        assert self.model is not None and self.model.optimizer is not None
        if isinstance(self.model.optimizer.learning_rate, LearningRateSchedule):
            raise ValueError(
                "LearningRateScheduler would replace the optimizer's schedule "
                f"{self.model.optimizer.learning_rate!r}; use one or the other"
            )

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        assert self.model is not None and self.model.optimizer is not None
        opt = self.model.optimizer
        lr = opt.current_learning_rate()
        new = self.schedule(epoch, lr) if self._two_args else self.schedule(epoch)
        opt.learning_rate = new  # validated by the optimizer
        if self.verbose:
            print(f"Epoch {epoch}: learning rate {float(new):.6g}", file=sys.stderr)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        assert self.model is not None and self.model.optimizer is not None
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.current_learning_rate()


class ProgressBar(Callback):
    """A tqdm progress bar over epochs showing the loss (and validation loss);
    what ``fit(..., verbose=1)`` adds."""

    reads_logs_only = True

    def __init__(self, file: Any = None) -> None:
        super().__init__()
        self.file = file
        self._bar: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=self.params.get("epochs"),
            unit="epoch",
            file=self.file if self.file is not None else sys.stderr,
            dynamic_ncols=True,
        )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        shown = {k: f"{v:.4g}" for k, v in logs.items() if k in ("loss", "val_loss")}
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
