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

import contextlib
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import engine
from ._interrupt import Interrupted
from .config import RunConfig
from .persistence import load
from .rundata import Data, load_data
from .runfolder import slug, write_run, write_summary
from .runmetrics import RunMetrics
from .runmodel import build_model
from .runresult import FailedRun, RunResult
from .runs import train
from .runtable import results_table

__all__ = ["SweepResults", "compare", "grid_configs", "resume", "run"]

BACKENDS = ("sequential", "loky", "dask", "numba")
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
        return [_table_row(r) for r in self]

    def to_text(self, markdown: bool = False) -> str:
        return results_table(self, markdown=markdown)

    def to_markdown(self) -> str:
        return results_table(self, markdown=True)


def _table_row(result: RunResult | FailedRun) -> dict[str, Any]:
    """A row of :meth:`SweepResults.table`; a failed run has only its error."""
    if isinstance(result, FailedRun):
        numbers = ("final_loss", "train_accuracy", "test_accuracy", "epochs", "seconds")
        return {
            "run": result.label,
            "status": "failed",
            **dict.fromkeys(numbers),
            "error": result.error,
        }
    m = result.metrics
    return {
        "run": result.label,
        "status": "diverged" if result.diverged else "ok",
        "final_loss": m.final_loss,
        "train_accuracy": m.train_accuracy,
        "test_accuracy": m.test_accuracy,
        "epochs": m.epochs,
        "seconds": m.seconds,
        "error": m.error,
    }


@dataclass(frozen=True)
class _Where:
    """Where the runs of a sweep execute: one of ``BACKENDS``, its number of
    worker processes and, for Dask, the scheduler."""

    backend: str = "sequential"
    n_jobs: int | None = None
    scheduler: Any = None

    def check(self) -> _Where:
        """This, if its settings go together; else a ``ValueError``."""
        backend, n_jobs = self.backend, self.n_jobs
        if backend not in BACKENDS:
            raise ValueError(
                f"unknown sweep backend {backend!r}. Valid backends: "
                + ", ".join(BACKENDS)
            )
        if self.scheduler is not None and backend != "dask":
            raise ValueError("a scheduler address only applies to backend='dask'")
        if n_jobs is not None and (
            isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0
        ):
            raise ValueError(f"n_jobs must be a non-zero integer; received {n_jobs!r}")
        if backend == "numba" and not engine.numba_available():
            raise ImportError(
                "backend='numba' trains with the compiled engine, which needs "
                "Numba, not installed: pip install mlplab[fast] (or pip install numba)"
            )
        return self

    def prepare(self, configs: list[RunConfig]) -> list[RunConfig]:
        """The configurations as this backend trains them: with
        ``engine="numba"`` for the ``"numba"`` backend, as given otherwise."""
        if self.backend != "numba":
            return configs
        return [
            c if c.engine == "numba" else c.replace(engine="numba") for c in configs
        ]


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
    interrupt: Any = None,
) -> SweepResults:
    """Train every configuration of the grid; with ``out``, write one run
    folder per configuration and the summary (table, loss curves, grid of
    decision boundaries, report) in ``out``.

    Each run is seeded from its own configuration (data, split, weights,
    shuffling), so its result does not depend on the backend, the worker or
    the order: the same grid gives the same bits sequentially, with loky or on
    a Dask cluster. A run that raises is recorded as a
    :class:`~mlplab.runs.FailedRun` with its error and the sweep goes on (when
    every run raises, a ``ValueError`` names the first one's error); a
    diverging run is a normal result marked ``diverged``.

    Parameters
    ----------
    base : RunConfig
    grid : mapping of key to list of values
        Keys and values as in a configuration file, e.g.
        ``{"hidden": [1, 2, 3], "lr": [0.1, 1.0]}``.
    backend : {"sequential", "loky", "dask", "numba"}
        ``"loky"``: worker processes on this machine (joblib); ``"dask"``: a
        Dask distributed cluster -- the one at ``scheduler``, or a
        ``LocalCluster`` started for the sweep and closed after it (needs the
        ``distributed`` extra: ``pip install mlplab[distributed]``);
        ``"numba"``: every configuration with ``engine="numba"`` (the compiled
        engine, ``pip install mlplab[fast]``), ``n_jobs`` runs at once in
        threads of this process (each run a few kernel calls of many epochs,
        which release the GIL, so the runs spread over the cores), each result
        the same bits as training that configuration alone with the compiled
        engine. A configuration the compiled engine does not cover is refused
        before any run starts, with a ``ValueError`` naming it and the
        component; run folders are written by the calling thread.
    n_jobs : int, optional
        Worker processes for loky (default: all cores) and for a local Dask
        cluster (default 2); threads for numba (default: all cores; -1 all
        cores, -2 all but one...).
    scheduler : str or dask.distributed.Client, optional
        ``"tcp://HOST:PORT"`` of a running Dask scheduler, or a ``Client``.
    out : path, optional
        Run folders are written here, by this process, as each run returns,
        with ``sweep.json`` (the configurations) for :func:`resume`.
    progress : bool
        A progress bar over the runs.
    interrupt : GracefulInterrupt, optional
        When its signal arrives, the sweep stops (a run in progress on this
        process at the end of its epoch), keeps the finished runs' folders
        and raises ``Interrupted`` with how to resume.
    """
    where = _Where(backend, n_jobs, scheduler).check()
    configs = where.prepare(grid_configs(base, grid))
    return _run_all(configs, out, progress, title, where, interrupt=interrupt)


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


