"""The ``mlplab`` command. Each subcommand lives in its own module and exposes
``add_parser(subparsers)`` and ``run(args) -> int``.

Errors in what the user gave (``ValueError``, ``TypeError``) become one line on
stderr and exit code 2, a diverging run one line and exit code 1; never a
traceback. Ctrl-C or SIGTERM during ``train`` or ``sweep`` stops at the end of
the current epoch, saves a checkpoint, prints how to resume and exits with 130
or 143; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from .._interrupt import GracefulInterrupt, Interrupted
from ..exceptions import DivergenceError
from . import (
    compare,
    demo,
    evaluate,
    explain,
    gradcheck,
    predict,
    recipe,
    report,
    sweep,
    train,
)

_COMMANDS = (
    train,
    compare,
    sweep,
    evaluate,
    predict,
    report,
    explain,
    gradcheck,
    recipe,
    demo,
)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line: what was wrong and where to read more."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlplab",
        description="Build, train, see and explain small neural networks.",
    )
    parser.add_argument("--version", action="version", version=f"mlplab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        # Ctrl-C or SIGTERM asks a training command to stop at the end of the
        # epoch and save what it did (see mlplab._interrupt).
        with GracefulInterrupt() as interrupt:
            args.interrupt = interrupt
            return int(args.run(args))
    except Interrupted as exc:
        print(f"mlplab: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except (ValueError, TypeError) as exc:
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return 2
    except DivergenceError as exc:
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mlplab: interrupted", file=sys.stderr)
        return 130
