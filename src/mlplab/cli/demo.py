"""``mlplab demo``: the ``moons-vs-logistic`` recipe into ``runs/demo``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import recipes
from . import _options


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="a network against logistic regression on two-moons",
        description=(
            "Run the moons-vs-logistic recipe: a network with one hidden layer "
            "and logistic regression on the two-moons data set, side by side."
        ),
    )
    _options.add_folder_option(p, "runs/demo")
    _options.add_quick_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    result = recipes.run("moons-vs-logistic", out, 0.01 if args.quick else 1.0)
    print(result.text)
    print()
    print(recipes.table(result.rows))
    print(f"\nfolder:          {out}")
    print(f"both boundaries: {out / 'boundaries.png'}")
    print(f"loss curves:     {out / 'loss.png'}")
    print(f"report:          {out / 'report.html'}")
    return 0
