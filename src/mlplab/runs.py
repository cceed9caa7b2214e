"""Training runs from a :class:`~mlplab.config.RunConfig`: data, split,
scaling, model, training, metrics, and the run folder.

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
  ``classes``, ``n_train``, ``n_test``, ``n_params`` and the ``config``;
* ``learning_curves.png`` and, for two input features, ``decision_boundary.png``.

>>> from mlplab.config import RunConfig
>>> result = train(RunConfig(samples=100, hidden=(4,), epochs=50, seed=1))
>>> sorted(k for k in result.metrics if k.endswith("accuracy"))
['test_accuracy', 'train_accuracy']
>>> len(result.metrics["loss_history"])
50
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets, preprocessing
from .callbacks import Callback
from .config import RunConfig
from .exceptions import DivergenceError
from .features import Features
from .layers import Dense, Layer, Rescaling
from .model import Sequential
from .persistence import ModelCheckpoint, load, read_metadata
from .regularizers import L2
from .report import write_report

__all__ = ["Data", "RunResult", "build_model", "load_data", "train", "write_run"]


@dataclass
class Data:
    """The data of a run, split and with labels encoded ``0 .. k-1``.

    ``classes`` holds the original label of each code (empty for regression).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    task: str  # "binary", "multiclass" or "regression"
    classes: list[Any] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])


def _task(config: RunConfig, y: np.ndarray) -> str:
    out = config.output_spec()
    if out is not None:
        name = out.partition(":")[0]
        return {"softmax": "multiclass", "sigmoid": "binary"}.get(name, "regression")
    if y.ndim == 1 and y.dtype.kind in "iubU":
        return "binary" if len(np.unique(y)) <= 2 else "multiclass"
    return "regression"


def load_data(config: RunConfig) -> Data:
    """Load or generate the data of ``config``, encode the labels and split it
    (stratified for classification), seeded by ``config.seed``."""
    if config.data is not None:
        column = config.label_column
        kw: dict[str, Any] = {} if column is None else {"label_column": column}
        X, y = datasets.load_file(config.data, **kw)
        if y is None:
            raise ValueError(f"{config.data}: training needs a label column")
    else:
        X, y = datasets.load_dataset(
            config.dataset,
            n_samples=config.samples,
            noise=config.noise,
            seed=config.seed,
        )
    task = _task(config, np.asarray(y))
    classes: list[Any] = []
    if task != "regression":
        values, y = np.unique(y, return_inverse=True)
        classes = values.tolist()
        if len(classes) < 2:
            raise ValueError(
                f"classification needs at least two classes; the labels are all "
                f"{classes[0]!r}"
            )
        if task == "binary" and len(classes) > 2:
            raise ValueError(
                f"a sigmoid output separates two classes; the labels have "
                f"{len(classes)}. Use output_activation='softmax'"
            )
    X_test = y_test = None
    if config.test_size > 0:
        X, X_test, y, y_test = preprocessing.train_test_split(
            X,
            y,
            test_size=config.test_size,
            stratify=task != "regression",
            seed=config.seed,
        )
    return Data(X, y, X_test, y_test, task, classes)


def build_model(config: RunConfig, data: Data) -> Sequential:
    """The network of ``config`` for ``data``: input scaling (fitted on the
    training part), feature crosses, hidden layers and the output layer,
    compiled."""
    layers: list[Layer] = []
    if config.scale != "none":
        if config.scale == "standard":
            std = preprocessing.StandardScaler().fit(data.X_train)
            layers.append(Rescaling(1.0 / std.scale_, offset=-std.mean_ / std.scale_))
        else:
            mm = preprocessing.MinMaxScaler().fit(data.X_train)
            layers.append(Rescaling(mm.scale_, offset=mm.min_))
    if config.features is not None:
        layers.append(Features(config.features))
    reg = L2(config.l2) if config.l2 > 0 else None
    for units in config.hidden:
        layers.append(
            Dense(
                units,
                activation=config.activation_spec(),
                kernel_initializer=config.init,
                kernel_regularizer=reg,
            )
        )
    if data.task == "regression":
        out_units = 1 if data.y_train.ndim == 1 else data.y_train.shape[1]
        default_act, default_loss, metric = "linear", "mse", "mse"
    elif data.task == "multiclass":
        out_units = max(2, len(data.classes))
        default_act, default_loss, metric = (
            "softmax",
            "categorical_crossentropy",
            "accuracy",
        )
    else:
        out_units = 1
        default_act, default_loss, metric = "sigmoid", "binary_crossentropy", "accuracy"
    layers.append(
        Dense(
            out_units,
            activation=config.output_spec() or default_act,
            kernel_initializer=config.init,
            kernel_regularizer=reg,
        )
    )
    model = Sequential(layers, input_dim=data.n_features, seed=config.seed)
    model.compile(
        loss=config.loss_spec() or default_loss,
        optimizer=config.make_optimizer(),
        metrics=[metric],
    )
    return model


