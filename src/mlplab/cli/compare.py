"""``mlplab compare``: several configurations and the logistic-regression
baseline side by side, on the same data and split."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import sweep
from ..config import RunConfig, parse_value
from ..runtable import results_table
from . import _options


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="train several configurations and the baseline side by side",
        description=(
            "Train several networks on the same data and split, plus the "
            "logistic-regression baseline (no hidden layer) of the first, and "
            "write one table and one figure of decision boundaries and loss "
            "curves."
        ),
        epilog='example: mlplab compare --hidden 5 --variant "hidden=20" '
        '--variant "hidden=5;activation=relu"',
    )
    p.add_argument(
        "configs",
        nargs="*",
        metavar="FILE.toml",
        help="configurations to compare (each overridden by the options below)",
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="KEY=VALUE[;KEY=VALUE]",
        help="another configuration to compare: the options below with these "
        "changes (repeatable); without FILE.toml arguments the options below are "
        "the first configuration",
    )
    p.add_argument(
        "--no-baseline",
        action="store_true",
        help="leave out the logistic-regression baseline",
    )
    _options.add_run_options(p, "compare")
    p.set_defaults(run=run)


def parse_variant(text: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(
                f"--variant takes KEY=VALUE pairs separated by ';', e.g. "
                f"'hidden=20;activation=relu'; received {text!r}"
            )
        changes[key.strip().replace("-", "_")] = parse_value(key.strip(), value.strip())
    if not changes:
        raise ValueError(f"--variant is empty; received {text!r}")
    return changes


def run(args: argparse.Namespace) -> int:
    typed = _options.given(args)
    configs: list[RunConfig] = []
    for path in args.configs:
        base = RunConfig.from_toml(path)
        configs.append(base.replace(**typed) if typed else base)
    common = _options.config_from_args(args)
    if not configs:
        configs = [common]
    configs += [common.replace(**parse_variant(v)) for v in args.variant]
    out = args.out or _options.default_out("compare")
    results = sweep.compare(
        configs,
        baseline=not args.no_baseline,
        out=out,
        progress=_options.show_progress(args),
        title="comparison",
    )
    print(results_table(results))
    print(f"\nfolder: {out} (results.md, loss.png, boundaries.png, one folder per run)")
    print(f"report: {Path(out) / 'report.html'}")
    return 0
