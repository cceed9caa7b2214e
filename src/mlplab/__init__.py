"""mlplab: build, train, see and explain small neural networks, from scratch on
NumPy.

>>> import mlplab as ml
>>> model = ml.Sequential([ml.Dense(5, activation="tanh"),
...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
>>> model.count_params()
21
"""

from . import (
    activations,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
)
from .callbacks import Callback, EarlyStopping, History, LearningRateScheduler
from .exceptions import DivergenceError
from .gradcheck import GradcheckReport, gradcheck
from .layers import Activation, Dense, Dropout, Layer
from .model import Sequential
from .optimizers import SGD, Adagrad, Adam, RMSprop
from .regularizers import L1, L1L2, L2

__version__ = "0.1.0"

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "SGD",
    "Activation",
    "Adagrad",
    "Adam",
    "Callback",
    "Dense",
    "DivergenceError",
    "Dropout",
    "EarlyStopping",
    "GradcheckReport",
    "History",
    "Layer",
    "LearningRateScheduler",
    "RMSprop",
    "Sequential",
    "__version__",
    "activations",
    "callbacks",
    "datasets",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
    "schedules",
]