class _Clock(Callback):
    """Seconds since the start of training at the end of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.times.append(time.perf_counter() - self._start)


@dataclass
class RunResult:
    """A finished run: its configuration, data, trained model and metrics."""

    config: RunConfig
    data: Data
    model: Sequential
    metrics: dict[str, Any]
    folder: Path | None = None
    animation: Any = field(default=None, repr=False)  # see train(animate=...)

    @property
    def label(self) -> str:
        return self.config.label

    @property
    def diverged(self) -> bool:
        return bool(self.metrics["diverged"])

    def panel(self, title: str | None = None) -> dict[str, Any]:
        """This run as a decision-boundary panel of ``plots.sweep_grid``: the
        model, its data and a title with the accuracy."""
        result, d = self, self.data
        if title is None:
            acc = result.metrics.get("test_accuracy")
            if acc is None:
                acc = result.metrics.get("train_accuracy")
                which = "train"
            else:
                which = "test"
            title = result.label
            if result.diverged:
                title += "  (diverged)"
            elif acc is not None:
                title += f"  {which} acc {100 * acc:.1f}%"
        return {
            "model": result.model,
            "X": d.X_train,
            "y": d.y_train,
            "X_test": d.X_test,
            "y_test": d.y_test,
            "title": title,
        }


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
class FailedRun:
    """A run of a sweep that raised instead of finishing: its configuration
    and the error, recorded so that the sweep goes on."""

    config: RunConfig
    error: str
    folder: Path | None = None

    @property
    def label(self) -> str:
        return self.config.label

    @property
    def diverged(self) -> bool:
        return False

    @property
    def metrics(self) -> dict[str, Any]:
        return {
            "name": self.label,
            "failed": True,
            "error": self.error,
            "diverged": False,
            "config": self.config.to_dict(),
        }


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


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
    done, prior, prior_times, prior_seconds = 0, {}, [], 0.0
    if resume:
        if folder is None or not (folder / "checkpoint.npz").exists():
            raise ValueError(
                f"nothing to resume: {folder} has no checkpoint.npz (give "
                "--checkpoint-every, or stop a run with Ctrl-C, to make one)"
            )
        model = load(folder / "checkpoint.npz")
        meta = read_metadata(folder / "checkpoint.npz")
        done, prior = int(meta.get("epoch", 0)), dict(meta.get("history", {}))
        prior_times = list(meta.get("time_history", []))
        prior_seconds = float(meta.get("seconds", 0.0))
    else:
        model = build_model(config, data)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.toml").write_text(config.to_toml(), encoding="utf-8")
    validation = (data.X_test, data.y_test) if data.X_test is not None else None
    clock = _Clock()
    callbacks: list[Callback] = [clock]
    checkpoint = None
    if folder is not None and (checkpoint_every or interrupt is not None):
        checkpoint = _RunCheckpoint(
            folder / "checkpoint.npz",
            every=checkpoint_every or config.epochs + 1,
            metadata={"classes": data.classes, "task": data.task},
            initial_epoch=done,
            initial_history=prior,
        )
        checkpoint.times = (clock, prior_times, prior_seconds)
        callbacks.append(checkpoint)
    if interrupt is not None:
        from ._interrupt import StopOnSignal

        callbacks.append(StopOnSignal(interrupt))
    snapshots = None
    if animate and data.n_features == 2:
        from .plots import Snapshots

        snapshots = Snapshots.every(config.epochs, frames=animate)
        callbacks.append(snapshots)
    diverged, error, diverged_epoch = False, None, None
    start = time.perf_counter()
    try:
        if config.epochs - done < 1:
            raise _NothingLeft
        model.fit(
            data.X_train,
            data.y_train,
            epochs=config.epochs - done,
            batch_size=config.batch_size,
            validation_data=validation,
            callbacks=callbacks,
            verbose=1 if progress else 0,
        )
    except _NothingLeft:
        model.history.history = {}
    except DivergenceError as exc:
        diverged, error = True, str(exc)
        # counted from 1, like the epochs of loss_history
        diverged_epoch = None if exc.epoch is None else done + exc.epoch + 1
    seconds = prior_seconds + time.perf_counter() - start
    hist = {k: [*prior.get(k, []), *v] for k, v in model.history.history.items()}
    for k, v in prior.items():
        hist.setdefault(k, list(v))
    if interrupt is not None and interrupt.requested and not diverged:
        _stop(config, folder, checkpoint, interrupt.signum)
    metrics: dict[str, Any] = {
        "name": config.label,
        "task": data.task,
        "classes": data.classes,
        "n_train": int(data.X_train.shape[0]),
        "n_test": 0 if data.X_test is None else int(data.X_test.shape[0]),
        "n_params": model.count_params(),
        "diverged": diverged,
        "diverged_epoch": diverged_epoch,
        "error": error,
    }
    # The weights a diverged run keeps may still overflow the loss: its
    # accuracies are reported, its losses are not.
    with np.errstate(over="ignore", invalid="ignore"):
        train_eval = model.evaluate(data.X_train, data.y_train)
        test_eval = (
            model.evaluate(data.X_test, data.y_test)
            if data.X_test is not None
            else None
        )
    metrics["final_loss"] = None if diverged else _finite(train_eval["loss"])
    metrics["test_loss"] = (
        None if diverged or test_eval is None else _finite(test_eval["loss"])
    )
    key = "mse" if data.task == "regression" else "accuracy"
    for part, ev in (("train", train_eval), ("test", test_eval)):
        metrics[f"{part}_accuracy"] = (
            None if key != "accuracy" or ev is None else _finite(ev["accuracy"])
        )
        if key == "mse":
            metrics[f"{part}_mse"] = None if ev is None else _finite(ev["mse"])
    metrics.update(
        epochs=len(hist.get("loss", [])),
        loss_history=[_finite(v) for v in hist.get("loss", [])],
        val_loss_history=[_finite(v) for v in hist.get("val_loss", [])],
        time_history=[*prior_times, *(prior_seconds + t for t in clock.times)],
        seconds=seconds,
        config=config.to_dict(),
    )
    result = RunResult(config, data, model, metrics)
    if snapshots is not None and not diverged:
        result.animation = _Animation(result, snapshots)
    if out is not None:
        write_run(result, out)
    return result


class _NothingLeft(Exception):
    """A resumed run that had already done all its epochs."""


class _RunCheckpoint(ModelCheckpoint):
    """A run's checkpoint: also saves the wall-clock history, so that a
    resumed run's ``time_history`` and ``seconds`` go on from it."""

    times: tuple[_Clock, list[float], float]

    def save(self) -> str:
        clock, prior_times, prior_seconds = self.times
        self.metadata["time_history"] = [
            *prior_times,
            *(prior_seconds + t for t in clock.times),
        ]
        self.metadata["seconds"] = prior_seconds + (
            clock.times[-1] if clock.times else 0.0
        )
        return super().save()


