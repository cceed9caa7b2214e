"""Curves over training: a model's learning curves, and loss curves of runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ._common import class_colors, figure_of, new_figure

__all__ = [
    "LearningCurvesDisplay",
    "LossCurvesDisplay",
    "learning_curves",
    "loss_curves",
]

# Logged every epoch, but not a metric of the model: left out of the plots.
_NOT_METRICS = ("learning_rate", "lr")


def _values(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a list of numbers; {err}") from None
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a flat list of numbers; received shape {arr.shape}"
        )
    return arr


def _curve(
    ax: Axes,
    x: np.ndarray,
    values: np.ndarray,
    *,
    label: str,
    color: Any,
    linestyle: str = "-",
) -> bool:
    """Plot one curve; return whether it diverged.

    A curve is cut where its first non-finite value (a diverging run) starts,
    and its last finite point is marked with an ``x``, which the legend
    handle shows too.
    """
    bad = ~np.isfinite(values)
    diverged = bool(bad.any())
    stop = int(np.argmax(bad)) if diverged else len(values)
    ax.plot(
        x[:stop],
        values[:stop],
        linestyle=linestyle,
        color=color,
        marker="x" if diverged else None,
        markevery=[stop - 1] if diverged and stop > 0 else None,
        markersize=9,
        markeredgewidth=2,
        label=f"{label} (diverged)" if diverged else label,
    )
    return diverged


def _epochs(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=float)


def _style_axes(ax: Axes, *, xlabel: str, ylabel: str, integer_x: bool) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.grid(True, alpha=0.3)
    if ax.get_yscale() == "log":
        ax.grid(True, which="minor", axis="y", alpha=0.1)
    ax.legend(loc="best", fontsize="small")


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    h = getattr(history, "history", history)
    if not isinstance(h, Mapping):
        raise TypeError(
            "history must be a dict of lists (Keras-style) or an object with a "
            f".history dict; received {type(history).__name__}"
        )
    out = {str(k): _values(v, f"history[{k!r}]") for k, v in h.items()}
    if "loss" not in out and "val_loss" not in out:
        raise ValueError(
            f"history has no 'loss' or 'val_loss'; received keys {sorted(out)}"
        )
    return out


def _pair(
    ax: Axes, h: Mapping[str, np.ndarray], key: str, color: Any, names: Sequence[str]
) -> None:
    """``key`` solid and ``val_<key>`` dashed, in one colour."""
    for k, name, style in ((key, names[0], "-"), (f"val_{key}", names[1], "--")):
        if k in h:
            _curve(
                ax, _epochs(len(h[k])), h[k], label=name, color=color, linestyle=style
            )


@dataclass(eq=False)
class LearningCurvesDisplay:
    """A training history, checked, with the metrics to plot beside the loss.

    :meth:`from_history` reads what ``fit`` logged; :meth:`plot` draws it as
    :func:`learning_curves` does.

    Attributes
    ----------
    history : dict of str to ndarray of shape (n_epochs,)
        Every logged value per epoch, ``val_<name>`` for validation.
    metrics : list of str
        The metrics other than the loss (without ``val_``), in the order
        logged; ``learning_rate`` is not one.

    Examples
    --------
    >>> from mlplab.plots import LearningCurvesDisplay
    >>> d = LearningCurvesDisplay.from_history({"loss": [0.7, 0.4, 0.3],
    ...                                         "val_accuracy": [0.5, 0.8, 0.9],
    ...                                         "lr": [0.1, 0.1, 0.1]})
    >>> d.metrics, d.history["loss"].shape
    (['accuracy'], (3,))
    >>> [a.get_ylabel() for a in d.plot().axes]
    ['loss', 'accuracy']
    """

    history: dict[str, np.ndarray]
    metrics: list[str]

    @classmethod
    def from_history(cls, history: Any) -> LearningCurvesDisplay:
        """Check ``history`` (as for :func:`learning_curves`) and find its metrics."""
        h = _history_dict(history)
        metrics: list[str] = []
        for k in h:
            base = k[4:] if k.startswith("val_") else k
            if base not in ("loss", *_NOT_METRICS, *metrics):
                metrics.append(base)
        return cls(h, metrics)

    def plot(
        self, ax: Axes | None = None, *, log: bool = False, title: str | None = None
    ) -> Figure:
        """Draw the loss and, without ``ax``, the metrics beside it."""
        h, metrics = self.history, self.metrics
        if ax is None:
            ncols = 2 if metrics else 1
            fig = new_figure(5.2 * ncols, 4.0)
            axes = list(fig.subplots(1, ncols, squeeze=False)[0])
        else:
            fig, axes = figure_of(ax), [ax]
        colors = class_colors(max(1, len(metrics)))
        _pair(axes[0], h, "loss", colors[0], ("train", "validation"))
        if log:
            axes[0].set_yscale("log")
        _style_axes(axes[0], xlabel="epoch", ylabel="loss", integer_x=True)
        if len(axes) > 1:
            for m, color in zip(metrics, colors, strict=False):
                names = (
                    ("train", "validation")
                    if len(metrics) == 1
                    else (f"{m} (train)", f"{m} (validation)")
                )
                _pair(axes[1], h, m, color, names)
            ylabel = metrics[0] if len(metrics) == 1 else "metric"
            _style_axes(axes[1], xlabel="epoch", ylabel=ylabel, integer_x=True)
        if title is not None:
            if len(axes) > 1:
                fig.suptitle(title)
            else:
                axes[0].set_title(title)
        return fig


def learning_curves(
    history: Any,
    *,
    ax: Axes | None = None,
    log: bool = False,
    title: str | None = None,
) -> Figure:
    """Plot the loss per epoch and, beside it, the other metrics.

    Parameters
    ----------
    history : dict of lists, or History
        Keras-style: ``{"loss": [...], "val_loss": [...], "accuracy": [...],
        ...}``, or an object with such a ``.history`` (what ``fit`` returns).
    ax : matplotlib Axes, optional
        Draw the loss, and only the loss, into it.
    log : bool, default False
        A logarithmic y-axis for the loss.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Without ``ax``: one axes for the loss, a second for the other metrics
        if there are any (``learning_rate`` is not plotted).

    See Also
    --------
    LearningCurvesDisplay : the validated curves and the metrics to draw.

    Notes
    -----
    Training values are solid lines, validation values (``val_<name>``)
    dashed. Epochs count from 1. A curve that becomes NaN or infinite ends at
    its last finite value, marked with an ``x``.

    Examples
    --------
    >>> from mlplab import plots
    >>> fig = plots.learning_curves({"loss": [0.7, 0.4, 0.3],
    ...                              "val_loss": [0.8, 0.5, 0.45],
    ...                              "accuracy": [0.5, 0.8, 0.9]})
    >>> [a.get_ylabel() for a in fig.axes]
    ['loss', 'accuracy']
    """
    return LearningCurvesDisplay.from_history(history).plot(ax, log=log, title=title)


@dataclass(eq=False)
class LossCurvesDisplay:
    """Labelled loss curves, checked, each with its x values.

    The curves :func:`loss_curves` compares, from :meth:`from_curves`, for
    :meth:`plot` (or a table, or a web page).

    Attributes
    ----------
    labels : list of str
        One per curve, in order.
    x, losses : list of ndarray of shape (n_values,)
        Each curve's x values and losses (a NaN or infinity where a run
        diverged).
    epochs : bool
        Whether ``x`` counts epochs 1, 2, 3, ... (no x values were given).

    Examples
    --------
    >>> from mlplab.plots import LossCurvesDisplay
    >>> d = LossCurvesDisplay.from_curves({"a": [0.7, 0.5, 0.4], "b": [0.9, 0.6]})
    >>> d.labels, [x.tolist() for x in d.x], d.epochs
    (['a', 'b'], [[1.0, 2.0, 3.0], [1.0, 2.0]], True)
    >>> len(d.plot().axes[0].get_lines())
    2
    """

    labels: list[str]
    x: list[np.ndarray]
    losses: list[np.ndarray]
    epochs: bool

    @classmethod
    def from_curves(
        cls,
        curves: Mapping[str, Sequence[float]],
        *,
        x: Mapping[str, Sequence[float]] | None = None,
    ) -> LossCurvesDisplay:
        """Check ``curves`` and ``x`` (as for :func:`loss_curves`)."""
        if not isinstance(curves, Mapping):
            raise TypeError(
                f"curves must be a dict of label -> list of losses; received "
                f"{type(curves).__name__}"
            )
        if not curves:
            raise ValueError("curves is empty: give at least one curve")
        if x is not None:
            missing = [str(k) for k in curves if k not in x]
            if missing:
                raise ValueError(f"x has no values for the curves {missing}")
        xs, losses = [], []
        for label, values in curves.items():
            y = _values(values, f"curves[{label!r}]")
            if x is None:
                xs.append(_epochs(len(y)))
            else:
                xs.append(_values(x[label], f"x[{label!r}]"))
                if len(xs[-1]) != len(y):
                    raise ValueError(
                        f"curve {label!r} has {len(y)} values but x[{label!r}] has "
                        f"{len(xs[-1])}"
                    )
            losses.append(y)
        return cls([str(label) for label in curves], xs, losses, x is None)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        log: bool = False,
        xlabel: str = "epoch",
        title: str | None = None,
    ) -> Figure:
        """Draw the curves on one axes (a new figure without ``ax``)."""
        if ax is None:
            fig = new_figure(6.0, 4.2)
            ax = fig.add_subplot()
        else:
            fig = figure_of(ax)
        colors = class_colors(len(self.labels))
        for label, xs, y, color in zip(
            self.labels, self.x, self.losses, colors, strict=True
        ):
            _curve(ax, xs, y, label=label, color=color)
        if log:
            ax.set_yscale("log")
        _style_axes(ax, xlabel=xlabel, ylabel="loss", integer_x=self.epochs)
        if title is not None:
            ax.set_title(title)
        return fig


def loss_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    x: Mapping[str, Sequence[float]] | None = None,
    ax: Axes | None = None,
    log: bool = False,
    xlabel: str = "epoch",
    title: str | None = None,
) -> Figure:
    """Plot several labelled loss curves on one axes, e.g. to compare runs.

    Parameters
    ----------
    curves : dict of str to list of float
        Label -> the loss at each epoch (or step).
    x : dict of str to list of float, optional
        Label -> the x value of each loss value (e.g. wall-clock seconds),
        for every label of ``curves``; default: 1, 2, 3, ...
    ax : matplotlib Axes, optional
        Draw into it; default: a new figure.
    log : bool, default False
        A logarithmic y-axis.
    xlabel : str, default "epoch"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    LossCurvesDisplay : the validated curves and their x values.

    Notes
    -----
    A run that diverged (a NaN or infinite value) is drawn up to its last
    finite value, marked with an ``x``, and labelled "(diverged)".

    Examples
    --------
    >>> from mlplab import plots
    >>> fig = plots.loss_curves({"lr=0.1": [0.7, 0.5, 0.4],
    ...                          "lr=10": [0.7, 3.0, float("nan")]})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['lr=0.1', 'lr=10 (diverged)']
    """
    display = LossCurvesDisplay.from_curves(curves, x=x)
    return display.plot(ax, log=log, xlabel=xlabel, title=title)
