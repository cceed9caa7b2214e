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
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .config import RunConfig
from .runs import (
    FailedRun,
    RunResult,
    load_data,
    results_table,
    slug,
    train,
    write_run,
    write_summary,
)

__all__ = ["SweepResults", "compare", "grid_configs", "run"]

BACKENDS = ("sequential", "loky", "dask")
CONNECT_TIMEOUT = 30  # seconds to reach a Dask scheduler


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


class SweepResults(list[Any]):
    """The runs of a sweep or comparison, in the order of their
    configurations: :class:`~mlplab.runs.RunResult` for each finished run
    (diverged ones included) and :class:`~mlplab.runs.FailedRun` for each
    that raised. A plain list, plus the results table (no pandas needed)."""

    @property
    def succeeded(self) -> list[RunResult]:
        return [r for r in self if isinstance(r, RunResult)]

    @property
    def failed(self) -> list[FailedRun]:
        return [r for r in self if isinstance(r, FailedRun)]

    def table(self) -> list[dict[str, Any]]:
        """One row per run: its name, status, what it varied and its metrics."""
        rows = []
        for r in self:
            m = r.metrics
            status = (
                "failed"
                if isinstance(r, FailedRun)
                else "diverged"
                if r.diverged
                else "ok"
            )
            rows.append(
                {
                    "run": r.label,
                    "status": status,
                    "final_loss": m.get("final_loss"),
                    "train_accuracy": m.get("train_accuracy"),
                    "test_accuracy": m.get("test_accuracy"),
                    "epochs": m.get("epochs"),
                    "seconds": m.get("seconds"),
                    "error": m.get("error"),
                }
            )
        return rows

    def to_text(self, markdown: bool = False) -> str:
        return results_table(self, markdown=markdown)

    def to_markdown(self) -> str:
        return results_table(self, markdown=True)


def run(
    base: RunConfig,
    grid: Mapping[str, Sequence[Any]],
    *,
    backend: str = "sequential",
    n_jobs: int | None = None,
    scheduler: Any = None,
    out: str | Path | None = None,
    progress: bool = False,
    title: str | None = None,
) -> SweepResults:
    """Train every configuration of the grid; with ``out``, write one run
    folder per configuration and the summary (table, loss curves, grid of
    decision boundaries, report) in ``out``.

    Each run is seeded from its own configuration (data, split, weights,
    shuffling), so its result does not depend on the backend, the worker or
    the order: the same grid gives the same bits sequentially, with loky or on
    a Dask cluster. A run that raises is recorded as a
    :class:`~mlplab.runs.FailedRun` with its error and the sweep goes on; a
    diverging run is a normal result marked ``diverged``.

    Parameters
    ----------
    base : RunConfig
    grid : mapping of key to list of values
        Keys and values as in a configuration file, e.g.
        ``{"hidden": [1, 2, 3], "lr": [0.1, 1.0]}``.
    backend : {"sequential", "loky", "dask"}
        ``"loky"``: worker processes on this machine (joblib); ``"dask"``: a
        Dask distributed cluster -- the one at ``scheduler``, or a
        ``LocalCluster`` started for the sweep and closed after it (needs the
        ``distributed`` extra: ``pip install mlplab[distributed]``).
    n_jobs : int, optional
        Worker processes for loky (default: all cores) and for a local Dask
        cluster (default 2).
    scheduler : str or dask.distributed.Client, optional
        ``"tcp://HOST:PORT"`` of a running Dask scheduler, or a ``Client``.
    out : path, optional
        Run folders are written here, by this process, after the runs return.
    progress : bool
        A progress bar over the runs.
    """
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown sweep backend {backend!r}. Valid backends: " + ", ".join(BACKENDS)
        )
    if scheduler is not None and backend != "dask":
        raise ValueError("a scheduler address only applies to backend='dask'")
    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0
    ):
        raise ValueError(f"n_jobs must be a non-zero integer; received {n_jobs!r}")
    configs = grid_configs(base, grid)
    return _run_all(configs, out, progress, title, backend, n_jobs, scheduler)