def _stop(config: RunConfig, folder: Path | None, checkpoint: Any, signum: int) -> None:
    """Training stopped on a signal at the end of an epoch: save the
    checkpoint and raise ``Interrupted`` with how to resume."""
    from ._interrupt import Interrupted

    if checkpoint is None or folder is None:
        raise Interrupted(signum, "interrupted; nothing was saved (no run folder)")
    checkpoint.save()
    raise Interrupted(
        signum,
        f"interrupted after epoch {checkpoint.epoch} of {config.epochs}; "
        f"checkpoint saved in {folder / 'checkpoint.npz'}; resume with: "
        f"mlplab train --resume {folder}",
    )


def write_run(result: RunResult, out: str | Path) -> Path:
    """Write ``result``'s run folder (see the module notes); returns it."""
    from . import persistence, plots

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(result.config.to_toml(), encoding="utf-8")
    (folder / "metrics.json").write_text(
        json.dumps(result.metrics, indent=2) + "\n", encoding="utf-8"
    )
    persistence.save(
        result.model,
        folder / "model.npz",
        metadata={"classes": result.data.classes, "task": result.data.task},
    )
    history = result.model.history.history
    # A run that diverged in its first epoch (or a resumed run with no epoch
    # left) has no history to plot; the report then leaves the section out.
    if history.get("loss") or history.get("val_loss"):
        plots.save(
            plots.learning_curves(result.model.history, title=result.label),
            folder / "learning_curves.png",
        )
    data = result.data
    if data.n_features == 2:
        plots.save(
            plots.decision_boundary(
                result.model,
                data.X_train,
                data.y_train,
                X_test=data.X_test,
                y_test=data.y_test,
                title=result.label,
            ),
            folder / "decision_boundary.png",
        )
        plots.save(
            plots.neuron_maps(result.model, data.X_train, data.y_train),
            folder / "neuron_maps.png",
        )
    plots.save(plots.network_diagram(result.model), folder / "network.png")
    if data.task != "regression":
        X_eval, y_eval, part = data.X_train, data.y_train, "training"
        if data.X_test is not None and data.y_test is not None:
            X_eval, y_eval, part = data.X_test, data.y_test, "test"
        plots.save(
            plots.confusion_matrix(
                result.model,
                X_eval,
                y_eval,
                labels=[str(c) for c in data.classes],
                title=f"{result.label}: {part} data",
            ),
            folder / "confusion_matrix.png",
        )
    if result.animation is not None:
        result.animation.save(folder / "train.gif")
    result.folder = folder
    write_report(folder, recursive=False)
    return folder


