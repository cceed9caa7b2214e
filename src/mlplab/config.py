"""Run configurations: one flat set of keys shared by ``mlplab train``'s
options, its ``--config FILE.toml``, the recipes, comparisons and sweeps.

A configuration names the data, the features, the network, the optimizer
and the training schedule. Keys are the long command-line options with
underscores (``batch_size`` for ``--batch-size``); in a TOML file either
spelling is accepted:

.. code-block:: toml

    dataset = "moons"
    samples = 200
    noise = 0.2
    hidden = [3]            # or "3", or "5,5"; [] or 0 for none
    activation = "tanh"     # or one per hidden layer: "tanh,relu"
    dropout = [0.2]         # after every hidden layer, or one rate per layer
    output_activation = "softmax"
    lr = 1.0
    epochs = 20000
    batch_size = "full"     # or an integer
    l2 = 0.01

>>> cfg = RunConfig(hidden=(3,), activation="tanh", epochs=100)
>>> cfg.baseline().hidden
()
>>> RunConfig.from_dict({"hidden": "5,5", "batch-size": "full"}).hidden
(5, 5)
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from . import activations, datasets, initializers, losses, optimizers
from ._registry import Registry
from ._validation import check_int
from .features import FeatureMap

__all__ = ["AUTO_MAX_WEIGHTS", "RunConfig", "parse_value"]


# -- what a value must be -----------------------------------------------------
def _keep_text(key: str, text: str) -> Any:
    return text


def _parse_int(key: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{key} must be an integer; received {text!r}") from None


def _parse_float(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{key} must be a number; received {text!r}") from None


def _parse_int_or_text(key: str, text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class Check:
    """What the value of one configuration key must be.

    Parameters
    ----------
    validate : callable
        ``validate(key, value)`` returns the value, normalized (``"5,5"``
        becomes ``(5, 5)``, ``" Tanh"`` becomes ``"tanh"``), or raises a
        ``TypeError`` or ``ValueError`` that shows ``key=value``.
    parse : callable
        ``parse(key, text)`` types a command-line value for ``validate``:
        numbers become numbers, the rest stays text for ``validate``.
    """

    validate: Callable[[str, Any], Any]
    parse: Callable[[str, str], Any] = _keep_text


def _name(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{key} must be a name; received {key}={value!r}")
    return value.strip().lower()


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string; received {key}={value!r}")
    return value


def _column(key: str, value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(
            f"{key} must be a column index or name; received {key}={value!r}"
        )
    return value


def _integer(low: int) -> Check:
    """An integer ``>= low``, kept as given."""

    def validate(key: str, value: Any) -> Any:
        check_int(key, value, low=low)
        return value

    return Check(validate, _parse_int)


def _number(low: float, *, inclusive: bool, below: float | None = None) -> Check:
    """A finite real number above ``low`` (and under ``below``), kept as given."""

    def validate(key: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{key} must be a number; received {key}={value!r}")
        number = float(value)
        ok = number >= low if inclusive else number > low
        if not (ok and math.isfinite(number)):
            sign = ">=" if inclusive else ">"
            raise ValueError(f"{key} must be {sign} {low}; received {key}={value!r}")
        if below is not None and cast(float, value) >= below:
            bracket = "[" if inclusive else "("
            raise ValueError(
                f"{key} must be in {bracket}{low:g}, {below:g}); received "
                f"{key}={value!r}"
            )
        return value

    return Check(validate, _parse_float)


def _hidden(key: str, value: Any) -> tuple[int, ...]:
    """``5``, ``"5,5"``, ``"5x5"``, ``[5, 5]``; ``0``, ``"0"`` or ``[]`` for none."""
    if isinstance(value, bool):
        raise TypeError(
            f"{key} must be layer sizes such as 5 or '5,5'; received {key}={value!r}"
        )
    if isinstance(value, numbers.Integral):
        items: list[Any] = [value]
    elif isinstance(value, str):
        items = value.replace("x", ",").split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise TypeError(
            f"{key} must be layer sizes such as 5 or '5,5'; received {key}={value!r}"
        )
    sizes = []
    for item in items:
        try:
            size = int(item)
        except (TypeError, ValueError):
            size = -1
        if (
            isinstance(item, bool)
            or size < 0
            or str(item).strip()
            not in (
                str(size),
                f"{size}.0",
            )
        ):
            raise ValueError(
                f"{key} must be non-negative integer layer sizes such as 5 or "
                f"'5,5' (0 for none); received {key}={value!r}"
            )
        sizes.append(size)
    if 0 in sizes and len(sizes) > 1:
        raise ValueError(
            f"{key}=0 means no hidden layer and cannot be combined with other "
            f"sizes; received {key}={value!r}"
        )
    return tuple(s for s in sizes if s > 0)


def _batch_size(key: str, value: Any) -> int | None:
    if isinstance(value, str) and value.strip().lower() == "full":
        return None
    try:
        size = int(value)
        ok = not isinstance(value, bool) and str(value).strip() == str(size)
    except (TypeError, ValueError):
        ok = False
    if not ok or size < 1:
        raise ValueError(
            f"{key} must be a positive integer or 'full'; received {key}={value!r}"
        )
    return size


def _features(key: str, value: Any) -> tuple[str, ...] | None:
    if value is None or value == "" or value == []:
        return None
    return tuple(FeatureMap(value).names)


def _items(key: str, value: Any, what: str) -> list[Any]:
    """The items of a comma-separated text or a list (a TOML array), or the
    value itself as the only item; ``what`` says what is expected, for the
    ``TypeError`` raised for anything else."""
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return [value]
    raise TypeError(f"{key} must be {what}; received {key}={value!r}")


def _activations(key: str, value: Any) -> str:
    """``"tanh"``, or one name per hidden layer: ``"tanh,relu"`` (or a list of
    names); normalized to lower case without spaces."""
    what = "an activation name, or one per hidden layer such as 'tanh,relu'"
    if isinstance(value, str) and not value.strip():
        raise TypeError(f"{key} must be {what}; received {key}={value!r}")
    items = _items(key, value, what)
    if not items or not all(isinstance(item, str) for item in items):
        raise TypeError(f"{key} must be {what}; received {key}={value!r}")
    names = [item.strip().lower() for item in items]
    if not all(names):
        raise ValueError(
            f"{key} must be {what}, without empty names; received {key}={value!r}"
        )
    return ",".join(names)


def _dropout(key: str, value: Any) -> tuple[float, ...]:
    """One rate for every hidden layer (``0.2``) or one per hidden layer
    (``"0.2,0"``, ``[0.2, 0]``), each in [0, 1)."""
    what = "dropout rates in [0, 1): one for all hidden layers or one per layer"
    rates = []
    for item in _items(key, value, what + " such as '0.2,0'"):
        try:
            rate = math.nan if isinstance(item, bool) else float(item)
        except (TypeError, ValueError):
            rate = math.nan
        if not 0.0 <= rate < 1.0:
            raise ValueError(
                f"{key} must be {what}, such as 0.2 or '0.2,0'; "
                f"received {key}={value!r}"
            )
        rates.append(rate)
    if not rates:
        raise ValueError(f"{key} must be {what}; received {key}={value!r}")
    return tuple(rates)


def _columns(key: str, value: Any) -> tuple[int | str, ...]:
    """Column indices or names: ``"0,2"``, ``"x1,x3"``, ``[0, "x3"]``; a name
    that is an integer (``"2"``) is read as an index."""
    what = "column indices or names such as '0,2' or 'x1,x2'"
    columns: list[int | str] = []
    for item in _items(key, value, what):
        if isinstance(item, numbers.Integral) and not isinstance(item, bool):
            columns.append(int(item))
            continue
        if not isinstance(item, str):
            raise TypeError(f"{key} must be {what}; received {key}={value!r}")
        text = item.strip()
        if not text:
            raise ValueError(
                f"{key} must be {what}, without empty names; received {key}={value!r}"
            )
        try:
            columns.append(int(text))
        except ValueError:
            columns.append(text)
    if not columns:
        raise ValueError(f"{key} must be {what}; received {key}={value!r}")
    twice = sorted({repr(c) for c in columns if columns.count(c) > 1})
    if twice:
        raise ValueError(
            f"{key} lists column {', '.join(twice)} more than once; received "
            f"{key}={value!r}"
        )
    return tuple(columns)


def _spec(key: str, value: str, family: Registry[Any]) -> Any:
    """``"name:number"`` as the config dict ``{"name": name, param: number}``
    of a component that takes one parameter (``param``, as its class
    declares it: ``elu:2`` is ``{"name": "elu", "alpha": 2.0}``); a plain name
    as it is."""
    name, _, arg = value.partition(":")
    if not arg:
        return name
    takes = sorted(n for n in family.names() if family.parameter(n) is not None)
    try:
        number = float(arg)
    except ValueError:
        raise ValueError(
            f"{key} {value!r}: the part after ':' must be a number (e.g. "
            f"'{takes[0]}:2')"
        ) from None
    name = name.strip().lower()
    if name not in takes:
        raise ValueError(
            f"{key} {value!r}: only {' and '.join(takes)} take"
            f"{'s' if len(takes) == 1 else ''} a parameter (e.g. '{takes[0]}:2')"
        )
    return {"name": name, family.parameter(name): number}


_NAME = Check(_name)
_STRING = Check(_string)
_COLUMN = Check(_column, _parse_int_or_text)
_HIDDEN = Check(_hidden)
_BATCH_SIZE = Check(_batch_size)
_FEATURES = Check(_features)
_ACTIVATIONS = Check(_activations)
_DROPOUT = Check(_dropout)
_COLUMNS = Check(_columns)


# -- one key, declared once ---------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """One configuration key: its default, check and command-line option.

    Declared once, as a field of :class:`RunConfig` with :func:`setting`,
    and read back with :func:`settings`; the validation in ``RunConfig``,
    :func:`parse_value` and the options of ``mlplab train``, ``compare``,
    ``sweep``, ``explain`` and ``gradcheck`` (:mod:`mlplab.cli._options`)
    are derived from it.

    Parameters
    ----------
    key : str
        The field name, which is also the configuration key.
    default : object
        The field default; ``None`` is allowed (unchecked) only where it is
        the default.
    check : Check
        What a value must be, and how command-line text is typed.
    help : str
        The command-line help, without the default (which is appended).
    metavar : str
        The option's placeholder in the help, e.g. ``N`` or ``NAME``.
    group : {"data", "model"}
        The group of options it is listed in.
    choices : tuple of str
        The only values allowed (after ``check``), listed in the help.
    unset : str, optional
        What the default ``None`` means, for the help: ``(default: UNSET)``.
    none_word : str, optional
        How ``None`` is spelled in a TOML file and on the command line
        (``batch_size = "full"``).
    flag : str
        The command-line option, where it is not ``--key-with-dashes``.
    cli : bool
        False for a key that is not a command-line option.
    omit_default : bool
        True for a key that :meth:`RunConfig.to_dict` (and so ``config.toml``
        and ``metrics.json``) leaves out while it holds its default: the files
        of runs that do not use a key added later stay as they were.
    """

    key: str
    default: Any
    check: Check
    help: str
    metavar: str = ""
    group: str = "model"
    choices: tuple[str, ...] = ()
    unset: str | None = None
    none_word: str | None = None
    flag: str = ""
    cli: bool = True
    omit_default: bool = False

    @property
    def option(self) -> str:
        """The command-line option, e.g. ``--batch-size``."""
        return self.flag or "--" + self.key.replace("_", "-")

    def validate(self, value: Any) -> Any:
        """The value, checked and normalized (raises as described in ``Check``)."""
        if value is None and self.default is None:
            return None
        value = self.check.validate(self.key, value)
        if self.choices and value not in self.choices:
            raise ValueError(
                f"{self.key} must be one of {', '.join(self.choices)}; received "
                f"{self.key}={value!r}"
            )
        return value

    def parse(self, text: str) -> Any:
        """A command-line value, typed for :meth:`validate`."""
        return self.check.parse(self.key, text)

    def shown_default(self) -> str:
        """The default as it would be typed on the command line (``5,5``,
        ``full``, ``0.3``); :meth:`parse` reads it back."""
        value = self.default
        if value is None:
            return self.none_word or ""
        if isinstance(value, tuple):
            return ",".join(str(v) for v in value)
        text = repr(value) if isinstance(value, float) else str(value)
        return text.removesuffix(".0")


def setting(
    default: Any,
    check: Check,
    help: str,
    *,
    metavar: str = "",
    group: str = "model",
    choices: tuple[str, ...] = (),
    unset: str | None = None,
    none_word: str | None = None,
    flag: str = "",
    cli: bool = True,
    omit_default: bool = False,
    compare: bool = True,
) -> Any:
    """Declare a :class:`RunConfig` field and its :class:`Setting` (the
    parameters are those of ``Setting``; ``compare`` is ``dataclasses.field``'s)."""
    declared = {
        "check": check,
        "help": help,
        "metavar": metavar,
        "group": group,
        "choices": choices,
        "unset": unset,
        "none_word": none_word,
        "flag": flag,
        "cli": cli,
        "omit_default": omit_default,
    }
    return field(default=default, compare=compare, metadata=declared)


# The help lists each family's names as its registry holds them.
_DATASETS = (
    ", ".join([*datasets.GENERATORS, *datasets.REAL])
    + ", or a logic gate "
    + ", ".join(f"gate:{g}" for g in datasets.GATES)
)
_HIDDEN_ACTIVATIONS = ", ".join(n for n in activations.names() if n != "softmax")
_LOSSES = ", ".join(losses.names())
_OPTIMIZERS = ", ".join([*optimizers.names(), *optimizers.PRESETS])
_INITIALIZERS = ", ".join(initializers.names())
_SYNTHETIC = "the data set's own"
#: ``engine="auto"`` takes the compiled engine up to this many weights: it is
#: several times faster than NumPy on tutorial networks (2-5-1: about 2x;
#: 20-64-3: about 7x) and slower at MNIST scale (784-32-10, 25,450 weights:
#: about 3x slower), where NumPy's matrix products win.
AUTO_MAX_WEIGHTS = 10_000


@dataclass(frozen=True)
class RunConfig:
    """Everything one training run needs.

    Each key is declared once, with :func:`setting`: its default, its check
    and its command-line option (see :func:`settings`).

    Attributes
    ----------
    dataset : str
        A built-in data set (``mlplab.datasets.dataset_names()``): ``moons``,
        ``circles``, ``spirals``, ``blobs``, ``linear``, ``xor``, the
        regression sets ``plane`` and ``gauss``, ``digits``,
        ``breast_cancer``, ``iris``, ``wine``, or a logic gate ``gate:xor``.
        Ignored when ``data`` is given.
    data : str, optional
        A ``.csv``, ``.npy`` or ``.npz`` file (see ``mlplab.datasets.load_file``).
    label_column : int or str, optional
        The label column of ``data`` (index, negative from the end, or name);
        by default the last column of a ``.csv`` or ``.npy`` file and the
        ``y`` array of an ``.npz`` file.
    feature_columns : tuple of int or str, optional
        The input columns of ``data``: indices of the file's columns (counted
        from 0 like ``label_column``, negative from the end) or header names;
        for an ``.npz`` file, indices of its ``X`` array. ``None`` takes every
        column but the label column. Only with ``data``.
    samples, noise : optional
        For the synthetic data sets; ``None`` keeps the generator's default.
    features : tuple of str, optional
        Feature crosses computed from the inputs, e.g. ``("x1", "x2", "x1*x2")``
        (see :mod:`mlplab.features`); ``None`` uses the inputs as they are.
    scale : {"none", "standard", "minmax"}
        Input scaling fitted on the training part and built into the model.
    hidden : tuple of int
        Hidden layer sizes; ``()`` is the logistic-regression baseline.
    activation : str
        The hidden layers' activation; ``"elu:2"`` for ELU with alpha 2 (and
        likewise ``leaky_relu:0.1``). One name per hidden layer, separated by
        commas (``"tanh,relu"``), gives each layer its own.
    dropout : tuple of float, optional
        The dropout rate after the hidden layers, in [0, 1): one rate for
        every hidden layer (``(0.2,)``) or one per hidden layer
        (``(0.2, 0.0)``); ``None`` or 0 for none.
    output_activation, loss : str, optional
        By default chosen from the labels: integer labels with two classes get
        one sigmoid unit and binary cross-entropy, more classes a softmax and
        categorical cross-entropy, real-valued targets a linear output and
        ``mse``. A loss fused with an output activation brings it as the
        default (``poisson``: ``exp``, for counts). ``"huber:2"`` is the Huber
        loss with delta 2.
    optimizer : str
        ``sgd``, ``momentum`` (SGD with momentum 0.9), ``nesterov``,
        ``rmsprop``, ``adagrad`` or ``adam``.
    lr : float
        The learning rate.
    epochs : int
        Passes over the training data.
    batch_size : int or None
        ``None`` (``"full"``): full-batch gradient descent; 1: stochastic.
    init : str
        The hidden and output layers' kernel initializer.
    l1 : float
        L1 penalty ``l1 * sum(|W|)`` on every kernel.
    l2 : float
        L2 penalty ``l2 * sum(W**2)`` on every kernel.
    clipnorm : float, optional
        Scale the gradients down whenever their global norm exceeds this (a
        remedy for divergence).
    engine : {"numpy", "numba", "auto"}
        The training engine (:mod:`mlplab.engine`): ``"numpy"``, the
        reference; ``"numba"``, the compiled training step (``pip install
        mlplab[fast]``), which refuses a network it does not cover (dropout,
        input scaling, feature crosses, clipnorm...) naming the component;
        ``"auto"``, the compiled engine where Numba is installed, the network
        is covered and has at most :data:`AUTO_MAX_WEIGHTS` weights, else
        NumPy (never an error). Left out of ``to_dict`` while ``"numpy"``.
    test_size : float
        Fraction held out for testing (stratified for classification); 0 for
        none.
    seed : int
        Seeds the initial weights and the shuffling (and dropout), and the
        data and the split unless ``data_seed`` is given.
    data_seed : int, optional
        Seeds the data set's generation and the train/test split; ``None``
        takes ``seed``. With it, ``seed`` changes the weights and not the data.
    name : str, optional
        The run's name in tables and plot titles (see :attr:`label`); not
        compared by ``==``.
    """

    dataset: str = setting(
        "moons", _NAME, f"built-in data set: {_DATASETS}", metavar="NAME", group="data"
    )
    data: str | None = setting(
        None,
        _STRING,
        "your own data: a .csv, .npy or .npz file, used instead of --dataset",
        metavar="FILE",
        group="data",
        unset="none",
    )
    label_column: int | str | None = setting(
        None,
        _COLUMN,
        "the label column of --data: index (negative from the end) or name",
        metavar="C",
        group="data",
        unset="the last column; the y array of an .npz",
    )
    feature_columns: tuple[int | str, ...] | None = setting(
        None,
        _COLUMNS,
        "the input columns of --data: indices (negative from the end) or names, "
        "comma-separated, e.g. 0,2 or x1,x3",
        metavar="LIST",
        group="data",
        unset="every column but the label column",
    )
    samples: int | None = setting(
        None,
        _integer(1),
        "points to generate for synthetic data sets",
        metavar="N",
        group="data",
        unset=_SYNTHETIC,
    )
    noise: float | None = setting(
        None,
        _number(0.0, inclusive=True),
        "noise of synthetic data sets",
        metavar="F",
        group="data",
        unset=_SYNTHETIC,
    )
    features: tuple[str, ...] | None = setting(
        None,
        _FEATURES,
        "input features, e.g. 'x1,x2,x1*x2,x1^2,sin(x1)'",
        metavar="LIST",
        unset="the inputs as they are",
    )
    scale: str = setting(
        "none",
        _NAME,
        "input scaling fitted on the training part",
        metavar="KIND",
        choices=("none", "standard", "minmax"),
    )
    hidden: tuple[int, ...] = setting(
        (5,),
        _HIDDEN,
        "hidden layer sizes, comma-separated, e.g. 5 or 8,8; 0 for none "
        "(logistic regression)",
        metavar="SIZES",
    )
    activation: str = setting(
        "tanh",
        _ACTIVATIONS,
        f"hidden activation: {_HIDDEN_ACTIVATIONS}; elu:2 for ELU with alpha 2; "
        "one per hidden layer, comma-separated, e.g. tanh,relu",
        metavar="NAME",
    )
    dropout: tuple[float, ...] | None = setting(
        None,
        _DROPOUT,
        "dropout rate in [0, 1) after every hidden layer, or one per hidden "
        "layer, e.g. 0.2 or 0.2,0",
        metavar="RATES",
        unset="no dropout",
    )
    output_activation: str | None = setting(
        None,
        _STRING,
        "output activation",
        metavar="NAME",
        unset="the loss's own, e.g. exp for poisson; else sigmoid for two "
        "classes, softmax for more, linear for regression",
    )
    loss: str | None = setting(
        None,
        _STRING,
        f"{_LOSSES}; huber:2 for delta 2; poisson is for counts (exp output)",
        metavar="NAME",
        unset="matches the output",
    )
    optimizer: str = setting(
        "sgd",
        _NAME,
        _OPTIMIZERS,
        metavar="NAME",
    )
    lr: float = setting(
        0.3, _number(0.0, inclusive=False), "learning rate", metavar="F"
    )
    epochs: int = setting(
        2000, _integer(1), "passes over the training data", metavar="N"
    )
    batch_size: int | None = setting(
        None,
        _BATCH_SIZE,
        "'full' for full-batch gradient descent, 1 for stochastic, N for mini-batches",
        metavar="N",
        none_word="full",
    )
    init: str = setting(
        "glorot_uniform",
        _NAME,
        f"kernel initializer: {_INITIALIZERS}",
        metavar="NAME",
    )
    l1: float = setting(
        0.0,
        _number(0.0, inclusive=True),
        "L1 penalty l1 * sum(|W|) on every kernel",
        metavar="F",
        omit_default=True,
    )
    l2: float = setting(
        0.0,
        _number(0.0, inclusive=True),
        "L2 penalty l2 * sum(W^2) on every kernel",
        metavar="F",
    )
    clipnorm: float | None = setting(
        None,
        _number(0.0, inclusive=False),
        "scale the gradients down whenever their global norm exceeds F, a "
        "remedy when training diverges",
        metavar="F",
        unset="no clipping",
    )
    engine: str = setting(
        "numpy",
        _NAME,
        "training engine: numpy, the reference; numba, the compiled training "
        "step (pip install mlplab[fast]; Dense layers, built-in components); "
        "auto, numba where it is installed, covers the network and the network "
        f"has at most {AUTO_MAX_WEIGHTS:,} weights, else numpy",
        metavar="NAME",
        choices=("numpy", "numba", "auto"),
        omit_default=True,
    )
    test_size: float = setting(
        0.2,
        _number(0.0, inclusive=True, below=1.0),
        "fraction held out for testing, stratified; 0 for none",
        metavar="F",
        group="data",
    )
    seed: int = setting(
        0,
        _integer(0),
        "seeds the weights and the shuffling, and the data and the split "
        "unless --data-seed is given",
        metavar="N",
        group="data",
    )
    data_seed: int | None = setting(
        None,
        _integer(0),
        "seeds the data and the train/test split",
        metavar="N",
        group="data",
        unset="the --seed",
    )
    name: str | None = setting(
        None,
        _STRING,
        "the run's name in tables and plot titles",
        cli=False,
        compare=False,
    )

    def __post_init__(self) -> None:
        for s in settings(type(self)):
            object.__setattr__(self, s.key, s.validate(getattr(self, s.key)))
        self._check_components()

    def _check_components(self) -> None:
        """Look the names up now, so that a typo fails before any training
        starts, and check that the loss and output activation go together."""
        for spec in self._activation_specs():
            activations.get(spec)
        self._check_per_layer()
        if self.feature_columns is not None and self.data is None:
            raise ValueError(
                f"feature_columns picks the input columns of a data file, and no "
                f"data file is given; received feature_columns="
                f"{self.feature_columns!r}. Give data=FILE, or leave "
                "feature_columns out"
            )
        if self.output_activation is not None:
            activations.get(self.output_activation)
        if self.loss is not None:
            fused = losses.get(self.loss_spec()).fused_activation
            out = self.output_activation
            if fused is not None and out is not None and out.strip().lower() != fused:
                raise ValueError(
                    f"loss {self.loss!r} goes with output_activation {fused!r} (the "
                    f"two are differentiated together); received output_activation="
                    f"{out!r}. Leave output_activation out to get {fused!r}"
                )
        initializers.get(self.init)
        self.make_optimizer()

    def _check_per_layer(self) -> None:
        """A list of activations or dropout rates has one item per hidden
        layer (a single item applies to every hidden layer)."""
        lists = (
            ("activation", len(self._activation_specs()), "names"),
            ("dropout", len(self.dropout or ()), "rates"),
        )
        n_layers = len(self.hidden)
        for key, n, what in lists:
            if n > 1 and n != n_layers:
                raise ValueError(
                    f"{key} lists {n} {what} for {n_layers} hidden layer"
                    f"{'' if n_layers == 1 else 's'} (hidden={self.hidden!r}); "
                    f"give one for every hidden layer, or one per hidden layer; "
                    f"received {key}={getattr(self, key)!r}"
                )

    # -- components ------------------------------------------------------------
    def _activation_specs(self) -> list[Any]:
        """The specs of the names in ``activation``, as many as it lists."""
        return [
            _spec("activation", name, activations.REGISTRY)
            for name in self.activation.split(",")
        ]

    def activation_spec(self) -> Any:
        """The hidden activation as ``activations.get`` takes it (``elu:2``
        becomes ``{"name": "elu", "alpha": 2.0}``).

        Raises
        ------
        ValueError
            When ``activation`` lists one activation per hidden layer; then
            :meth:`activation_specs` gives them.
        """
        specs = self._activation_specs()
        if len(specs) > 1:
            raise ValueError(
                f"activation={self.activation!r} names one activation per hidden "
                "layer; activation_specs() gives them layer by layer"
            )
        return specs[0]

    def activation_specs(self) -> list[Any]:
        """The activation of each hidden layer, as ``activations.get`` takes it:
        a single name repeated for every hidden layer, or the names listed.

        >>> RunConfig(hidden=(3, 2), activation="elu:2,relu").activation_specs()
        [{'name': 'elu', 'alpha': 2.0}, 'relu']
        >>> RunConfig(hidden=(3, 2), activation="tanh").activation_specs()
        ['tanh', 'tanh']
        """
        if "," in self.activation:
            return self._activation_specs()
        return [self._activation_specs()[0] for _ in self.hidden]

    def dropout_rates(self) -> list[float]:
        """The dropout rate after each hidden layer, 0.0 where there is none.

        >>> RunConfig(hidden=(3, 2), dropout=0.2).dropout_rates()
        [0.2, 0.2]
        """
        if self.dropout is None:
            return [0.0] * len(self.hidden)
        if len(self.dropout) == 1:
            return [self.dropout[0]] * len(self.hidden)
        return list(self.dropout)

    def seed_of_data(self) -> int:
        """The seed of the data set's generation and of the train/test split:
        ``data_seed``, else ``seed``."""
        return self.seed if self.data_seed is None else self.data_seed

    def loss_spec(self) -> Any:
        """The loss as ``losses.get`` takes it (``huber:2`` becomes
        ``{"name": "huber", "delta": 2.0}``), or None where not set."""
        if self.loss is None:
            return None
        return _spec("loss", self.loss, losses.REGISTRY)

    def output_spec(self) -> str | None:
        """The output activation asked for: ``output_activation``, else the
        one the loss is fused with (``exp`` for ``poisson``), else None (then
        the labels decide)."""
        if self.output_activation is not None:
            return self.output_activation
        if self.loss is not None:
            return losses.get(self.loss_spec()).fused_activation
        return None

    def make_optimizer(self) -> optimizers.Optimizer:
        """The optimizer of this run (``optimizers.create``)."""
        return optimizers.create(self.optimizer, self.lr, clipnorm=self.clipnorm)

    # -- variants --------------------------------------------------------------
    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some keys changed (values parsed as in a TOML file)."""
        return RunConfig.from_dict({**self.to_dict(), **changes})

    def baseline(self) -> RunConfig:
        """The logistic-regression baseline of this run: no hidden layer, and
        no feature crosses, on the same data, split and optimizer (the
        per-layer settings have no layer to apply to: a list of activations
        becomes its first name, and dropout is left out)."""
        return self.replace(
            hidden=(),
            features=None,
            activation=self.activation.split(",")[0],
            dropout=None,
            name="logistic regression",
        )

    @property
    def label(self) -> str:
        """A short description for tables and plot titles."""
        if self.name:
            return self.name
        if not self.hidden:
            return "logistic regression"
        sizes = "-".join(str(h) for h in self.hidden)
        return f"{sizes} {self.activation}"

    # -- dict and TOML ---------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain values (lists for tuples); ``None`` values are left out, and so
        are keys declared with ``omit_default`` while at their default."""
        out: dict[str, Any] = {}
        omitted = {s.key: s.default for s in settings(type(self)) if s.omit_default}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or (f.name in omitted and value == omitted[f.name]):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        for s in settings(type(self)):
            if s.none_word is not None and getattr(self, s.key) is None:
                out[s.key] = s.none_word
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RunConfig:
        """Build from a mapping; ``-`` and ``_`` are interchangeable in keys, and
        an unknown key is a ``ValueError`` listing the valid ones."""
        if not isinstance(values, Mapping):
            raise TypeError(f"a configuration must be a table; received {values!r}")
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            name = str(key).replace("-", "_")
            if name not in known:
                raise ValueError(
                    f"unknown configuration key {key!r}. Valid keys: "
                    + ", ".join(sorted(known))
                )
            kwargs[name] = value
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> RunConfig:
        """Read a TOML file; errors name the file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ValueError(f"no such configuration file: {p}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read configuration file {p}: {exc}") from None
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{p}: not valid TOML: {exc}") from None
        try:
            return cls.from_dict(values)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{p}: {exc}") from None

    def to_toml(self) -> str:
        """The configuration as TOML text that ``from_toml`` reads back."""
        lines = []
        for key, value in self.to_dict().items():
            lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON's string escapes are TOML's too (\n, \t, \uXXXX), except that
        # TOML also wants DEL escaped.
        return json.dumps(value).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def parse_value(key: str, text: str) -> Any:
    """A command-line value for ``key``, typed as the configuration needs it:
    numbers become numbers, everything else stays text for the key's own
    parsing (``hidden="5,5"``, ``batch_size="full"``)."""
    name = key.replace("-", "_")
    known = {s.key: s for s in settings()}
    if name not in known:
        raise ValueError(
            f"unknown option {key!r}. Valid keys: " + ", ".join(sorted(known))
        )
    return known[name].parse(text)


def settings(config_class: type[RunConfig] = RunConfig) -> tuple[Setting, ...]:
    """The :class:`Setting` of every field of ``config_class``, in field order.

    >>> [s.option for s in settings() if s.group == "data"][:3]
    ['--dataset', '--data', '--label-column']
    """
    found = _SETTINGS.get(config_class)
    if found is None:
        found = _SETTINGS[config_class] = tuple(
            _declared(config_class, f) for f in dataclasses.fields(config_class)
        )
    return found


_SETTINGS: dict[type[RunConfig], tuple[Setting, ...]] = {}


def _declared(config_class: type, f: dataclasses.Field[Any]) -> Setting:
    if "check" not in f.metadata:
        raise TypeError(
            f"{config_class.__name__}.{f.name} is not declared with "
            "mlplab.config.setting()"
        )
    return Setting(key=f.name, default=f.default, **f.metadata)
