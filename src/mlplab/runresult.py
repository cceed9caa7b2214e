"""What a run gives back: :class:`RunResult` for a run that finished
(diverged ones included) and :class:`FailedRun` for a run of a sweep that
raised. Both carry their numbers as a :class:`~mlplab.runmetrics.RunMetrics`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import RunConfig
from .model import Sequential
from .rundata import Data
from .runmetrics import RunMetrics

__all__ = ["FailedRun", "RunResult"]


@dataclass
class RunResult:
    """A finished run: its configuration, data, trained model and metrics
    (a metrics dict is read into a :class:`~mlplab.runmetrics.RunMetrics`)."""

    config: RunConfig
    data: Data
    model: Sequential
    metrics: RunMetrics
    folder: Path | None = None
    animation: Any = field(default=None, repr=False)  # see runs.train(animate=...)

    def __post_init__(self) -> None:
        if not isinstance(self.metrics, RunMetrics) and isinstance(
            self.metrics, Mapping
        ):
            self.metrics = RunMetrics.from_dict(self.metrics)

    @property
    def label(self) -> str:
        return self.config.label

    @property
    def diverged(self) -> bool:
        return self.metrics.diverged

    def panel(self, title: str | None = None) -> dict[str, Any]:
        """This run as a decision-boundary panel of ``plots.sweep_grid``: the
        model, its data and a title with the accuracy."""
        d = self.data
        return {
            "model": self.model,
            "X": d.X_train,
            "y": d.y_train,
            "X_test": d.X_test,
            "y_test": d.y_test,
            "title": self._title() if title is None else title,
        }

    def _title(self) -> str:
        """The label, and the test accuracy (the training one without a test
        split) or that the run diverged."""
        m = self.metrics
        acc, which = m.test_accuracy, "test"
        if acc is None:
            acc, which = m.train_accuracy, "train"
        if self.diverged:
            return f"{self.label}  (diverged)"
        if acc is not None:
            return f"{self.label}  {which} acc {100 * acc:.1f}%"
        return self.label


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
    def metrics(self) -> RunMetrics:
        return RunMetrics.failure(self.label, self.error, self.config.to_dict())