def slug(text: str) -> str:
    """A folder name for a run label: ``"2-3 tanh"`` -> ``"2-3-tanh"``."""
    s = re.sub(r"[^A-Za-z0-9.=]+", "-", text).strip("-").lower()
    return s or "run"


def fmt(value: Any, kind: str = "") -> str:
    """A table cell: percentages for accuracies, 4 significant digits for
    losses, ``diverged``/``-`` for missing values."""
    if value is None:
        return "-"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def results_table(
    results: Sequence[RunResult | FailedRun],
    columns: list[str] | None = None,
    markdown: bool = False,
) -> str:
    """A table of runs: name, final loss, train/test accuracy (or MSE), epochs,
    seconds; diverged runs say so in the loss column."""
    columns = columns or ["final_loss", "train_accuracy", "test_accuracy", "seconds"]
    done = [r for r in results if isinstance(r, RunResult)]
    if done and all(r.data.task == "regression" for r in done):
        columns = [
            {"train_accuracy": "train_mse", "test_accuracy": "test_mse"}.get(c, c)
            for c in columns
        ]
    header = ["run", *columns]
    rows = []
    for r in results:
        row = [r.label]
        if isinstance(r, FailedRun):
            rows.append(
                [r.label, f"failed: {r.error}"[:80], *["-"] * (len(columns) - 1)]
            )
            continue
        for c in columns:
            value = r.metrics.get(c)
            if c == "final_loss" and r.diverged:
                row.append(f"diverged (epoch {r.metrics['diverged_epoch']})")
            elif c.endswith("accuracy"):
                row.append(fmt(value, "pct"))
            elif c == "seconds":
                row.append(f"{value:.2f}")
            else:
                row.append(fmt(value))
        rows.append(row)
    return format_table(header, rows, markdown=markdown)


def format_table(
    header: list[str], rows: list[list[str]], markdown: bool = False
) -> str:
    """Aligned plain text, or a Markdown table (numbers right-aligned)."""

    def numeric(col: int) -> bool:
        return all(re.match(r"^-?[\d.]+%?$", r[col]) or r[col] == "-" for r in rows)

    right = [numeric(i) and bool(rows) for i in range(len(header))]
    widths = [
        max(len(str(x)) for x in [h, *(r[i] for r in rows)])
        for i, h in enumerate(header)
    ]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if right[i] else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return (
            ("| " + " | ".join(parts) + " |") if markdown else "  ".join(parts).rstrip()
        )

    out = [line(header)]
    if markdown:
        out.append(
            "|"
            + "|".join(
                ("-" * (w + 1) + ":") if right[i] else ("-" * (w + 2))
                for i, w in enumerate(widths)
            )
            + "|"
        )
    else:
        out.append("  ".join("-" * w for w in widths))
    out += [line(r) for r in rows]
    return "\n".join(out)


def write_summary(
    results: Sequence[RunResult | FailedRun],
    folder: str | Path,
    *,
    boundaries: bool = True,
    title: str | None = None,
) -> Path:
    """The side-by-side outputs of several runs in ``folder``: ``results.md``
    (the table), ``results.json`` (every run's metrics), ``loss.png`` (the
    loss curves) and, for two input features, ``boundaries.png`` (one
    decision-boundary panel per run)."""
    from . import plots

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    table = results_table(results, markdown=True)
    (out / "results.md").write_text(
        (f"# {title}\n\n" if title else "") + table + "\n", encoding="utf-8"
    )
    (out / "results.json").write_text(
        json.dumps([r.metrics for r in results], indent=2) + "\n", encoding="utf-8"
    )
    done = [r for r in results if isinstance(r, RunResult)]
    curves = {r.label: r.metrics["loss_history"] for r in done}
    plots.save(
        plots.loss_curves(
            {k: [np.nan if v is None else v for v in c] for k, c in curves.items()},
            log=True,
            title=title,
        ),
        out / "loss.png",
    )
    if boundaries and done and all(r.data.n_features == 2 for r in done):
        plots.save(
            plots.sweep_grid([r.panel() for r in done], title=title),
            out / "boundaries.png",
        )
    write_report(out, recursive=False, title=title)
    return out
