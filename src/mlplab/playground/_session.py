"""One browser tab's run: its data, network and trainer, trained epoch by
epoch in a thread of its own while the page watches.

Training is ``mlplab train``'s, in pieces: the data come from
:func:`mlplab.rundata.load_data`, the network from
:func:`mlplab.runmodel.build_model`, and a :class:`mlplab.training.Trainer`
runs one epoch at a time, which gives the same bits as one ``fit`` of all
the epochs. So the exported configuration reproduces the page's losses
exactly.

Every access to the model happens under :attr:`Session.lock`: the training
thread holds it for an epoch and a frame, a request (pause, export, explain)
waits for it.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import persistence
from ..config import RunConfig
from ..exceptions import DivergenceError
from ..explain import trace
from ..layers import Dense
from ..model import Sequential
from ..rundata import Data, load_data
from ..runmodel import build_model
from ..training import Trainer
from . import _exports
from ._frames import THUMB, Picture, Plane, finite, model_frame, scores, thin
from ._pageconfig import UPLOAD, PageConfig
from ._render import trace_html
from ._uploads import Upload

__all__ = ["FRAME_INTERVAL", "Run", "Session"]

FRAME_INTERVAL = 1 / 25  # seconds between frames while training
MAX_EXPLAIN = 8  # examples in one explained step


@dataclass
class Run:
    """The run of one configuration: data, network, trainer and, with the
    baseline on, a logistic regression trained alongside."""

    page: PageConfig
    config: RunConfig
    data: Data
    model: Sequential
    trainer: Trainer
    plane: Plane
    target_range: tuple[float, float] | None
    baseline: tuple[Sequential, Trainer] | None
    diverged: dict[str, Any] | None = None

    @classmethod
    def start(cls, page: PageConfig, upload: Upload | None) -> Run:
        """Load the data and build the network of ``page`` (raises
        ``ValueError`` with the loader's message for bad data)."""
        config = page.run_config(1, None if upload is None else upload.path)
        data = load_data(config)
        if data.n_features != 2:
            raise ValueError(
                f"the playground draws two input features; the data have "
                f"{data.n_features}"
            )
        X = (
            data.X_train
            if data.X_test is None
            else np.vstack([data.X_train, data.X_test])
        )
        target_range = None
        if data.task == "regression":
            y = data.y_train.astype(np.float64)
            target_range = (float(y.min()), float(y.max()))
        return cls(
            page,
            config,
            data,
            *_trained(config, data),
            Plane.around(X),
            target_range,
            _trained(config.baseline(), data) if page.baseline else None,
        )

    def __post_init__(self) -> None:
        self.picture = Picture(self.model, self.plane)
        if self.baseline is not None:
            self.baseline_picture = Picture(self.baseline[0], self.plane)

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    def train_epoch(self) -> None:
        """One epoch of the network (and of the baseline); a divergence stops
        training and is recorded for the page."""
        if self.diverged is not None:
            return
        try:
            self.trainer.run(1)
        except DivergenceError as exc:
            n = (exc.epoch if exc.epoch is not None else self.trainer.epoch) + 1
            self.diverged = {
                "epoch": n,
                "message": f"diverged at epoch {n} — lower the learning rate",
            }
        if self.baseline is not None:
            try:
                self.baseline[1].run(1)
            except DivergenceError:
                self.baseline = None

    def frame(self, running: bool) -> dict[str, Any]:
        """Everything the page draws now (see ``docs/playground.md``)."""
        history = self.trainer.history.history
        train, test = history.get("loss", []), history.get("val_loss", [])
        keep = thin(train)
        frame: dict[str, Any] = {
            "epoch": self.epoch,
            "running": running,
            "curve": {
                "epoch": [i + 1 for i in keep],
                "train": [finite(train[i]) for i in keep],
                "test": [finite(test[i]) for i in keep if i < len(test)],
            },
            **model_frame(self.picture, self.data, self.plane, self.target_range),
            "baseline": None,
            "diverged": self.diverged,
        }
        if self.baseline is not None:
            frame["baseline"] = model_frame(
                self.baseline_picture,
                self.data,
                self.plane,
                self.target_range,
                units=False,
            )
        return frame

    def info(self) -> dict[str, Any]:
        """What the page needs to know once per configuration."""
        d = self.data
        dense = [layer for layer in self.model.layers if isinstance(layer, Dense)]
        return {
            "task": d.task,
            "classes": [c if isinstance(c, str) else finite(c) for c in d.classes],
            "inputs": list(self.page.features),
            "layers": [layer.units for layer in dense],
            "activations": [layer.activation.name for layer in dense],
            "bounds": list(self.plane.bounds),
            "grid": self.plane.size,
            "thumb": _frame_thumb(self.plane.size),
            "train": _points(d.X_train, d.y_train, d.task),
            "test": _points(d.X_test, d.y_test, d.task),
            "target_range": None
            if self.target_range is None
            else list(self.target_range),
            "config": self.page.to_json(),
        }


def _trained(config: RunConfig, data: Data) -> tuple[Sequential, Trainer]:
    """A new network of ``config`` and the trainer that ``mlplab train``'s
    ``fit`` would make for it."""
    model = build_model(config, data)
    validation = (data.X_test, data.y_test) if data.X_test is not None else None
    trainer = Trainer(
        model,
        data.X_train,
        data.y_train,
        batch_size=config.batch_size,
        validation_data=validation,
    )
    return model, trainer


def _frame_thumb(size: int) -> int:
    return len(range(0, size, max(1, size // THUMB)))


def _points(X: np.ndarray | None, y: np.ndarray | None, task: str) -> dict[str, Any]:
    if X is None or y is None:
        return {"x": [], "y": []}
    labels = y.astype(np.float64) if task == "regression" else y.astype(np.int64)
    return {"x": np.round(X, 6).tolist(), "y": labels.tolist()}


class Session:
    """A browser tab's run, trained in a thread while ``running``.

    Parameters
    ----------
    sid : str
        The session's id in the page's requests.
    page : PageConfig
    upload : Upload, optional
        The uploaded file ``page`` names.
    """

    def __init__(self, sid: str, page: PageConfig, upload: Upload | None) -> None:
        self.id = sid
        self.lock = threading.RLock()
        self.changed = threading.Condition()
        self.run = Run.start(page, upload)
        self.upload = upload
        self.running = False
        self.closed = False
        self.version = 0
        self.frame_bytes = b""
        self.last_seen = time.monotonic()
        self.listeners = 0
        self._last_frame = 0.0
        self._interval = FRAME_INTERVAL
        self.publish()
        self._thread = threading.Thread(
            target=self._work, name=f"mlplab-playground-{sid}", daemon=True
        )
        self._thread.start()

    # -- commands ----------------------------------------------------------------
    def configure(self, page: PageConfig, upload: Upload | None) -> dict[str, Any]:
        """Start over with ``page``'s data and network, paused. A bad
        configuration raises and leaves the run as it was."""
        run = Run.start(page, upload)
        with self.lock:
            self.running = False
            self.run, self.upload = run, upload
            self.publish()
            return self.info()

    def play(self) -> None:
        with self.changed:
            self.running = self.run.diverged is None
            self.changed.notify_all()

    def pause(self) -> int:
        """Stop training; returns once the epoch under way has ended."""
        self.running = False
        with self.lock:
            self.publish()
            return self.run.epoch

    def step(self) -> int:
        """One epoch, then paused."""
        self.running = False
        with self.lock:
            self.run.train_epoch()
            self.publish()
            return self.run.epoch

    def reset(self) -> dict[str, Any]:
        """The same configuration from its initial weights: the same seed
        gives the same weights, the same first loss."""
        return self.configure(self.run.page, self.upload)

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.running = False
            self.changed.notify_all()

    def info(self) -> dict[str, Any]:
        with self.lock:
            return {"session": self.id, **self.run.info()}

    def watch(self, change: int) -> None:
        """An event stream opens (+1) or closes (-1)."""
        with self.changed:
            self.listeners += change
            self.last_seen = time.monotonic()

    # -- frames --------------------------------------------------------------------
    def publish(self) -> None:
        """Compute the frame of the model as it is now and wake the streams.

        Frames come every :data:`FRAME_INTERVAL` seconds while training, or
        less often when a frame takes longer than a third of that: the
        live view never takes more than about a quarter of the time."""
        with self.lock:
            start = time.monotonic()
            data = json.dumps(self.run.frame(self.running), allow_nan=False)
            self._last_frame = time.monotonic()
            self._interval = max(FRAME_INTERVAL, 3 * (self._last_frame - start))
        with self.changed:
            self.version += 1
            self.frame_bytes = data.encode()
            self.changed.notify_all()

    def wait_frame(self, seen: int, timeout: float) -> tuple[int, bytes]:
        """The newest frame once its version differs from ``seen`` (or the
        same after ``timeout`` seconds)."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.version != seen or self.closed, timeout=timeout
            )
            return self.version, self.frame_bytes

    def _work(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.running or self.closed)
                if self.closed:
                    return
            with self.lock:
                # Epochs until the next frame is due, a pause or a divergence.
                due = self._last_frame + self._interval
                while self.running and time.monotonic() < due:
                    self.run.train_epoch()
                    if self.run.diverged is not None:
                        self.running = False
                self.publish()

    # -- exports ---------------------------------------------------------------------
    def export(self, kind: str) -> tuple[str, str, bytes]:
        """``(filename, content type, bytes)`` of an export: ``toml``,
        ``command``, ``python`` or ``model``."""
        with self.lock:
            run = self.run
            name = None if self.upload is None else self.upload.name
            config = run.page.run_config(run.epoch, name)
            if kind == "model":
                return "model.npz", "application/octet-stream", _model_bytes(run)
            measured = scores(run.model, run.data)
            losses = {"train": measured["train_loss"], "test": measured["test_loss"]}
        return _exports.export(
            kind, config, run.epoch, losses, run.page.dataset == UPLOAD
        )

    def explain(self, indices: Any) -> str:
        """The next training step on the chosen training points, as HTML;
        taken on a copy, so the run is not changed."""
        with self.lock:
            run = self.run
            n = run.data.X_train.shape[0]
            chosen = _indices(indices, n)
            copy = _copy(run.model)
        X = run.data.X_train[chosen]
        y = run.data.y_train[chosen]
        return trace_html(trace(copy, X, y, steps=1), chosen)


def _indices(indices: Any, n: int) -> list[int]:
    if indices is None or indices == []:
        return list(range(min(4, n)))
    if not isinstance(indices, list) or len(indices) > MAX_EXPLAIN:
        raise ValueError(
            f"indices must be a list of at most {MAX_EXPLAIN} training points; "
            f"received indices={indices!r}"
        )
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise ValueError(
                f"indices must be training points 0 .. {n - 1}; received {i!r}"
            )
    return [int(i) for i in indices]


def _copy(model: Sequential) -> Sequential:
    """The model with its optimizer state and random generators, by a round
    trip through its file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        persistence.save(model, path)
        return persistence.load(path)


def _model_bytes(run: Run) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        persistence.save(
            run.model,
            path,
            metadata={"classes": run.data.classes, "task": run.data.task},
        )
        return path.read_bytes()
