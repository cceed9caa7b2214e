"""mlplab: build, train, see and explain small neural networks, from scratch on
NumPy.

>>> import mlplab as ml
>>> model = ml.Sequential([ml.Dense(5, activation="tanh"),
...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
>>> model.count_params()
21
"""

from typing import Any

from . import (
    activations,
    callbacks,
    config,
    datasets,
    explain,
    features,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    persistence,
    preprocessing,
    recipes,
    regularizers,
    runs,
    schedules,
    sweep,
)
from ._version import __version__
from .callbacks import Callback, EarlyStopping, History, LearningRateScheduler
from .config import RunConfig
from .exceptions import DivergenceError, ModelFormatError
from .features import Features
from .gradcheck import GradcheckReport, gradcheck
from .layers import Activation, Dense, Dropout, Layer, Rescaling
from .model import Sequential
from .optimizers import LBFGS, SGD, Adagrad, Adam, RMSprop
from .persistence import ModelCheckpoint, load, save
from .regularizers import L1, L1L2, L2

# The scikit-learn estimators import scikit-learn (about a second) and the
# playground its web server: loaded on first use, so `import mlplab` stays light.
# Each name maps to (module, attribute); attribute None is the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "estimators": ("estimators", None),
    "MLPClassifier": ("estimators", "MLPClassifier"),
    "MLPRegressor": ("estimators", "MLPRegressor"),
    "playground": ("playground", None),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'mlplab' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(f".{module_name}", __name__)
    return module if attribute is None else getattr(module, attribute)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "L1",
    "L1L2",
    "L2",
    "LBFGS",
    "SGD",
    "Activation",
    "Adagrad",
    "Adam",
    "Callback",
    "Dense",
    "DivergenceError",
    "Dropout",
    "EarlyStopping",
    "Features",
    "GradcheckReport",
    "History",
    "Layer",
    "LearningRateScheduler",
    "MLPClassifier",
    "MLPRegressor",
    "ModelCheckpoint",
    "ModelFormatError",
    "RMSprop",
    "Rescaling",
    "RunConfig",
    "Sequential",
    "__version__",
    "activations",
    "callbacks",
    "config",
    "datasets",
    "estimators",
    "explain",
    "features",
    "gradcheck",
    "initializers",
    "layers",
    "load",
    "losses",
    "metrics",
    "optimizers",
    "persistence",
    "playground",
    "preprocessing",
    "recipes",
    "regularizers",
    "runs",
    "save",
    "schedules",
    "sweep",
]
