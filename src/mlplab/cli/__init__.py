"""The ``mlplab`` command. Each subcommand lives in its own module and exposes
``add_parser(subparsers)`` and ``run(args) -> int``.

Errors in what the user gave (``ValueError``, ``TypeError``) and files or
folders that cannot be read or written (``OSError``) and an optional extra
that is not installed (``ImportError``, e.g. ``--engine numba`` without
Numba) become one line on stderr and exit code 2, a diverging run one line
and exit code 1; never a traceback.
Output piped into a reader that stops early (``| head``) ends quietly, with
exit code 141 as after SIGPIPE.
Ctrl-C or SIGTERM during ``train`` or ``sweep`` stops at the end of the current
epoch, saves a checkpoint, prints how to resume and exits with 130 or 143; a
second Ctrl-C stops at once.
"""

from __future__ import annotations

import argparse
import os
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
    playground,
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
    playground,
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


def _os_error(exc: OSError) -> str:
    """``path: reason``, e.g. ``out/run: Not a directory``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    paths = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit does not
    fail again on the closed pipe."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a descriptor
        pass


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
    except DivergenceError as exc:  # a ValueError too: caught first
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return 1
    except (ValueError, TypeError) as exc:
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional extra not installed, e.g. numba
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader left, e.g. `mlplab predict ... | head`
        _silence_stdout()
        return 141  # as a shell reports a process ended by SIGPIPE
    except OSError as exc:  # e.g. --out under a file, a full disk, no permission
        print(f"mlplab: error: {_os_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlplab: interrupted", file=sys.stderr)
        return 130
