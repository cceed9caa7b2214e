"""The data and model options shared by ``train``, ``compare``, ``sweep``,
``explain`` and ``gradcheck``, derived from the settings of
:class:`mlplab.config.RunConfig` (:func:`mlplab.config.settings`): one option
per key, its help ending with the key's default.

Every option defaults to ``None`` here, so that only what the user typed
overrides ``--config FILE.toml``, which itself overrides
:class:`mlplab.config.RunConfig`'s defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import engine
from ..config import RunConfig, Setting, settings

# A setting's group and the title of its options in the help, in the order
# the groups are listed.
GROUPS = {"data": "data", "model": "model and training"}


def command_line_settings() -> Iterator[Setting]:
    """The settings that are command-line options, group by group."""
    for group in GROUPS:
        yield from (s for s in settings() if s.cli and s.group == group)


def option_help(s: Setting) -> str:
    """The help of a setting's option: its text, its choices, its default."""
    text = s.help
    if s.choices:
        text += f": {', '.join(s.choices[:-1])} or {s.choices[-1]}"
    if s.default is None and s.none_word is None:
        return f"{text} (default: {s.unset})"
    return f"{text} (default {s.shown_default()})"


def _add_group(p: argparse.ArgumentParser, group: str) -> None:
    g = p.add_argument_group(GROUPS[group])
    for s in command_line_settings():
        if s.group == group:
            g.add_argument(
                s.option,
                dest=s.key,
                metavar=s.metavar,
                default=None,
                help=option_help(s),
            )


def add_data_options(p: argparse.ArgumentParser) -> None:
    _add_group(p, "data")


def add_model_options(p: argparse.ArgumentParser) -> None:
    _add_group(p, "model")
    p.add_argument(
        "--config",
        metavar="FILE.toml",
        default=None,
        help="read these options from a TOML file (keys as the options, e.g. "
        "hidden = [5], batch_size = 'full'); options given here override it",
    )


def add_progress_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )


def show_progress(args: argparse.Namespace) -> bool:
    if args.progress is None:
        return sys.stderr.isatty()
    return bool(args.progress)


def given(args: argparse.Namespace) -> dict[str, Any]:
    """The configuration keys given on the command line, typed."""
    out: dict[str, Any] = {}
    for s in command_line_settings():
        value = getattr(args, s.key, None)
        if value is not None:
            out[s.key] = s.parse(value)
    return out


def config_from_args(args: argparse.Namespace, **extra: Any) -> RunConfig:
    """``--config`` file, then the options typed, then ``extra``."""
    base = (
        RunConfig.from_toml(args.config)
        if getattr(args, "config", None)
        else RunConfig()
    )
    changes = {**given(args), **extra}
    if "data" in changes and "dataset" not in changes:
        changes.setdefault("dataset", base.dataset)
    return base.replace(**changes) if changes else base


def default_out(kind: str) -> Path:
    """``runs/<kind>-<date>-<time>``, made unique."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = Path("runs") / f"{kind}-{stamp}"
    k = 1
    while path.exists():
        k += 1
        path = Path("runs") / f"{kind}-{stamp}-{k}"
    return path


def add_run_options(p: argparse.ArgumentParser, kind: str) -> None:
    """Data, model, ``--out`` and ``--progress``: the options of a command
    that trains (``train``, ``compare``, ``sweep``)."""
    add_data_options(p)
    add_model_options(p)
    add_out_option(p, kind)
    add_progress_option(p)


def add_out_option(p: argparse.ArgumentParser, kind: str) -> None:
    """``--out DIR``, by default a new ``runs/<kind>-DATE-TIME``
    (:func:`default_out`, chosen when the command runs)."""
    add_folder_option(p, None, shown=f"runs/{kind}-DATE-TIME")


def add_folder_option(
    p: argparse.ArgumentParser, default: str | None, *, shown: str | None = None
) -> None:
    """``--out DIR`` with ``default``, shown in the help as ``shown`` where
    the command chooses the folder when it runs."""
    p.add_argument(
        "--out",
        metavar="DIR",
        default=default,
        help=f"folder to write (default {shown or default})",
    )


def add_quick_option(p: argparse.ArgumentParser) -> None:
    """``--quick``: a recipe's run with 1% of its epochs."""
    p.add_argument(
        "--quick",
        action="store_true",
        help="1%% of the epochs, to see that everything works",
    )


@contextlib.contextmanager
def report_compile(engines: set[str]) -> Iterator[None]:
    """Around training with one of ``engines`` (engine names, or sweep
    backends): where ``"numba"`` or ``"auto"`` is among them and Numba is
    installed, print ``compiled the training kernel in X s (cached for next
    time)`` once the block ends if Numba compiled the kernel in it (its
    first use on this machine); loading it from Numba's on-disk cache prints
    nothing. The time is that of Numba's
    ``"numba:compile"`` events (its event API), not of the training."""
    if not engines & {"numba", "auto"} or not engine.numba_available():
        yield
        return
    from numba.core import event

    with event.install_recorder("numba:compile") as recorder:
        yield
    seconds = compile_seconds(recorder.buffer)
    if seconds is not None:
        print(f"compiled the training kernel in {seconds:.1f} s (cached for next time)")


def compile_seconds(buffer: list[tuple[float, Any]]) -> float | None:
    """The seconds covered by the outermost compile events of a Numba
    ``RecordingListener`` buffer (an inner function compiled while its caller
    compiles counts once); None where nothing compiled."""
    depth, start, total = 0, 0.0, 0.0
    for stamp, ev in buffer:
        if ev.is_start:
            if depth == 0:
                start = stamp
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                total += stamp - start
    return total if buffer else None
