"""The page's configuration: what the controls say, checked, and made into
the :class:`~mlplab.config.RunConfig` that ``mlplab train`` would run.

The page sends a flat JSON object (see ``docs/playground.md``); every key has
a default, so the page may send only what it changed. The run configuration
is the single source of truth for training: the playground trains exactly
what ``mlplab train --config`` trains from the exported TOML.

>>> page = PageConfig.from_json({"dataset": "xor", "hidden": [{"units": 3}]})
>>> run = page.run_config(epochs=10)
>>> run.dataset, run.hidden, run.test_size
('xor', (3,), 0.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .. import activations, datasets, losses
from ..config import RunConfig

__all__ = [
    "FEATURES",
    "LIMITS",
    "OPTIMIZERS",
    "HiddenLayer",
    "PageConfig",
    "dataset_choices",
]

# The input features the page offers, as mlplab.features reads them.
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATION = ("none", "l1", "l2")
LIMITS = {
    "max_layers": 6,
    "max_units": 64,
    "max_samples": 5000,
    "max_epochs": 1_000_000,
    "max_upload_bytes": 20 * 1024 * 1024,
    "max_upload_rows": 20_000,
    "max_upload_columns": 100,
}
# Regression sets and the sets with two inputs the page can draw.
_TWO_D = ("moons", "circles", "xor", "spirals", "blobs", "linear")
_REGRESSION = ("plane", "gauss")
UPLOAD = "upload"


def dataset_choices() -> list[dict[str, str]]:
    """The data sets the page offers, each with its kind: ``classification``,
    ``regression`` or ``gate`` (a logic gate's four points)."""
    known = set(datasets.dataset_names())
    found = [{"name": n, "task": "classification"} for n in _TWO_D if n in known]
    found += [{"name": n, "task": "regression"} for n in _REGRESSION if n in known]
    found += [{"name": f"gate:{g}", "task": "gate"} for g in datasets.GATES]
    return found


def _number(key: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number; received {key}={value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(
            f"{key} must be between {low:g} and {high:g}; received {key}={value!r}"
        )
    return float(value)


def _integer(key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{key} must be an integer; received {key}={value!r}")
    if not low <= value <= high:
        raise ValueError(
            f"{key} must be between {low} and {high}; received {key}={value!r}"
        )
    return int(value)


def _choice(key: str, value: Any, valid: tuple[str, ...] | list[str]) -> str:
    if value not in valid:
        raise ValueError(
            f"{key} must be one of {', '.join(valid)}; received {key}={value!r}"
        )
    return str(value)


def _optional_name(key: str, value: Any, valid: list[str]) -> str | None:
    if value in (None, "", "auto"):
        return None
    return _choice(key, value, valid)


@dataclass(frozen=True)
class HiddenLayer:
    """One hidden layer of the page: its units, activation and dropout."""

    units: int = 4
    activation: str = "tanh"
    dropout: float = 0.0

    @classmethod
    def from_json(cls, value: Any, index: int) -> HiddenLayer:
        if not isinstance(value, dict):
            raise TypeError(
                f"hidden[{index}] must be an object with units, activation and "
                f"dropout; received {value!r}"
            )
        unknown = set(value) - {"units", "activation", "dropout"}
        if unknown:
            raise ValueError(
                f"hidden[{index}] has unknown keys {sorted(unknown)}; valid: "
                "units, activation, dropout"
            )
        units = _integer(
            f"hidden[{index}].units",
            value.get("units", 4),
            1,
            LIMITS["max_units"],
        )
        activation = _choice(
            f"hidden[{index}].activation",
            value.get("activation", "tanh"),
            hidden_activations(),
        )
        dropout = _number(
            f"hidden[{index}].dropout", value.get("dropout", 0.0), 0.0, 0.9
        )
        return cls(units, activation, dropout)


def hidden_activations() -> list[str]:
    """The activations a hidden layer may have."""
    return [n for n in activations.names() if n != "softmax"]


@dataclass(frozen=True)
class PageConfig:
    """What the page's controls say (see ``docs/playground.md``)."""

    dataset: str = "xor"
    upload: str | None = None
    feature_columns: tuple[str, str] | None = None
    label_column: str | None = None
    samples: int = 500
    noise: float = 0.1
    test_ratio: float = 0.5
    data_seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[HiddenLayer, ...] = field(
        default_factory=lambda: (HiddenLayer(4), HiddenLayer(2))
    )
    output_activation: str | None = None
    loss: str | None = None
    optimizer: str = "sgd"
    lr: float = 0.03
    batch_size: int | None = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    seed: int = 0
    baseline: bool = False

    # -- reading -----------------------------------------------------------------
    @classmethod
    def from_json(cls, values: Any) -> PageConfig:
        """The configuration the page sent, checked; missing keys take their
        defaults, unknown keys are refused."""
        if not isinstance(values, dict):
            raise TypeError(
                f"a configuration must be a JSON object; received {values!r}"
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown configuration keys {unknown}; valid: "
                + ", ".join(sorted(known))
            )
        page = cls()
        parsed = {k: _PARSERS[k](v) for k, v in values.items()}
        return replace(page, **parsed).checked()

    def checked(self) -> PageConfig:
        """Refuse combinations no control allows."""
        if self.dataset == UPLOAD:
            if self.upload is None:
                raise ValueError("dataset 'upload' needs an uploaded file first")
            if self.feature_columns is None or self.label_column is None:
                raise ValueError(
                    "an uploaded file needs its two feature columns and its label "
                    "column chosen"
                )
        if self.regularization != "none" and self.reg_rate == 0:
            return replace(self, regularization="none")
        return self

    def to_json(self) -> dict[str, Any]:
        """The configuration as the page holds it."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "hidden":
                value = [vars(h).copy() for h in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    # -- the run -------------------------------------------------------------------
    @property
    def is_gate(self) -> bool:
        return self.dataset.startswith("gate:")

    def run_config(self, epochs: int, data_path: str | Path | None = None) -> RunConfig:
        """The :class:`RunConfig` of this page trained for ``epochs`` epochs.

        ``data_path`` is where an uploaded file is (the server's copy, or its
        name for an export)."""
        return RunConfig(
            epochs=max(1, epochs),
            hidden=tuple(h.units for h in self.hidden),
            activation=self._activation(),
            dropout=self._dropout(),
            output_activation=self.output_activation,
            loss=self.loss,
            optimizer=self.optimizer,
            lr=self.lr,
            batch_size=self.batch_size,
            l1=self.reg_rate if self.regularization == "l1" else 0.0,
            l2=self.reg_rate if self.regularization == "l2" else 0.0,
            features=None if self.features == ("x1", "x2") else self.features,
            seed=self.seed,
            **self._data(data_path),
        )

    def _activation(self) -> str:
        names = [h.activation for h in self.hidden]
        if not names or len(set(names)) == 1:
            return names[0] if names else "tanh"
        return ",".join(names)

    def _dropout(self) -> tuple[float, ...] | None:
        rates = tuple(h.dropout for h in self.hidden)
        return rates if any(rates) else None

    def _data(self, data_path: str | Path | None) -> dict[str, Any]:
        if self.dataset == UPLOAD:
            if data_path is None:
                raise ValueError("the uploaded file is gone; upload it again")
            return {
                "data": str(data_path),
                "label_column": self.label_column,
                "feature_columns": self.feature_columns,
                "test_size": self.test_ratio,
                "data_seed": self.data_seed,
            }
        if self.is_gate:  # four points: no noise, no sample count, no test part
            return {"dataset": self.dataset, "test_size": 0.0}
        return {
            "dataset": self.dataset,
            "samples": self.samples,
            "noise": self.noise,
            "test_size": self.test_ratio,
            "data_seed": self.data_seed,
        }


def _dataset(value: Any) -> str:
    names = [d["name"] for d in dataset_choices()] + [UPLOAD]
    return _choice("dataset", value, names)


def _features(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(
            f"features must be a non-empty list of {', '.join(FEATURES)}; "
            f"received features={value!r}"
        )
    chosen = {_choice("features", v, FEATURES) for v in value}
    return tuple(f for f in FEATURES if f in chosen)


def _hidden(value: Any) -> tuple[HiddenLayer, ...]:
    if not isinstance(value, list | tuple) or len(value) > LIMITS["max_layers"]:
        raise ValueError(
            f"hidden must be a list of at most {LIMITS['max_layers']} layers; "
            f"received hidden={value!r}"
        )
    return tuple(HiddenLayer.from_json(v, i) for i, v in enumerate(value))


def _columns(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(
            f"feature_columns must name two columns; received feature_columns={value!r}"
        )
    return (_column("feature_columns", value[0]), _column("feature_columns", value[1]))


def _column(key: str, value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError(f"{key} must be a column name; received {key}={value!r}")
    return str(value)


def _upload(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.isalnum():
        raise ValueError(f"upload must be an upload id; received upload={value!r}")
    return value


def _batch(value: Any) -> int | None:
    if value in (None, "full"):
        return None
    return _integer("batch_size", value, 1, LIMITS["max_samples"])


def _bool(key: str) -> Any:
    def parse(value: Any) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be true or false; received {key}={value!r}")
        return value

    return parse


_PARSERS: dict[str, Any] = {
    "dataset": _dataset,
    "upload": _upload,
    "feature_columns": _columns,
    "label_column": lambda v: None if v is None else _column("label_column", v),
    "samples": lambda v: _integer("samples", v, 4, LIMITS["max_samples"]),
    "noise": lambda v: _number("noise", v, 0.0, 5.0),
    "test_ratio": lambda v: _number("test_ratio", v, 0.0, 0.9),
    "data_seed": lambda v: _integer("data_seed", v, 0, 2**31 - 1),
    "features": _features,
    "hidden": _hidden,
    "output_activation": lambda v: _optional_name(
        "output_activation", v, activations.names()
    ),
    "loss": lambda v: _optional_name("loss", v, losses.names()),
    "optimizer": lambda v: _choice("optimizer", v, OPTIMIZERS),
    "lr": lambda v: _number("lr", v, 1e-7, 100.0),
    "batch_size": _batch,
    "regularization": lambda v: _choice("regularization", v, REGULARIZATION),
    "reg_rate": lambda v: _number("reg_rate", v, 0.0, 10.0),
    "seed": lambda v: _integer("seed", v, 0, 2**31 - 1),
    "baseline": _bool("baseline"),
}