def _one(
    config: RunConfig, data: Data, interrupt: Any = None
) -> RunResult | FailedRun | None:
    """One run, wherever it executes; an error becomes a FailedRun, a run
    stopped by a signal None (it is run again on resume)."""
    try:
        return train(config, None, data=data, interrupt=interrupt)
    except Interrupted:
        return None
    except Exception as exc:  # recorded, and the sweep goes on
        return FailedRun(config, f"{type(exc).__name__}: {exc}")


def _data_key(config: RunConfig) -> tuple[Any, ...]:
    return (
        config.dataset,
        config.data,
        config.label_column,
        config.feature_columns,
        config.samples,
        config.noise,
        config.test_size,
        config.seed_of_data(),
        config.output_spec(),  # it decides the task, and so the labels' encoding
    )


STATE = "sweep.json"  # the configurations of a sweep, for --resume


def _folder(out: str | Path, i: int, config: RunConfig) -> Path:
    return Path(out) / f"{i + 1:02d}-{slug(config.label)}"


def resume(
    out: str | Path,
    *,
    backend: str = "sequential",
    n_jobs: int | None = None,
    scheduler: Any = None,
    progress: bool = False,
    interrupt: Any = None,
) -> SweepResults:
    """Finish the sweep or comparison whose folder is ``out``: the runs whose
    folders are complete are read back, the others are trained. The results
    are those of an uninterrupted sweep."""
    state = Path(out) / STATE
    try:
        doc = json.loads(state.read_text(encoding="utf-8"))
        configs = [RunConfig.from_dict(c) for c in doc["configs"]]
    except (FileNotFoundError, NotADirectoryError):
        raise ValueError(
            f"nothing to resume: {out} has no {STATE} (from mlplab sweep or compare)"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{state}: not a sweep state file: {exc}") from None
    done: dict[int, RunResult] = {}
    for i, config in enumerate(configs):
        folder = _folder(out, i, config)
        if (folder / "metrics.json").exists() and (folder / "model.npz").exists():
            metrics = RunMetrics.read(folder / "metrics.json")
            done[i] = RunResult(
                config, load_data(config), load(folder / "model.npz"), metrics, folder
            )
    where = _Where(backend, n_jobs, scheduler).check()
    configs = where.prepare(configs)
    return _run_all(
        configs,
        out,
        progress,
        doc.get("title"),
        where,
        interrupt=interrupt,
        done=done,
    )


_Record = Callable[[int, RunResult | FailedRun | None], None]


def _run_all(
    configs: list[RunConfig],
    out: str | Path | None,
    progress: bool,
    title: str | None,
    where: _Where = _Where(),
    *,
    interrupt: Any = None,
    done: dict[int, RunResult] | None = None,
) -> SweepResults:
    """Train the configurations not ``done``; with ``out``, write the state
    file first, each run's folder as it returns and the summary at the end."""
    done = dict(done or {})
    datas = _shared_data(configs)
    if where.backend == "numba":
        _check_covered(
            configs, datas, [i for i in range(len(configs)) if i not in done]
        )
    if out is not None:
        _write_state(Path(out), configs, title)
    results: list[RunResult | FailedRun | None] = [
        done.get(i) for i in range(len(configs))
    ]
    todo = [i for i in range(len(configs)) if i not in done]
    with _progress_bar(progress, len(configs), len(done)) as bar:

        def record(i: int, r: RunResult | FailedRun | None) -> None:
            results[i] = r
            if out is not None and isinstance(r, RunResult):
                write_run(r, _folder(out, i, configs[i]))  # each run saved at once
            if bar is not None and r is not None:
                bar.update(1)

        _execute(where, configs, datas, todo, record, interrupt)
    return _finish(results, out, title, interrupt)


def _shared_data(configs: list[RunConfig]) -> list[Data]:
    """The data of each configuration: runs on the same data share one copy."""
    cache: dict[tuple[Any, ...], Data] = {}
    datas = []
    for config in configs:
        key = _data_key(config)
        if key not in cache:
            cache[key] = load_data(config)
        datas.append(cache[key])
    return datas


def _write_state(out: Path, configs: list[RunConfig], title: str | None) -> None:
    """``sweep.json`` in ``out``: the configurations, for :func:`resume`."""
    out.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": "mlplab-sweep",
        "title": title,
        "configs": [c.to_dict() for c in configs],
    }
    (out / STATE).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


