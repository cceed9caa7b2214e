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
    activation = "tanh"
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import activations, initializers, losses, optimizers

__all__ = ["RunConfig", "parse_value"]

_SCALES = ("none", "standard", "minmax")


def _parse_hidden(value: Any) -> tuple[int, ...]:
    """``5``, ``"5,5"``, ``"5x5"``, ``[5, 5]``; ``0``, ``"0"`` or ``[]`` for none."""
    if isinstance(value, bool):
        raise TypeError(
            f"hidden must be layer sizes such as 5 or '5,5'; received hidden={value!r}"
        )
    if isinstance(value, numbers.Integral):
        items: list[Any] = [value]
    elif isinstance(value, str):
        items = value.replace("x", ",").split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise TypeError(
            f"hidden must be layer sizes such as 5 or '5,5'; received hidden={value!r}"
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
                "hidden must be non-negative integer layer sizes such as 5 or "
                f"'5,5' (0 for none); received hidden={value!r}"
            )
        sizes.append(size)
    if 0 in sizes and len(sizes) > 1:
        raise ValueError(
            f"hidden=0 means no hidden layer and cannot be combined with other "
            f"sizes; received hidden={value!r}"
        )
    return tuple(s for s in sizes if s > 0)


def _parse_batch_size(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() == "full"):
        return None
    try:
        size = int(value)
        ok = not isinstance(value, bool) and str(value).strip() == str(size)
    except (TypeError, ValueError):
        ok = False
    if not ok or size < 1:
        raise ValueError(
            f"batch_size must be a positive integer or 'full'; received "
            f"batch_size={value!r}"
        )
    return size


def _parse_features(value: Any) -> tuple[str, ...] | None:
    if value is None or value == "" or value == []:
        return None
    from .features import FeatureMap

    return tuple(FeatureMap(value).names)


def _spec(key: str, value: str, param: str, takes: tuple[str, ...]) -> Any:
    """``"name:number"`` as the config dict ``{"name": name, param: number}``
    of a component that takes one parameter; a plain name as it is."""
    name, _, arg = value.partition(":")
    if not arg:
        return name
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
    return {"name": name, param: number}


