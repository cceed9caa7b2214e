"""What ``explain`` and ``gradcheck`` share: the model and data of
``mlplab train``'s options, a choice of examples, starting weights given on
the command line, the user's own components imported from a file, and the
options of each command's own, declared once (:class:`Option`)."""

from __future__ import annotations

import argparse
import importlib.util
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..layers import Dense
from ..model import Sequential
from ..rundata import load_data
from ..runmodel import build_model
from . import _options


@dataclass(frozen=True)
class Option:
    """An option of a command's own, declared once: what it adds to the
    parser (see ``argparse``'s ``add_argument``), and the rule its value must
    meet, one of :data:`RULES`, checked by :func:`check` before the command
    runs."""

    flag: str
    help: str
    type: Callable[[str], Any] = str
    default: Any = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    rule: str | None = None


# The rules an option's value may have to meet, named as the message says.
RULES: dict[str, Callable[[Any], bool]] = {
    "at least 1": lambda value: value >= 1,
    "> 0": lambda value: bool(value > 0 and np.isfinite(value)),
}


def add_parser(
    sub: Any,
    name: str,
    options: Sequence[Option],
    run: Callable[[argparse.Namespace], int],
    *,
    default_examples: str,
    **texts: str,
) -> argparse.ArgumentParser:
    """The parser of ``mlplab NAME``: ``texts`` (its ``help``,
    ``description`` and ``epilog``), ``mlplab train``'s data and model
    options, what to look at (:func:`add_options`), then the command's own
    ``options``; ``run`` runs it."""
    p: argparse.ArgumentParser = sub.add_parser(name, **texts)
    add_options(p, default_examples)
    for o in options:
        p.add_argument(
            o.flag,
            type=o.type,
            default=o.default,
            metavar=o.metavar,
            choices=o.choices,
            help=o.help,
        )
    p.set_defaults(run=run)
    return p


def check(args: argparse.Namespace, options: Sequence[Option]) -> None:
    """Raise a ValueError for the first option whose value breaks its rule."""
    for o in options:
        value = getattr(args, o.flag.removeprefix("--").replace("-", "_"))
        if o.rule is not None and not RULES[o.rule](value):
            raise ValueError(f"{o.flag} must be {o.rule}; received {value}")


def add_options(p: argparse.ArgumentParser, default_examples: str) -> None:
    _options.add_data_options(p)
    _options.add_model_options(p)
    g = p.add_argument_group("what to look at")
    g.add_argument(
        "--example",
        metavar="I[,J,...]",
        default=default_examples,
        help="rows of the data to use, counted from 0, e.g. 0 or 0,1,2 or 0-9 "
        f"(default {default_examples})",
    )
    g.add_argument(
        "--weights",
        metavar="SPEC",
        default=None,
        help="starting weights and biases of the Dense layers, counted from 1: "
        "'W1=0.1,0.6;b1=0' (row by row; one value fills the whole array); the "
        "others keep their seeded initial values",
    )
    g.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="FILE.py",
        help="run a Python file first, e.g. one that registers your own "
        "activation or loss with mlplab.activations.register (repeatable)",
    )


def import_files(paths: list[str]) -> None:
    """Run the user's files (they register their own components)."""
    for i, path in enumerate(paths):
        p = Path(path)
        if not p.is_file():
            raise ValueError(f"--import: no such file: {path}")
        spec = importlib.util.spec_from_file_location(f"mlplab_user_{i}", p)
        if spec is None or spec.loader is None:
            raise ValueError(f"--import: cannot load {path} as Python")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # the user's code: one line, not a traceback
            del sys.modules[spec.name]
            raise ValueError(
                f"--import {path} failed: {type(exc).__name__}: {exc}"
            ) from None


def select(spec: str, n: int) -> np.ndarray:
    """Row indices from '3', '0,1,2', '0-9' or 'all'."""
    text = spec.replace(" ", "")
    if text == "all":
        return np.arange(n)
    rows: list[int] = []
    for part in text.split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m is None:
            raise ValueError(
                f"--example takes row numbers such as 0, 0,1,2 or 0-9; received "
                f"{spec!r}"
            )
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if hi < lo:
            raise ValueError(f"--example range {part!r} runs backwards")
        rows.extend(range(lo, min(hi, n - 1) + 1) if m.group(2) else [lo])
    bad = [r for r in rows if r >= n]
    if bad:
        raise ValueError(
            f"--example {bad[0]} is out of range: the data has {n} rows (0..{n - 1})"
        )
    return np.array(rows, dtype=np.int64)


def set_weights(model: Sequential, spec: str | None) -> None:
    """Apply ``--weights 'W1=0.1,0.6;b1=0'``."""
    if not spec:
        return
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    arrays = {}
    for k, layer in enumerate(dense, 1):
        for key, value in layer.params.items():
            arrays[f"{key}{k}"] = value
    shapes = ", ".join(f"{name} {arr.shape}" for name, arr in arrays.items())
    weights = model.get_weights()
    index = {name: i for i, name in enumerate(arrays)}
    for part in spec.split(";"):
        if not part.strip():
            continue
        name, sep, values = part.partition("=")
        name = name.strip()
        if not sep or name not in arrays:
            raise ValueError(
                f"--weights: {part.strip()!r} is not NAME=VALUES with NAME one of "
                f"{shapes}"
            )
        try:
            numbers = [float(v) for v in values.split(",")]
        except ValueError:
            numbers = [math.nan]
        if not all(math.isfinite(v) for v in numbers):
            raise ValueError(
                f"--weights: {name} takes comma-separated finite numbers; received "
                f"{values!r}"
            )
        target = arrays[name]
        if len(numbers) == 1:
            new = np.full(target.shape, numbers[0])
        elif len(numbers) == target.size:
            new = np.array(numbers).reshape(target.shape)
        else:
            raise ValueError(
                f"--weights: {name} has shape {target.shape}, so it takes 1 or "
                f"{target.size} values (row by row); received {len(numbers)}"
            )
        weights[index[name]] = new
    model.set_weights(weights)


def model_and_batch(
    args: argparse.Namespace,
) -> tuple[Sequential, np.ndarray, np.ndarray]:
    """The model built as ``mlplab train`` builds it (no test split unless
    asked for), its starting weights set, and the chosen rows."""
    import_files(args.imports)
    extra: dict[str, Any] = {}
    if args.test_size is None:
        extra["test_size"] = 0.0
    config = _options.config_from_args(args, **extra)
    data = load_data(config)
    model = build_model(config, data)
    set_weights(model, args.weights)
    rows = select(args.example, len(data.X_train))
    return model, data.X_train[rows], data.y_train[rows]