@contextlib.contextmanager
def _progress_bar(show: bool, total: int, initial: int) -> Iterator[Any]:
    """A progress bar over the runs, closed at the end; ``None`` unless shown."""
    if not show:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(
        total=total, initial=initial, unit="run", file=sys.stderr, dynamic_ncols=True
    )
    try:
        yield bar
    finally:
        bar.close()


def _execute(
    where: _Where,
    configs: list[RunConfig],
    datas: list[Data],
    todo: list[int],
    record: _Record,
    interrupt: Any,
) -> None:
    """Run the configurations ``todo`` indexes where ``where`` says, passing
    each result to ``record`` as it comes."""
    if where.backend == "sequential":
        for i in todo:
            if interrupt is not None and interrupt.requested:
                break
            record(i, _one(configs[i], datas[i], interrupt))
    elif where.backend == "loky":
        _loky(configs, datas, todo, where.n_jobs, record, interrupt)
    elif where.backend == "numba":
        _threads(configs, datas, todo, where.n_jobs, record, interrupt)
    else:
        _dask(configs, datas, todo, where.n_jobs, where.scheduler, record, interrupt)


def _finish(
    results: list[RunResult | FailedRun | None],
    out: str | Path | None,
    title: str | None,
    interrupt: Any,
) -> SweepResults:
    """The results of every run, and with ``out`` their summary; a run
    missing (stopped by a signal) raises ``Interrupted`` with how to resume,
    and a ``ValueError`` says when every run failed."""
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        signum = interrupt.signum if interrupt is not None else 2
        finished = len(results) - len(missing)
        where = (
            f"the finished runs are saved in {out}; resume with: mlplab sweep "
            f"--resume {out}"
            if out is not None
            else "nothing was saved (no output folder)"
        )
        raise Interrupted(
            signum, f"interrupted after {finished} of {len(results)} runs; {where}"
        )
    out_results = SweepResults(results)
    if results and not out_results.succeeded:
        # Nothing to compare or plot: one error, which names what went wrong.
        raise ValueError(
            f"every run failed ({len(results)} of {len(results)}); the first: "
            f"{out_results.failed[0].error}"
        )
    if out is not None:
        write_summary(out_results, out, title=title)
    return out_results


