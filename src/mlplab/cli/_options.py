"""The data and model options shared by ``train``, ``compare``, ``sweep``,
``evaluate`` (and later ``explain`` and ``gradcheck``).

Every option defaults to ``None`` here, so that only what the user typed
overrides ``--config FILE.toml``, which itself overrides
:class:`mlplab.config.RunConfig`'s defaults.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..config import RunConfig

# (option, metavar, help); the configuration key is the option with "_".
DATA_OPTIONS = [
    (
        "--dataset",
        "NAME",
        "built-in data set: moons, circles, spirals, blobs, "
        "linear, xor, digits, breast_cancer, iris, wine, or a logic gate gate:and, "
        "gate:or, gate:nand, gate:nor, gate:xor, gate:xnor (default moons)",
    ),
    (
        "--data",
        "FILE",
        "your own data: a .csv, .npy or .npz file (instead of --dataset)",
    ),
    (
        "--label-column",
        "C",
        "the label column of --data: index (negative from the "
        "end) or name (default: the last column; the y array of an .npz)",
    ),
    ("--samples", "N", "points to generate for synthetic data sets"),
    ("--noise", "F", "noise of synthetic data sets"),
    (
        "--test-size",
        "F",
        "fraction held out for testing, stratified; 0 for none (default 0.2)",
    ),
    (
        "--seed",
        "N",
        "seeds the data, the split, the weights and the shuffling (default 0)",
    ),
]
MODEL_OPTIONS = [
    (
        "--features",
        "LIST",
        "input features, e.g. 'x1,x2,x1*x2,x1^2,sin(x1)' "
        "(default: the inputs as they are)",
    ),
    (
        "--scale",
        "KIND",
        "input scaling fitted on the training part: none, standard "
        "or minmax (default none)",
    ),
    (
        "--hidden",
        "SIZES",
        "hidden layer sizes, comma-separated, e.g. 5 or 8,8; 0 "
        "for none (logistic regression) (default 5)",
    ),
    (
        "--activation",
        "NAME",
        "hidden activation: sigmoid, tanh, relu, leaky_relu, "
        "elu, exp, linear; elu:2 for ELU with alpha 2 (default tanh)",
    ),
    (
        "--output-activation",
        "NAME",
        "output activation (default: the loss's own, e.g. exp for poisson; "
        "else sigmoid for two classes, softmax for more, linear for regression)",
    ),
    (
        "--loss",
        "NAME",
        "binary_crossentropy, categorical_crossentropy, squared_error, mse, "
        "absolute_error, huber (huber:2 for delta 2) or poisson (counts; exp "
        "output) (default: matches the output)",
    ),
    (
        "--optimizer",
        "NAME",
        "sgd, momentum, nesterov, rmsprop, adagrad or adam (default sgd)",
    ),
    ("--lr", "F", "learning rate (default 0.3)"),
    ("--epochs", "N", "passes over the training data (default 2000)"),
    (
        "--batch-size",
        "N",
        "'full' for full-batch gradient descent, 1 for "
        "stochastic, N for mini-batches (default full)",
    ),
    (
        "--init",
        "NAME",
        "kernel initializer: glorot_uniform, glorot_normal, "
        "he_uniform, he_normal, lecun_normal, plain, zeros (default glorot_uniform)",
    ),
    ("--l2", "F", "L2 penalty l2 * sum(W^2) on every kernel (default 0)"),
    (
        "--clipnorm",
        "F",
        "scale the gradients down whenever their global norm exceeds F (a remedy "
        "when training diverges)",
    ),
]


def add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    for opt, metavar, text in DATA_OPTIONS:
        g.add_argument(opt, metavar=metavar, default=None, help=text)


def add_model_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model and training")
    for opt, metavar, text in MODEL_OPTIONS:
        g.add_argument(opt, metavar=metavar, default=None, help=text)
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
    from ..config import parse_value

    out: dict[str, Any] = {}
    for opt, _, _ in DATA_OPTIONS + MODEL_OPTIONS:
        key = opt[2:].replace("-", "_")
        value = getattr(args, key, None)
        if value is not None:
            out[key] = parse_value(key, value)
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
    p.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help=f"folder to write (default runs/{kind}-DATE-TIME)",
    )
