"""``mlplab report``: (re)write the HTML report of a run folder."""

from __future__ import annotations

import argparse
from typing import Any

from ..report import write_report


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="write a run folder's self-contained report.html",
        description=(
            "Write report.html in a run folder (from train, compare, sweep or a "
            "recipe), and in every run folder inside it: one self-contained file "
            "with the configuration, metrics and every picture inlined."
        ),
        epilog="example: mlplab report runs/demo",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="the folder to report on")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = write_report(args.run_dir)
    print(f"report: {path}")
    return 0
