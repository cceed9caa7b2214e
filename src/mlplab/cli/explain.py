"""``mlplab explain``: one training step of a network, node by node."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..explain import trace
from . import _inspect
from ._inspect import Option

OPTIONS = (
    Option(
        "--steps",
        "training steps to take and show (default 1)",
        int,
        1,
        "N",
        rule="at least 1",
    ),
    Option(
        "--format",
        "text (default), markdown tables, or json (full precision)",
        default="text",
        choices=("text", "markdown", "json"),
    ),
    Option(
        "--decimals", "decimals shown in text and markdown (default 3)", int, 3, "D"
    ),
    Option(
        "--rows",
        "rows of each matrix shown in text and markdown (default 6)",
        int,
        6,
        "R",
        rule="at least 1",
    ),
)


def add_parser(sub: Any) -> None:
    _inspect.add_parser(
        sub,
        "explain",
        OPTIONS,
        run,
        default_examples="all",
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


def run(args: argparse.Namespace) -> int:
    _inspect.check(args, OPTIONS)
    model, X, y = _inspect.model_and_batch(args)
    t = trace(model, X, y, steps=args.steps)
    if args.format == "json":
        print(json.dumps(t.to_dict(), indent=1))
    elif args.format == "markdown":
        print(t.to_markdown(args.decimals, args.rows), end="")
    else:
        print(t.to_text(args.decimals, args.rows), end="")
    return 0
