"""Run folders on disk: one run's folder (:func:`write_run`, its files listed
in :mod:`mlplab.runs`) and the side-by-side summary of several
(:func:`write_summary`).

>>> slug("2-3 tanh, lr=0.5")
'2-3-tanh-lr=0.5'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from . import persistence
from .report import write_report
from .runresult import FailedRun, RunResult
from .runtable import results_table

__all__ = ["slug", "write_run", "write_summary"]


def slug(text: str) -> str:
    """A folder name for a run label: ``"2-3 tanh"`` -> ``"2-3-tanh"``."""
    s = re.sub(r"[^A-Za-z0-9.=]+", "-", text).strip("-").lower()
    return s or "run"


def write_run(result: RunResult, out: str | Path) -> Path:
    """Write ``result``'s run folder (see :mod:`mlplab.runs`); returns it."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(result.config.to_toml(), encoding="utf-8")
    (folder / "metrics.json").write_text(result.metrics.to_json(), encoding="utf-8")
    persistence.save(
        result.model,
        folder / "model.npz",
        metadata={"classes": result.data.classes, "task": result.data.task},
    )
    _write_pictures(result, folder)
    if result.animation is not None:
        result.animation.save(folder / "train.gif")
    result.folder = folder
    write_report(folder, recursive=False)
    return folder


def _write_pictures(result: RunResult, folder: Path) -> None:
    """The learning curves, network diagram and, as they apply, decision
    boundary, neuron maps and confusion matrix of a run."""
    from . import plots

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
        json.dumps([r.metrics.to_dict() for r in results], indent=2) + "\n",
        encoding="utf-8",
    )
    done = [r for r in results if isinstance(r, RunResult)]
    curves = {r.label: r.metrics.loss_curve() for r in done}
    plots.save(plots.loss_curves(curves, log=True, title=title), out / "loss.png")
    if boundaries and done and all(r.data.n_features == 2 for r in done):
        plots.save(
            plots.sweep_grid([r.panel() for r in done], title=title),
            out / "boundaries.png",
        )
    write_report(out, recursive=False, title=title)
    return out
