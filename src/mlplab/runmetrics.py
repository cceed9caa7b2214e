"""The numbers of a run, as ``metrics.json`` holds them: one typed record.

:func:`mlplab.runs.train` measures a run into a :class:`RunMetrics`, the run
folder writes it as ``metrics.json`` (:meth:`RunMetrics.to_json`), and the
report, sweeps and recipes read it back (:meth:`RunMetrics.read`). Package
code reads its fields as attributes; for scripts and older code the record is
also a read-only mapping whose keys are exactly those of the run's
``metrics.json``: every run has

``name``, ``task``, ``classes``, ``n_train``, ``n_test``, ``n_params``,
``diverged``, ``diverged_epoch``, ``error``, ``final_loss``, ``test_loss``,
``train_accuracy``, ``test_accuracy``, ``epochs``, ``loss_history``,
``val_loss_history``, ``time_history``, ``seconds`` and ``config``,

a regression run also ``train_mse`` (after ``train_accuracy``) and
``test_mse`` (after ``test_accuracy``), and a run of a sweep that raised
(:class:`~mlplab.runs.FailedRun`) only ``name``, ``failed``, ``error``,
``diverged`` and ``config``.

>>> m = RunMetrics.failure("broken", "ValueError: boom", {"hidden": [2]})
>>> m.failed, m["error"], list(m)
(True, 'ValueError: boom', ['name', 'failed', 'error', 'diverged', 'config'])
>>> RunMetrics.from_json(m.to_json()) == m
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RunMetrics"]

# The keys of metrics.json, in the order written.
_FINISHED = (
    "name",
    "task",
    "classes",
    "n_train",
    "n_test",
    "n_params",
    "diverged",
    "diverged_epoch",
    "error",
    "final_loss",
    "test_loss",
    "train_accuracy",
    "train_mse",
    "test_accuracy",
    "test_mse",
    "epochs",
    "loss_history",
    "val_loss_history",
    "time_history",
    "seconds",
    "config",
)
_REGRESSION_ONLY = ("train_mse", "test_mse")
_CLASSIFICATION = tuple(k for k in _FINISHED if k not in _REGRESSION_ONLY)
_FAILED = ("name", "failed", "error", "diverged", "config")


def _keys_of(failed: bool, task: Any) -> tuple[str, ...]:
    """The keys of a run's metrics.json, in order."""
    if failed:
        return _FAILED
    return _FINISHED if task == "regression" else _CLASSIFICATION


@dataclass(frozen=True, kw_only=True, eq=False)
class RunMetrics(Mapping[str, Any]):
    """What a run measured (see the module notes for which keys a run has).

    Losses and accuracies are ``None`` where they do not apply (no test
    split, a regression run's accuracies, a diverged run's losses) and where
    they were not finite. A failed run's record holds its name, error and
    configuration; its other fields keep their defaults.
    """

    name: str
    task: str = ""  # "binary", "multiclass" or "regression"
    classes: list[Any] = field(default_factory=list)
    n_train: int = 0
    n_test: int = 0
    n_params: int = 0
    diverged: bool = False
    diverged_epoch: int | None = None  # counted from 1, like loss_history
    error: str | None = None
    final_loss: float | None = None  # regularization included
    test_loss: float | None = None
    train_accuracy: float | None = None
    train_mse: float | None = None  # regression runs only
    test_accuracy: float | None = None
    test_mse: float | None = None  # regression runs only
    epochs: int = 0
    loss_history: list[float | None] = field(default_factory=list)
    val_loss_history: list[float | None] = field(default_factory=list)
    time_history: list[float] = field(default_factory=list)  # seconds
    seconds: float = 0.0
    config: dict[str, Any] = field(default_factory=dict)
    failed: bool = False  # a run of a sweep that raised

    @classmethod
    def failure(cls, name: str, error: str, config: dict[str, Any]) -> RunMetrics:
        """The record of a run that raised ``error`` instead of finishing."""
        return cls(name=name, error=error, config=config, failed=True)

    def loss_curve(self) -> list[float]:
        """``loss_history`` with NaN for the losses that were not finite: the
        curve to plot."""
        return [math.nan if v is None else v for v in self.loss_history]

    # -- the mapping of metrics.json ----------------------------------------------
    def _keys(self) -> tuple[str, ...]:
        return _keys_of(self.failed, self.task)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __repr__(self) -> str:
        return f"RunMetrics({', '.join(f'{k}={self[k]!r}' for k in self)})"

    # -- JSON -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The keys and values of ``metrics.json``, in its order."""
        return {key: getattr(self, key) for key in self._keys()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RunMetrics:
        """The record of a ``metrics.json`` read as a dict; a ``ValueError``
        names the keys missing or unknown."""
        if not isinstance(values, Mapping):
            raise ValueError(
                f"the metrics of a run are a JSON object; received {values!r}"
            )
        expected = _keys_of(bool(values.get("failed", False)), values.get("task"))
        missing = [k for k in expected if k not in values]
        unknown = [k for k in values if k not in expected]
        if missing or unknown:
            problems = [
                f"{what} {', '.join(map(repr, keys))}"
                for what, keys in (("missing", missing), ("unknown", unknown))
                if keys
            ]
            raise ValueError("not the metrics of a run: " + "; ".join(problems))
        return cls(**values)

    def to_json(self) -> str:
        """The text of ``metrics.json``."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RunMetrics:
        """The record of the text of a ``metrics.json``."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def read(cls, path: str | Path) -> RunMetrics:
        """Read a ``metrics.json`` file."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
