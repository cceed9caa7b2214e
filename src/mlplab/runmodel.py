"""The network of a run: a :class:`~mlplab.config.RunConfig` made into a
compiled :class:`~mlplab.model.Sequential` for its data.

>>> from mlplab.config import RunConfig
>>> from mlplab.rundata import load_data
>>> config = RunConfig(samples=60, hidden=(4,), scale="standard")
>>> model = build_model(config, load_data(config))
>>> [type(layer).__name__ for layer in model.layers]
['Rescaling', 'Dense', 'Dense']
>>> model.engine  # config.engine="auto" would keep NumPy here: Rescaling
'numpy'
"""

from __future__ import annotations

import numpy as np

from . import engine as engine_module
from . import preprocessing
from .config import AUTO_MAX_WEIGHTS, RunConfig
from .features import Features
from .layers import Dense, Dropout, Layer, Rescaling
from .model import Sequential
from .regularizers import L1, L1L2, L2, Regularizer
from .rundata import Data

__all__ = ["auto_engine", "build_model"]


def build_model(config: RunConfig, data: Data) -> Sequential:
    """The network of ``config`` for ``data``: input scaling (fitted on the
    training part), feature crosses, hidden layers (each with its activation,
    and followed by a ``Dropout`` where its rate is above 0) and the output
    layer, compiled, with ``config.engine`` (``"auto"`` resolved by
    :func:`auto_engine`)."""
    layers: list[Layer] = []
    if config.scale != "none":
        layers.append(_scaling(config.scale, data.X_train))
    if config.features is not None:
        layers.append(Features(config.features))
    reg = _regularizer(config.l1, config.l2)
    for units, activation, rate in zip(
        config.hidden,
        config.activation_specs(),
        config.dropout_rates(),
        strict=True,
    ):
        layers.append(
            Dense(
                units,
                activation=activation,
                kernel_initializer=config.init,
                kernel_regularizer=reg,
            )
        )
        if rate > 0:
            layers.append(Dropout(rate))
    out_units, default_act, default_loss, metric = _output(data)
    layers.append(
        Dense(
            out_units,
            activation=config.output_spec() or default_act,
            kernel_initializer=config.init,
            kernel_regularizer=reg,
        )
    )
    engine = "numpy" if config.engine == "auto" else config.engine
    model = Sequential(
        layers, input_dim=data.n_features, seed=config.seed, engine=engine
    )
    model.compile(
        loss=config.loss_spec() or default_loss,
        optimizer=config.make_optimizer(),
        metrics=[metric],
    )
    if config.engine == "auto":
        model.engine = auto_engine(model)
    return model


def auto_engine(model: Sequential) -> str:
    """What ``engine="auto"`` picks for a compiled ``model``: ``"numba"``
    where Numba is installed, :func:`mlplab.engine.check_covered` accepts the
    model and it has at most :data:`mlplab.config.AUTO_MAX_WEIGHTS` weights;
    else ``"numpy"``. Never raises."""
    if not engine_module.numba_available() or model.count_params() > AUTO_MAX_WEIGHTS:
        return "numpy"
    try:
        engine_module.check_covered(model.layers, model.loss, model.optimizer)
    except ValueError:
        return "numpy"
    return "numba"


def _regularizer(l1: float, l2: float) -> Regularizer | None:
    """The kernel penalty: ``L1``, ``L2`` or both (``L1L2``); None for none."""
    if l1 > 0 and l2 > 0:
        return L1L2(l1, l2)
    if l1 > 0:
        return L1(l1)
    return L2(l2) if l2 > 0 else None


def _scaling(scale: str, X_train: np.ndarray) -> Rescaling:
    """The input layer that standardizes (``"standard"``) or maps to [0, 1]
    (``"minmax"``) the training inputs."""
    if scale == "standard":
        std = preprocessing.StandardScaler().fit(X_train)
        return Rescaling(1.0 / std.scale_, offset=-std.mean_ / std.scale_)
    mm = preprocessing.MinMaxScaler().fit(X_train)
    return Rescaling(mm.scale_, offset=mm.min_)


def _output(data: Data) -> tuple[int, str, str, str]:
    """The output layer's units, and the activation, loss and metric that
    ``data``'s task takes unless the configuration names others."""
    if data.task == "regression":
        units = 1 if data.y_train.ndim == 1 else data.y_train.shape[1]
        return units, "linear", "mse", "mse"
    if data.task == "multiclass":
        units = max(2, len(data.classes))
        return units, "softmax", "categorical_crossentropy", "accuracy"
    return 1, "sigmoid", "binary_crossentropy", "accuracy"