def compare(
    configs: Sequence[RunConfig],
    *,
    baseline: bool = True,
    out: str | Path | None = None,
    progress: bool = False,
    title: str | None = None,
) -> SweepResults:
    """Train ``configs`` side by side, plus the logistic-regression baseline
    (no hidden layer, no feature crosses) of the first unless
    ``baseline=False``; with ``out``, write a run folder each and the summary."""
    configs = list(configs)
    if not configs:
        raise ValueError("compare needs at least one configuration")
    if baseline and configs[0].hidden:
        configs.append(configs[0].baseline())
    return _run_all(configs, out, progress, title)


def _one(config: RunConfig, data: Any) -> RunResult | FailedRun:
    """One run, wherever it executes; an error becomes a FailedRun."""
    try:
        return train(config, None, data=data)
    except Exception as exc:  # recorded, and the sweep goes on
        return FailedRun(config, f"{type(exc).__name__}: {exc}")


def _data_key(config: RunConfig) -> tuple[Any, ...]:
    return (
        config.dataset,
        config.data,
        config.label_column,
        config.samples,
        config.noise,
        config.test_size,
        config.seed,
        config.output_activation,
    )


def _run_all(
    configs: list[RunConfig],
    out: str | Path | None,
    progress: bool,
    title: str | None,
    backend: str = "sequential",
    n_jobs: int | None = None,
    scheduler: Any = None,
) -> SweepResults:
    cache: dict[tuple[Any, ...], Any] = {}
    datas = []
    for config in configs:  # runs on the same data share one copy of it
        key = _data_key(config)
        if key not in cache:
            cache[key] = load_data(config)
        datas.append(cache[key])
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(configs), unit="run", file=sys.stderr, dynamic_ncols=True)
    try:
        if backend == "sequential":
            results = []
            for config, data in zip(configs, datas, strict=True):
                results.append(_one(config, data))
                if bar is not None:
                    bar.update(1)
        elif backend == "loky":
            results = _loky(configs, datas, n_jobs, bar)
        else:
            results = _dask(configs, datas, n_jobs, scheduler, bar)
    finally:
        if bar is not None:
            bar.close()
    out_results = SweepResults(results)
    if out is not None:
        for i, r in enumerate(out_results, 1):
            folder = Path(out) / f"{i:02d}-{slug(r.label)}"
            if isinstance(r, RunResult):
                write_run(r, folder)
        write_summary(out_results, out, title=title)
    return out_results


def _loky(
    configs: list[RunConfig], datas: list[Any], n_jobs: int | None, bar: Any
) -> list[RunResult | FailedRun]:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs or -1, backend="loky", return_as="generator")
    results = []
    for r in parallel(delayed(_one)(c, d) for c, d in zip(configs, datas, strict=True)):
        results.append(r)
        if bar is not None:
            bar.update(1)
    return results


def _dask(
    configs: list[RunConfig],
    datas: list[Any],
    n_jobs: int | None,
    scheduler: Any,
    bar: Any,
) -> list[RunResult | FailedRun]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ValueError(
            "backend='dask' needs dask.distributed: pip install 'mlplab[distributed]'"
        ) from None
    cluster = client = None
    try:
        if isinstance(scheduler, Client):
            client = scheduler
            own = False
        else:
            own = True
            if scheduler is None:
                cluster = LocalCluster(
                    n_workers=n_jobs if n_jobs and n_jobs > 0 else 2,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                client = Client(cluster)
            else:
                client = Client(str(scheduler), timeout=CONNECT_TIMEOUT)
        futures = client.map(_one, configs, datas, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        for future, result in as_completed(futures, with_results=True):
            results[index[future.key]] = result
            if bar is not None:
                bar.update(1)
        return results
    except OSError as exc:
        raise ValueError(
            f"cannot reach the Dask scheduler {scheduler}: {exc}"
        ) from None
    finally:
        if client is not None and own:
            client.close()
        if cluster is not None:
            cluster.close()