def _loky(
    configs: list[RunConfig],
    datas: list[Data],
    todo: list[int],
    n_jobs: int | None,
    record: _Record,
    interrupt: Any,
) -> None:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs or -1, backend="loky", return_as="generator")
    jobs = parallel(delayed(_one)(configs[i], datas[i]) for i in todo)
    try:
        for i, r in zip(todo, jobs, strict=False):
            record(i, r)
            if interrupt is not None and interrupt.requested:
                break  # closing the generator stops the pending runs
    except Exception:
        if interrupt is None or not interrupt.requested:
            raise  # a worker killed by the same Ctrl-C: an interruption


def _dask(
    configs: list[RunConfig],
    datas: list[Data],
    todo: list[int],
    n_jobs: int | None,
    scheduler: Any,
    record: _Record,
    interrupt: Any,
) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ValueError(
            "backend='dask' needs dask.distributed: pip install 'mlplab[distributed]'"
        ) from None
    cluster = client = None
    own = True
    try:
        if isinstance(scheduler, Client):
            client, own = scheduler, False
        elif scheduler is None:
            cluster = LocalCluster(
                n_workers=n_jobs if n_jobs and n_jobs > 0 else 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)
        else:
            client = Client(str(scheduler), timeout=CONNECT_TIMEOUT)
        futures = client.map(
            _one, [configs[i] for i in todo], [datas[i] for i in todo], pure=False
        )
        index = {f.key: i for i, f in zip(todo, futures, strict=True)}
        for future, result in as_completed(futures, with_results=True):
            record(index[future.key], result)
            if interrupt is not None and interrupt.requested:
                client.cancel(futures)
                break
    except OSError as exc:
        raise ValueError(
            f"cannot reach the Dask scheduler {scheduler}: {exc}"
        ) from None
    finally:
        if client is not None and own:
            client.close()
        if cluster is not None:
            cluster.close()


def _check_covered(
    configs: list[RunConfig], datas: list[Data], todo: list[int]
) -> None:
    """A ``ValueError`` naming the first configuration of ``todo`` whose
    network the compiled engine does not cover, and the component."""
    for i in todo:
        try:
            build_model(configs[i], datas[i])
        except ValueError as exc:
            raise ValueError(
                f"backend='numba' cannot train configuration {configs[i].label!r}: "
                f"{exc}; leave it out of the sweep or use another backend"
            ) from None


def _load_kernels(config: RunConfig, data: Data) -> None:
    """Load the compiled engine's kernels (or compile them, on first use)
    with one epoch of ``config``'s network, before any run's clock starts:
    each run's ``seconds`` is then its training, not the load that the first
    runs would otherwise wait for."""
    model = build_model(config, data)
    try:
        model.fit(data.X_train, data.y_train, epochs=1, batch_size=config.batch_size)
    except (ValueError, TypeError, FloatingPointError):
        pass  # the run itself reports what is wrong


def _threads(
    configs: list[RunConfig],
    datas: list[Data],
    todo: list[int],
    n_jobs: int | None,
    record: _Record,
    interrupt: Any,
) -> None:
    """The runs ``todo`` in a pool of threads, each as :func:`_one` runs it
    alone; ``record`` is called in this thread as each finishes."""
    if todo:
        _load_kernels(configs[todo[0]], datas[todo[0]])
    cores = os.cpu_count() or 1
    workers = n_jobs or cores
    if workers < 0:
        workers = max(1, cores + 1 + workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future[Any], int] = {
            pool.submit(_one, configs[i], datas[i], interrupt): i for i in todo
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=pending.__getitem__):
                record(pending.pop(future), future.result())
            if interrupt is not None and interrupt.requested:
                for future in pending:
                    future.cancel()  # the runs in progress stop at their epoch's end
                pending = {f: i for f, i in pending.items() if not f.cancelled()}
