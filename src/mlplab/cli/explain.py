"""``mlplab explain``: one training step of a network, node by node."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..explain import trace
from . import _inspect


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="print one training step node by node, with its numbers",
        description=(
            "Take training steps of the network the options describe (as mlplab "
            "train builds it) and print every value of each: the forward pass, "
            "the loss, the backward pass and the update, each formula in symbols "
            "and then with its numbers."
        ),
        epilog="example: mlplab explain --dataset gate:or --hidden 0 --loss "
        'squared_error --lr 1 --example 3 --weights "W1=0.1,0.6;b1=0"',
    )
    _inspect.add_options(p, default_examples="all")
    p.add_argument(
        "--steps",
        type=int,
        default=1,
        metavar="N",
        help="training steps to take and show (default 1)",
    )
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), markdown tables, or json (full precision)",
    )
    p.add_argument(
        "--decimals",
        type=int,
        default=3,
        metavar="D",
        help="decimals shown in text and markdown (default 3)",
    )
    p.add_argument(
        "--rows",
        type=int,
        default=6,
        metavar="R",
        help="rows of each matrix shown in text and markdown (default 6)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.steps < 1:
        raise ValueError(f"--steps must be at least 1; received {args.steps}")
    if args.rows < 1:
        raise ValueError(f"--rows must be at least 1; received {args.rows}")
    model, X, y = _inspect.model_and_batch(args, default_examples="all")
    t = trace(model, X, y, steps=args.steps)
    if args.format == "json":
        print(json.dumps(t.to_dict(), indent=1))
    elif args.format == "markdown":
        print(t.to_markdown(args.decimals, args.rows), end="")
    else:
        print(t.to_text(args.decimals, args.rows), end="")
    return 0
