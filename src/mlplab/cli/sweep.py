"""``mlplab sweep``: every combination of the values given with ``--param``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import sweep
from ..config import parse_value
from ..runtable import results_table
from . import _options


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "sweep",
        help="train every combination of some options' values",
        description=(
            "Train one network per combination of the values given with --param "
            "(any option, any number of --param), and write a table and a grid of "
            "decision boundaries."
        ),
        epilog="example: mlplab sweep --param hidden=1,2,3,4,5,20,50 "
        '--param "features=x1,x2;x1,x2,x1*x2"',
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="an option and its values, separated by ',' (or by ';' when values "
        "contain commas); repeatable",
    )
    p.add_argument(
        "--backend",
        default="sequential",
        choices=sweep.BACKENDS,
        help="where the runs execute: sequential (default), loky (worker "
        "processes on this machine), dask (a Dask cluster: --scheduler, or a "
        "local one) or numba (every run with the compiled engine, --n-jobs "
        "threads at once; pip install mlplab[fast])",
    )
    p.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for loky (default: all cores) or a local Dask "
        "cluster (default 2); threads for numba (default: all cores)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="the address of a running Dask scheduler (with --backend dask)",
    )
    p.add_argument(
        "--resume",
        metavar="DIR",
        default=None,
        help="finish the interrupted sweep in DIR: its finished runs are kept, "
        "the others trained (no --param needed)",
    )
    _options.add_run_options(p, "sweep")
    p.set_defaults(run=run)


def parse_param(text: str) -> tuple[str, list[Any]]:
    key, sep, values = text.partition("=")
    key = key.strip().replace("-", "_")
    if not sep or not key:
        raise ValueError(
            f"--param takes KEY=V1,V2,..., e.g. hidden=1,2,3; received {text!r}"
        )
    parts = values.split(";") if ";" in values else values.split(",")
    items = [v.strip() for v in parts if v.strip()]
    if not items:
        raise ValueError(f"--param {key} has no values; received {text!r}")
    return key, [parse_value(key, v) for v in items]


def run(args: argparse.Namespace) -> int:
    interrupt = getattr(args, "interrupt", None)
    if args.resume is not None:
        if args.param or _options.given(args) or args.out or args.config:
            raise ValueError(
                "--resume finishes the sweep as it began; leave out --param and "
                "the model and data options"
            )
        with _options.report_compile({args.backend}):
            results = sweep.resume(
                args.resume,
                backend=args.backend,
                n_jobs=args.n_jobs,
                scheduler=args.scheduler,
                progress=_options.show_progress(args),
                interrupt=interrupt,
            )
        return _done(results, args.resume)
    if not args.param:
        raise ValueError("give at least one --param KEY=V1,V2,... (or --resume DIR)")
    grid: dict[str, list[Any]] = {}
    for text in args.param:
        key, values = parse_param(text)
        if key in grid:
            raise ValueError(f"--param {key} is given twice")
        grid[key] = values
    base = _options.config_from_args(args)
    out = args.out or _options.default_out("sweep")
    engines = {args.backend, base.engine, *(str(v) for v in grid.get("engine", []))}
    with _options.report_compile(engines):
        results = sweep.run(
            base,
            grid,
            backend=args.backend,
            n_jobs=args.n_jobs,
            scheduler=args.scheduler,
            out=out,
            progress=_options.show_progress(args),
            title="sweep",
            interrupt=interrupt,
        )
    return _done(results, out)


def _done(results: sweep.SweepResults, out: Any) -> int:
    print(results_table(results))
    print(f"\nfolder: {out} (results.md, loss.png, boundaries.png, one folder per run)")
    print(f"report: {Path(out) / 'report.html'}")
    return 0
