"""``mlplab train``: train one network and write its run folder."""

from __future__ import annotations

import argparse
from typing import Any

from .. import runs
from . import _options


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="train a network and write a run folder",
        description=(
            "Train one network on a built-in data set or your own file, and write "
            "a run folder: config.toml, model.npz, metrics.json and the plots."
        ),
        epilog="example: mlplab train --dataset moons --hidden 5 --epochs 5000 "
        "--lr 0.3 --features x1,x2,x1*x2",
    )
    _options.add_run_options(p, "train")
    p.add_argument(
        "--animate",
        nargs="?",
        type=int,
        const=20,
        default=0,
        metavar="FRAMES",
        help="also write train.gif: the decision boundary evolving beside the loss "
        "curve, from at most FRAMES+1 snapshots of the weights (default 20; two "
        "input features only)",
    )
    p.set_defaults(run=run)


def summary(result: runs.RunResult) -> str:
    m = result.metrics
    lines = [
        f"{result.label}: {m['n_params']} weights, {m['epochs']} epochs in "
        f"{m['seconds']:.2f} s"
    ]
    if m["diverged"]:
        lines.append(f"diverged: {m['error']}")
    lines.append(
        runs.results_table(
            [result], columns=["final_loss", "train_accuracy", "test_accuracy"]
        )
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    config = _options.config_from_args(args)
    out = args.out or _options.default_out("train")
    if args.animate < 0:
        raise ValueError(
            f"--animate takes a number of frames >= 1; received {args.animate}"
        )
    result = runs.train(
        config, out, progress=_options.show_progress(args), animate=args.animate
    )
    print(summary(result))
    assert result.folder is not None
    print(f"\nrun folder: {result.folder}")
    print(f"report:     {result.folder / 'report.html'}")
    return 1 if result.diverged else 0
