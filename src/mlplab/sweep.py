"""Sweeps and comparisons: many runs of one base configuration.

``run(base, {"hidden": [1, 2, 3]})`` trains every combination of the values
given (the Cartesian product of the grid), each seeded from its own
configuration, so a result does not depend on the order or the place it ran.
``compare(configs)`` trains a list of configurations and, by default, the
logistic-regression baseline of the first, on the same data and split.

>>> from mlplab.config import RunConfig
>>> base = RunConfig(samples=100, epochs=20, test_size=0.0)
>>> [r.config.hidden for r in run(base, {"hidden": ["1", "3"]})]
[(1,), (3,)]
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .config import RunConfig
from .runs import RunResult, load_data, slug, train, write_summary

__all__ = ["compare", "grid_configs", "run"]

BACKENDS = ("sequential",)


def grid_configs(base: RunConfig, grid: Mapping[str, Sequence[Any]]) -> list[RunConfig]:
    """Every combination of the grid's values applied to ``base``, in order
    (the last key varies fastest), each named after what it varies."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(
            f"a sweep needs at least one parameter with values, e.g. "
            f"{{'hidden': [1, 2, 3]}}; received {grid!r}"
        )
    keys = list(grid)
    for key in keys:
        values = grid[key]
        if isinstance(values, str) or not isinstance(values, Sequence) or not values:
            raise ValueError(
                f"sweep parameter {key!r} needs a non-empty list of values; "
                f"received {values!r}"
            )
    configs = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        changes = dict(zip(keys, combo, strict=True))
        name = ", ".join(f"{k}={_show(v)}" for k, v in changes.items())
        configs.append(base.replace(**changes, name=name))
    return configs


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "0"
    return str(value)


def run(
    base: RunConfig,
    grid: Mapping[str, Sequence[Any]],
    *,
    backend: str = "sequential",
    out: str | Path | None = None,
    progress: bool = False,
    title: str | None = None,
) -> list[RunResult]:
    """Train every configuration of the grid; with ``out``, write one run
    folder per configuration and the summary (table, loss curves, grid of
    decision boundaries) in ``out``.

    Parameters
    ----------
    base : RunConfig
    grid : mapping of key to list of values
        Keys and values as in a configuration file, e.g.
        ``{"hidden": [1, 2, 3], "lr": [0.1, 1.0]}``.
    backend : {"sequential"}
        Where the runs execute.
    """
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown sweep backend {backend!r}. Valid backends: " + ", ".join(BACKENDS)
        )
    configs = grid_configs(base, grid)
    return _run_all(configs, out, progress, title)


def compare(
    configs: Sequence[RunConfig],
    *,
    baseline: bool = True,
    out: str | Path | None = None,
    progress: bool = False,
    title: str | None = None,
) -> list[RunResult]:
    """Train ``configs`` side by side, plus the logistic-regression baseline
    (no hidden layer, no feature crosses) of the first unless
    ``baseline=False``; with ``out``, write a run folder each and the summary."""
    configs = list(configs)
    if not configs:
        raise ValueError("compare needs at least one configuration")
    if baseline and configs[0].hidden:
        configs.append(configs[0].baseline())
    return _run_all(configs, out, progress, title)


def _run_all(
    configs: list[RunConfig], out: str | Path | None, progress: bool, title: str | None
) -> list[RunResult]:
    results: list[RunResult] = []
    cache: dict[tuple[Any, ...], Any] = {}
    for i, config in enumerate(configs, 1):
        key = (
            config.dataset,
            config.data,
            config.label_column,
            config.samples,
            config.noise,
            config.test_size,
            config.seed,
            config.output_activation,
        )
        if key not in cache:  # runs on the same data share one copy of it
            cache[key] = load_data(config)
        folder = None if out is None else Path(out) / f"{i:02d}-{slug(config.label)}"
        results.append(train(config, folder, progress=progress, data=cache[key]))
    if out is not None:
        write_summary(results, out, title=title)
    return results
