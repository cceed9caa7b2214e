"""``mlplab gradcheck``: analytic gradients against numerical ones."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..gradcheck import gradcheck
from ..runtable import format_table
from . import _inspect
from ._inspect import Option

OPTIONS = (
    Option(
        "--threshold",
        "largest relative error that passes (default 1e-6)",
        float,
        1e-6,
        "T",
        rule="> 0",
    ),
    Option(
        "--eps",
        "step of the centered difference (default 1e-5)",
        float,
        1e-5,
        "H",
        rule="> 0",
    ),
)


def add_parser(sub: Any) -> None:
    _inspect.add_parser(
        sub,
        "gradcheck",
        OPTIONS,
        run,
        default_examples="0-31",
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


def run(args: argparse.Namespace) -> int:
    _inspect.check(args, OPTIONS)
    model, X, y = _inspect.model_and_batch(args)
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
