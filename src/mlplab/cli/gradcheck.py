"""``mlplab gradcheck``: analytic gradients against numerical ones."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..gradcheck import gradcheck
from ..runs import format_table
from . import _inspect


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="check every gradient against centered differences",
        description=(
            "Compare the backward pass's gradient of every weight array with "
            "centered differences of the loss, for the network the options "
            "describe (as mlplab train builds it). Exit code 1 when any array's "
            "relative error is above the threshold."
        ),
        epilog="example: mlplab gradcheck --import my_activation.py --activation "
        "my_elu --hidden 4",
    )
    _inspect.add_options(p, default_examples="0-31")
    p.add_argument(
        "--threshold",
        type=float,
        default=1e-6,
        metavar="T",
        help="largest relative error that passes (default 1e-6)",
    )
    p.add_argument(
        "--eps",
        type=float,
        default=1e-5,
        metavar="H",
        help="step of the centered difference (default 1e-5)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not (args.threshold > 0 and np.isfinite(args.threshold)):
        raise ValueError(f"--threshold must be > 0; received {args.threshold}")
    if not (args.eps > 0 and np.isfinite(args.eps)):
        raise ValueError(f"--eps must be > 0; received {args.eps}")
    model, X, y = _inspect.model_and_batch(args, default_examples="0-31")
    report = gradcheck(model, X, y, eps=args.eps)
    rows = []
    failed = 0
    for name, err in report.errors.items():
        ok = err <= args.threshold
        failed += not ok
        with np.errstate(over="ignore", invalid="ignore"):  # huge: shown as inf
            norms = [
                np.linalg.norm(g[name]) for g in (report.analytic, report.numerical)
            ]
        rows.append(
            [
                name,
                f"{norms[0]:.6g}",
                f"{norms[1]:.6g}",
                f"{err:.3e}",
                "pass" if ok else "FAIL",
            ]
        )
    print(
        f"gradient check on {len(X)} examples, centered differences with eps "
        f"{args.eps:g}; threshold: relative error <= {args.threshold:g}\n"
    )
    print(
        format_table(
            ["weights", "analytic norm", "numerical norm", "relative error", "result"],
            rows,
        )
    )
    if failed:
        name, index, a, n = report.worst()
        print(
            f"\n{failed} of {len(rows)} arrays FAIL; the worst entry is {name}"
            f"{list(index)}: analytic {a:.6g}, numerical {n:.6g}"
        )
        return 1
    print(f"\nall {len(rows)} arrays pass")
    return 0
