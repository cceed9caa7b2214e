"""``mlplab train``: train one network and write its run folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import runs
from ..config import RunConfig
from ..runresult import RunResult
from ..runtable import results_table
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
    p.add_argument(
        "--checkpoint-every",
        type=int,
        default=0,
        metavar="N",
        help="save checkpoint.npz in the run folder every N epochs (Ctrl-C and "
        "SIGTERM save one in any case)",
    )
    p.add_argument(
        "--resume",
        metavar="RUN_DIR",
        default=None,
        help="continue the interrupted run in RUN_DIR from its checkpoint.npz, "
        "bit for bit as if it had not stopped (--epochs may extend it)",
    )
    p.set_defaults(run=run)


def _resumed(args: argparse.Namespace) -> tuple[RunConfig, Path]:
    """The configuration of the run folder to resume (``--epochs`` may
    extend it; other options are refused: the run goes on as it began)."""
    folder = Path(args.resume)
    if not (folder / "config.toml").exists():
        raise ValueError(f"--resume {folder}: no config.toml there; give a run folder")
    typed = _options.given(args)
    extra = sorted(set(typed) - {"epochs"})
    if extra or args.config or args.out:
        names = ", ".join("--" + k.replace("_", "-") for k in extra) or "--config/--out"
        raise ValueError(
            f"--resume continues the run as configured in {folder / 'config.toml'}; "
            f"leave out {names} (only --epochs may extend it)"
        )
    config = RunConfig.from_toml(folder / "config.toml")
    if "epochs" in typed:
        config = config.replace(epochs=typed["epochs"])
    return config, folder


def summary(result: RunResult) -> str:
    m = result.metrics
    lines = [
        f"{result.label}: {m.n_params} weights, {m.epochs} epochs in {m.seconds:.2f} s"
    ]
    if m.diverged:
        lines.append(f"diverged: {m.error}")
    lines.append(
        results_table(
            [result], columns=["final_loss", "train_accuracy", "test_accuracy"]
        )
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.animate < 0:
        raise ValueError(
            f"--animate takes a number of frames >= 1; received {args.animate}"
        )
    if args.checkpoint_every < 0:
        raise ValueError(
            f"--checkpoint-every takes a number of epochs >= 1; received "
            f"{args.checkpoint_every}"
        )
    if args.resume is not None:
        config, out = _resumed(args)
    else:
        config = _options.config_from_args(args)
        out = args.out or _options.default_out("train")
    with _options.report_compile({config.engine}):
        result = runs.train(
            config,
            out,
            progress=_options.show_progress(args),
            animate=args.animate,
            checkpoint_every=args.checkpoint_every,
            interrupt=getattr(args, "interrupt", None),
            resume=args.resume is not None,
        )
    print(summary(result))
    assert result.folder is not None
    print(f"\nrun folder: {result.folder}")
    print(f"report:     {result.folder / 'report.html'}")
    return 1 if result.diverged else 0
