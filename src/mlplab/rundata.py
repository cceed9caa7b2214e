"""The data of a run: a built-in data set or a file, its labels encoded and
split as a :class:`~mlplab.config.RunConfig` says.

>>> from mlplab.config import RunConfig
>>> data = load_data(RunConfig(samples=100, test_size=0.2))
>>> data.task, data.classes, data.X_train.shape, data.X_test.shape
('binary', [0, 1], (80, 2), (20, 2))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import datasets, preprocessing
from .config import RunConfig
from .tasks import infer_task

__all__ = ["Data", "load_data"]


@dataclass
class Data:
    """The data of a run, split and with labels encoded ``0 .. k-1``.

    ``classes`` holds the original label of each code (empty for regression).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    task: str  # "binary", "multiclass" or "regression"
    classes: list[Any] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])


def load_data(config: RunConfig) -> Data:
    """Load or generate the data of ``config``, encode the labels and split it
    (stratified for classification); the generation and the split are seeded
    by ``config.data_seed``, or ``config.seed`` when it is not given
    (:meth:`~mlplab.config.RunConfig.seed_of_data`)."""
    X, y = _read(config)
    task = infer_task(output_activation=config.output_spec(), labels=np.asarray(y))
    classes: list[Any] = []
    if task != "regression":
        y, classes = _encode(y, task)
    X_test = y_test = None
    if config.test_size > 0:
        X, X_test, y, y_test = preprocessing.train_test_split(
            X,
            y,
            test_size=config.test_size,
            stratify=task != "regression",
            seed=config.seed_of_data(),
        )
    return Data(X, y, X_test, y_test, task, classes)


def _read(config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The samples and labels of ``config``'s file (its ``feature_columns``
    only, when given) or built-in data set."""
    if config.data is not None:
        column = config.label_column
        kw: dict[str, Any] = {} if column is None else {"label_column": column}
        if config.feature_columns is not None:
            kw["feature_columns"] = config.feature_columns
        X, y = datasets.load_file(config.data, **kw)
        if y is None:
            raise ValueError(f"{config.data}: training needs a label column")
        return X, y
    return datasets.load_dataset(
        config.dataset,
        n_samples=config.samples,
        noise=config.noise,
        seed=config.seed_of_data(),
    )


def _encode(y: np.ndarray, task: str) -> tuple[np.ndarray, list[Any]]:
    """Class labels as codes ``0 .. k-1``, and the label of each code."""
    values, codes = np.unique(y, return_inverse=True)
    classes = values.tolist()
    if len(classes) < 2:
        raise ValueError(
            f"classification needs at least two classes; the labels are all "
            f"{classes[0]!r}"
        )
    if task == "binary" and len(classes) > 2:
        raise ValueError(
            f"a sigmoid output separates two classes; the labels have "
            f"{len(classes)}. Use output_activation='softmax'"
        )
    return codes, classes
