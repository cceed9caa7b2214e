"""The confusion matrix: counts of true against predicted classes, the
numbers written in the cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from .. import metrics as _metrics
from ._common import figure_of, new_figure

__all__ = ["ConfusionMatrixDisplay", "confusion_matrix"]


def _class_predictions(model: Any, X: Any) -> tuple[np.ndarray, int]:
    """Predicted classes, and the number of classes the model can predict (0
    when unknown)."""
    if getattr(model, "task", None) == "regression":
        raise ValueError(
            "a confusion matrix needs a classifier (a sigmoid or softmax output); "
            "this model is a regression model with output activation "
            f"{model.output_activation.name!r}"
        )
    predict_classes = getattr(model, "predict_classes", None)
    fn: Callable[[Any], Any]
    if callable(predict_classes):
        fn = predict_classes
    elif callable(getattr(model, "predict", None)):  # e.g. a scikit-learn classifier
        fn = model.predict
    elif callable(model):
        fn = model
    else:
        raise TypeError(
            "model must be a classifier with predict_classes(X) or predict(X), or a "
            f"function X -> class labels; received {model!r} of type "
            f"{type(model).__name__}"
        )
    task = getattr(model, "task", None)
    k = 0
    if task == "binary":
        k = 2
    elif task == "multiclass":
        k = int(model.output_dim)
    pred = np.asarray(fn(X))
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    return pred, k


def _labels_of(values: np.ndarray, name: str) -> np.ndarray:
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
        raise TypeError(
            f"{name} must be class labels 0..k-1; received an array of dtype "
            f"{values.dtype}"
        )
    as_float = values.astype(float)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be one class label per sample; received shape {values.shape}"
        )
    bad = ~np.isfinite(as_float) | (as_float < 0) | (as_float != np.round(as_float))
    if bad.any():
        raise ValueError(
            f"{name} must hold class labels 0, 1, ..., k-1; received values "
            f"{np.unique(as_float[bad])[:5].tolist()}"
        )
    return as_float.astype(np.int64)


def _true_and_predicted(
    model: Any, X: Any, y: Any
) -> tuple[np.ndarray, np.ndarray, int]:
    """The true and predicted class labels, checked, and the number of classes
    the model can predict (0 when unknown)."""
    pred, k_model = _class_predictions(model, X)
    true = np.asarray(y)
    if true.ndim == 2 and true.shape[1] > 1:
        true = true.argmax(axis=1)  # one-hot rows
    elif true.ndim == 2 and true.shape[1] == 1:
        true = true[:, 0]
    true = _labels_of(true, "y")
    pred = _labels_of(pred, "the predictions")
    if pred.shape != true.shape:
        raise ValueError(
            f"y has {true.shape[0]} labels but the model made {pred.shape[0]} "
            "predictions; give one label per row of X"
        )
    if true.size == 0:
        raise ValueError("y is empty: a confusion matrix needs samples")
    return true, pred, k_model


@dataclass(eq=False)
class ConfusionMatrixDisplay:
    """Counts of each true class predicted as each class, computed.

    :meth:`from_model` counts a classifier's predictions against the labels;
    :meth:`plot` draws the matrix as :func:`confusion_matrix` does.

    Attributes
    ----------
    counts : ndarray of int, shape (k, k)
        ``counts[i, j]``: samples of true class ``i`` predicted as ``j``.
    values : ndarray of float, shape (k, k)
        What the cells are shaded by: the counts, or with ``normalize`` each
        row as fractions of its true class.
    texts : list of list of str
        The number written in each cell, row by row.
    class_names : list of str
        A name per class, for the ticks.
    normalize : bool
        Whether ``values`` are fractions of the true class.
    value_range : (float, float)
        The values at the two ends of the colour map.

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab.plots import ConfusionMatrixDisplay
    >>> def predict(X):  # class 1 where x1 > 0
    ...     return (X[:, 0] > 0).astype(int)
    >>> X = np.array([[-1.0], [1.0], [2.0], [-2.0]])
    >>> d = ConfusionMatrixDisplay.from_model(predict, X, [0, 1, 0, 0],
    ...                                       normalize=True)
    >>> d.counts.tolist(), d.texts, d.value_range
    ([[2, 1], [0, 1]], [['0.67', '0.33'], ['0.00', '1.00']], (0.0, 1.0))
    >>> fig = d.plot()
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['0.67', '0.33', '0.00', '1.00']
    """

    counts: np.ndarray
    values: np.ndarray
    texts: list[list[str]]
    class_names: list[str]
    normalize: bool
    value_range: tuple[float, float]

    @classmethod
    def from_model(
        cls,
        model: Any,
        X: Any,
        y: Any,
        *,
        normalize: bool = False,
        labels: Sequence[str] | None = None,
    ) -> ConfusionMatrixDisplay:
        """Count ``model``'s predictions on ``X`` against ``y``; parameters as
        for :func:`confusion_matrix`."""
        true, pred, k_model = _true_and_predicted(model, X, y)
        k = max(k_model, int(true.max()) + 1, int(pred.max()) + 1)
        if labels is not None:
            names = [str(name) for name in labels]
            if len(names) < k:
                raise ValueError(
                    f"labels names {len(names)} classes, but the labels and "
                    f"predictions have {k}: give one name per class 0..{k - 1}"
                )
            k = len(names)
        else:
            names = [str(c) for c in range(k)]
        C = _metrics.confusion_matrix(true, pred, n_classes=k)  # (k, k) counts
        if normalize:
            totals = C.sum(axis=1, keepdims=True)
            values = C / np.where(totals > 0, totals, 1)
            texts = [[f"{v:.2f}" for v in row] for row in values]
            value_range = (0.0, 1.0)
        else:
            values = C.astype(float)
            texts = [[str(int(v)) for v in row] for row in C]
            value_range = (0.0, max(float(C.max()), 1.0))
        return cls(C, values, texts, names, normalize, value_range)

    def plot(self, ax: Axes | None = None, *, title: str | None = None) -> Figure:
        """Draw the matrix with its numbers and a colorbar (into ``ax`` if
        given); return the figure."""
        k = len(self.class_names)
        if ax is None:
            side = min(2.6 + 0.45 * k, 12.0)
            fig = new_figure(side + 1.0, side)
            ax = fig.add_subplot()
        else:
            fig = figure_of(ax)
        cmap = colormaps["Blues"]
        norm = Normalize(*self.value_range)
        image = ax.imshow(self.values, cmap=cmap, norm=norm, interpolation="nearest")
        fontsize = "medium" if k <= 6 else "small" if k <= 12 else "x-small"
        for i, j in np.ndindex(k, k):
            ax.text(
                j,
                i,
                self.texts[i][j],
                ha="center",
                va="center",
                fontsize=fontsize,
                color=_contrasting(cmap(norm(self.values[i, j]))),
            )
        ax.set_xticks(range(k), self.class_names)
        ax.set_yticks(range(k), self.class_names)
        if max(len(n) for n in self.class_names) > 3:
            ax.tick_params(axis="x", labelrotation=45)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        label = "fraction of the true class" if self.normalize else "count"
        fig.colorbar(image, ax=ax, label=label, shrink=0.8)
        if title is not None:
            ax.set_title(title)
        return fig


def confusion_matrix(
    model: Any,
    X: Any,
    y: Any,
    *,
    ax: Axes | None = None,
    normalize: bool = False,
    labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the counts of each true class (rows) predicted as each class
    (columns), the numbers written in the cells.

    Parameters
    ----------
    model : Sequential, classifier or callable
        A classifier: ``model.predict_classes(X)`` (a Sequential with a
        sigmoid or softmax output), else ``model.predict(X)`` (e.g. a
        scikit-learn classifier), else ``model(X)`` gives the predicted class
        labels 0..k-1.
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
        True class labels 0..k-1 (or one-hot rows).
    ax : matplotlib Axes, optional
        Draw into it (a colorbar takes space beside it); default: a new figure.
    normalize : bool, default False
        Show each row as fractions of its true class (rows sum to 1; a class
        without samples shows zeros) instead of counts.
    labels : list of str, optional
        Class names for the ticks; default ``0 .. k-1``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The matrix, its cells written row by row, and a colorbar beside it.

    See Also
    --------
    ConfusionMatrixDisplay : the counts and the cells' texts, computed.

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab import plots
    >>> def predict(X):  # class 1 where x1 > 0
    ...     return (X[:, 0] > 0).astype(int)
    >>> X = np.array([[-1.0], [1.0], [2.0], [-2.0]])
    >>> fig = plots.confusion_matrix(predict, X, [0, 1, 0, 0])
    >>> [t.get_text() for t in fig.axes[0].texts]  # row by row
    ['2', '1', '0', '1']
    """
    display = ConfusionMatrixDisplay.from_model(
        model, X, y, normalize=normalize, labels=labels
    )
    return display.plot(ax, title=title)


def _contrasting(rgba: Any) -> str:
    """Black text on a light cell, white on a dark one (WCAG luminance)."""
    rgb = np.asarray(rgba[:3], dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    return "black" if luminance > 0.179 else "white"
