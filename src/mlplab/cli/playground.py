"""``mlplab playground``: the live page in the browser."""

from __future__ import annotations

import argparse
from typing import Any

from .. import playground


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "playground",
        help="a page in the browser where a network learns while you watch",
        description=(
            "Serve the playground on this machine, print its URL (with the "
            "token every request needs) and open it in the default browser. "
            "Training runs in this process; Ctrl-C stops it."
        ),
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; anything but 127.0.0.1 lets other machines "
        "reach the page, and prints a warning (default: 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=_port,
        default=None,
        metavar="N",
        help=f"port; 0 picks a free one (default: {playground.DEFAULT_PORT}, or a "
        "free one when that is taken)",
    )
    p.add_argument(
        "--no-browser",
        action="store_true",
        help="only print the URL; do not open a browser",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=900.0,
        metavar="S",
        help="close a browser tab's session after S seconds unwatched (default: 900)",
    )
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.set_defaults(run=run)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 .. 65535; received {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    playground.serve(
        args.host,
        args.port,
        open_browser=not args.no_browser,
        idle_timeout=args.idle_timeout,
        quiet=not args.verbose,
        stop=lambda: args.interrupt.requested,
    )
    return 0
