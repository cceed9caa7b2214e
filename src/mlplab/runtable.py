"""Runs as text tables: aligned for a terminal, or Markdown for a file.

>>> print(format_table(["run", "loss"], [["a", "0.5"], ["bb", "0.25"]]))
run  loss
---  ----
a     0.5
bb   0.25
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .runresult import FailedRun, RunResult

__all__ = ["fmt", "format_table", "results_table"]

# A regression run reports mean squared errors where classification reports
# accuracies.
_REGRESSION_COLUMNS = {"train_accuracy": "train_mse", "test_accuracy": "test_mse"}


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
        columns = [_REGRESSION_COLUMNS.get(c, c) for c in columns]
    rows = []
    for r in results:
        if isinstance(r, FailedRun):
            rows.append(
                [r.label, f"failed: {r.error}"[:80], *["-"] * (len(columns) - 1)]
            )
        else:
            rows.append([r.label, *(_cell(r, c) for c in columns)])
    return format_table(["run", *columns], rows, markdown=markdown)


def _cell(result: RunResult, column: str) -> str:
    """The cell of ``result``'s metric ``column`` (a key of its metrics.json)."""
    value = result.metrics.get(column)
    if column == "final_loss" and result.diverged:
        return f"diverged (epoch {result.metrics.diverged_epoch})"
    if column.endswith("accuracy"):
        return fmt(value, "pct")
    if column == "seconds":
        return f"{value:.2f}"
    return fmt(value)


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