@dataclass(frozen=True)
class RunConfig:
    """Everything one training run needs.

    Attributes
    ----------
    dataset : str
        A built-in data set (``mlplab.datasets.dataset_names()``): ``moons``,
        ``circles``, ``spirals``, ``blobs``, ``linear``, ``xor``, ``digits``,
        ``breast_cancer``, ``iris``, ``wine``, or a logic gate ``gate:xor``.
        Ignored when ``data`` is given.
    data : str, optional
        A ``.csv``, ``.npy`` or ``.npz`` file (see ``mlplab.datasets.load_file``).
    label_column : int or str, optional
        The label column of ``data`` (index, negative from the end, or name);
        by default the last column of a ``.csv`` or ``.npy`` file and the
        ``y`` array of an ``.npz`` file.
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
        likewise ``leaky_relu:0.1``).
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
    l2 : float
        L2 penalty ``l2 * sum(W**2)`` on every kernel.
    clipnorm : float, optional
        Scale the gradients down whenever their global norm exceeds this (a
        remedy for divergence).
    test_size : float
        Fraction held out for testing (stratified for classification); 0 for
        none.
    seed : int
        Seeds the data, the split, the initial weights and the shuffling.
    """

    dataset: str = "moons"
    data: str | None = None
    label_column: int | str | None = None
    samples: int | None = None
    noise: float | None = None
    features: tuple[str, ...] | None = None
    scale: str = "none"
    hidden: tuple[int, ...] = (5,)
    activation: str = "tanh"
    output_activation: str | None = None
    loss: str | None = None
    optimizer: str = "sgd"
    lr: float = 0.3
    epochs: int = 2000
    batch_size: int | None = None
    init: str = "glorot_uniform"
    l2: float = 0.0
    clipnorm: float | None = None
    test_size: float = 0.2
    seed: int = 0
    name: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "hidden", _parse_hidden(self.hidden))
        set_(self, "batch_size", _parse_batch_size(self.batch_size))
        set_(self, "features", _parse_features(self.features))
        for key in ("dataset", "activation", "optimizer", "init", "scale"):
            value = getattr(self, key)
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"{key} must be a name; received {key}={value!r}")
            set_(self, key, value.strip().lower())
        for key in ("output_activation", "loss", "data", "name"):
            value = getattr(self, key)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{key} must be a string; received {key}={value!r}")
        if self.scale not in _SCALES:
            raise ValueError(
                f"scale must be one of {', '.join(_SCALES)}; received "
                f"scale={self.scale!r}"
            )
        self._check_number("lr", self.lr, low=0.0, inclusive=False)
        self._check_number("l2", self.l2, low=0.0, inclusive=True)
        self._check_number("test_size", self.test_size, low=0.0, inclusive=True)
        if self.test_size >= 1.0:
            raise ValueError(
                f"test_size must be in [0, 1); received test_size={self.test_size!r}"
            )
        for key, low in (("epochs", 1), ("seed", 0), ("samples", 1)):
            value = getattr(self, key)
            if value is None and key == "samples":
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{key} must be an integer; received {key}={value!r}")
            if value < low:
                raise ValueError(f"{key} must be >= {low}; received {key}={value!r}")
        if self.noise is not None:
            self._check_number("noise", self.noise, low=0.0, inclusive=True)
        if self.clipnorm is not None:
            self._check_number("clipnorm", self.clipnorm, low=0.0, inclusive=False)
        if self.label_column is not None and (
            isinstance(self.label_column, bool)
            or not isinstance(self.label_column, int | str)
        ):
            raise TypeError(
                "label_column must be a column index or name; received "
                f"label_column={self.label_column!r}"
            )
        # Names are checked now, so a typo fails before any training starts.
        activations.get(self.activation_spec())
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

    @staticmethod
    def _check_number(key: str, value: Any, *, low: float, inclusive: bool) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{key} must be a number; received {key}={value!r}")
        number = float(value)
        ok = number >= low if inclusive else number > low
        if not (ok and math.isfinite(number)):
            sign = ">=" if inclusive else ">"
            raise ValueError(f"{key} must be {sign} {low}; received {key}={value!r}")

    # -- components ------------------------------------------------------------
    def activation_spec(self) -> Any:
        """The hidden activation as ``activations.get`` takes it (``elu:2``
        becomes ``{"name": "elu", "alpha": 2.0}``)."""
        return _spec("activation", self.activation, "alpha", ("elu", "leaky_relu"))

    def loss_spec(self) -> Any:
        """The loss as ``losses.get`` takes it (``huber:2`` becomes
        ``{"name": "huber", "delta": 2.0}``), or None where not set."""
        if self.loss is None:
            return None
        return _spec("loss", self.loss, "delta", ("huber",))

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
        name = self.optimizer
        clip = self.clipnorm
        if name == "momentum":
            return optimizers.SGD(learning_rate=self.lr, momentum=0.9, clipnorm=clip)
        if name == "nesterov":
            return optimizers.SGD(
                learning_rate=self.lr, momentum=0.9, nesterov=True, clipnorm=clip
            )
        try:
            opt = optimizers.get(name)
        except ValueError as exc:
            raise ValueError(f"{exc} Also 'momentum' and 'nesterov'.") from None
        opt.learning_rate = self.lr
        opt.clipnorm = clip
        return opt

    # -- variants --------------------------------------------------------------
    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some keys changed (values parsed as in a TOML file)."""
        return RunConfig.from_dict({**self.to_dict(), **changes})

    def baseline(self) -> RunConfig:
        """The logistic-regression baseline of this run: no hidden layer, and
        no feature crosses, on the same data, split and optimizer."""
        return self.replace(hidden=(), features=None, name="logistic regression")

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
        """Plain values (lists for tuples); ``None`` values are left out."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        if self.batch_size is None:
            out["batch_size"] = "full"
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
    known = {f.name: f for f in dataclasses.fields(RunConfig)}
    if name not in known:
        raise ValueError(
            f"unknown option {key!r}. Valid keys: " + ", ".join(sorted(known))
        )
    if name in ("epochs", "seed", "samples"):
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{name} must be an integer; received {text!r}") from None
    if name in ("lr", "l2", "test_size", "noise", "clipnorm"):
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{name} must be a number; received {text!r}") from None
    if name == "label_column":
        try:
            return int(text)
        except ValueError:
            return text
    return text
