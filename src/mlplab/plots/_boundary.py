"""Decision boundaries on a 2-D input plane: one model, or a grid of them.

A model is evaluated on a regular grid covering the data. Its output decides
the picture:

- one column of probabilities (sigmoid): P(class 1) shaded from class 0's
  colour to class 1's, and the 0.5 contour as a black line;
- k > 1 columns (softmax): regions of the predicted class in light class
  colours, and black lines where the two most probable classes tie;
- one column of values (linear output): the value, on a sequential colour map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .._validation import check_positive, check_range
from ..tasks import infer_task
from ._common import (
    MISCLASSIFIED_COLOR,
    NEUTRAL_COLOR,
    PROBABILITY_CMAP,
    REGRESSION_CMAP,
    boundary_plane,
    check_resolution,
    class_colors,
    figure_of,
    marker_handle,
    new_figure,
    plane_grid,
    plot_targets,
    region_cmap,
)

__all__ = ["BoundaryDisplay", "SweepGridDisplay", "decision_boundary", "sweep_grid"]

_TASKS = ("binary", "multiclass", "regression")
_PANEL_KEYS = ("model", "predict", "X", "y", "X_test", "y_test", "title")
_COLORBAR_LABELS = {"binary": "P(class 1)", "regression": "prediction"}

PredictFn = Callable[[np.ndarray], Any]


# -- the model and its output --------------------------------------------------
def _predict_fn(model: Any) -> tuple[PredictFn, str | None]:
    """The function to evaluate, and the model's task when it states one."""
    proba = getattr(model, "predict_proba", None)
    if callable(proba):  # a scikit-learn classifier

        def predict_proba(X: np.ndarray) -> np.ndarray:
            P = np.asarray(proba(X), dtype=float)
            # Two classes come as (P0, P1) columns: keep P(class 1).
            return P[:, 1] if P.ndim == 2 and P.shape[1] == 2 else P

        return predict_proba, None
    predict = getattr(model, "predict", None)
    if callable(predict):
        task = getattr(model, "task", None)
        return predict, task if task in _TASKS else None
    if callable(model):
        return model, None
    raise TypeError(
        "model must be an object with a predict(X) method (a Sequential) or a "
        f"function f(X) -> probabilities; received {model!r} of type "
        f"{type(model).__name__}"
    )


def _outputs(f: PredictFn, X: np.ndarray) -> np.ndarray:
    """``f(X)`` as an (n_samples, n_outputs) float array."""
    out = np.asarray(f(X))
    if not (np.issubdtype(out.dtype, np.number) or out.dtype == bool):
        raise TypeError(
            f"the model must return numbers; it returned an array of dtype {out.dtype}"
        )
    out = out.astype(float, copy=False)
    if out.ndim == 1:
        out = out[:, None]  # (n_samples, 1)
    if out.ndim != 2 or out.shape[0] != X.shape[0]:
        raise ValueError(
            f"the model must return one row per input, of shape (n,), (n, 1) or "
            f"(n, k); for {X.shape[0]} inputs it returned shape {out.shape}"
        )
    return out


def _task(hint: str | None, out: np.ndarray) -> str:
    """``"binary"``, ``"multiclass"`` or ``"regression"`` for outputs ``out``:
    the model's own task when it states one (``hint``), else the outputs'."""
    k = out.shape[1]
    if (hint or infer_task(outputs=out)) == "regression":
        if k != 1:
            raise ValueError(
                f"the model has {k} regression outputs; a decision boundary shades "
                "one: pass a function of one of them, e.g. "
                "lambda X: model.predict(X)[:, 0]"
            )
        return "regression"
    return "multiclass" if k > 1 else "binary"


def _classes(task: str, out: np.ndarray) -> np.ndarray:
    """Predicted class labels, shape (n_samples,)."""
    if task == "multiclass":
        return out.argmax(axis=1)
    return (out[:, 0] >= 0.5).astype(np.int64)


@dataclass
class _Data:
    """The points, checked, and their labels as given (None when not given):
    the labels are checked once the model's task is known."""

    X: np.ndarray  # (n_train, 2)
    y: Any
    X_test: np.ndarray | None  # (n_test, 2)
    y_test: Any


def _data(X: Any, y: Any, X_test: Any, y_test: Any) -> _Data:
    Xa = boundary_plane(X, "X")
    Xt = None if X_test is None else boundary_plane(X_test, "X_test")
    if y_test is not None and Xt is None:
        raise ValueError("y_test was given without X_test")
    return _Data(Xa, y, Xt, y_test)


# -- the computed picture --------------------------------------------------------
@dataclass(eq=False)
class BoundaryDisplay:
    """A model's outputs over a grid on a 2-D input plane, with the data.

    What :func:`decision_boundary` draws, computed: make it with
    :meth:`from_model`, draw it with :meth:`plot`, or serve its arrays
    elsewhere (a web page, a report).

    Attributes
    ----------
    task : {"binary", "multiclass", "regression"}
        What the outputs are: P(class 1), class probabilities, or values.
    x1, x2 : ndarray of shape (resolution,)
        The grid's coordinates along each input.
    outputs : ndarray of shape (resolution, resolution, n_outputs)
        The model's outputs at the grid points: ``outputs[i, j]`` at
        ``(x1[j], x2[i])``.
    extent : (float, float, float, float)
        x1 min, x1 max, x2 min, x2 max of the grid.
    X : ndarray of shape (n_samples, 2)
        The training points.
    y : ndarray of shape (n_samples,) or None
        Their class labels (int) or regression targets (float).
    misclassified : ndarray of bool, shape (n_samples,), or None
        Whether the model's class differs from ``y``; None for a
        regression, without ``y``, or when not asked for.
    X_test, y_test, misclassified_test : ndarray or None
        The same for the test points.
    n_classes : int
        Classes given a colour: the model's outputs and the labels seen (0
        for a regression).
    value_range : (float, float)
        The colour scale of a regression: the range of its outputs and
        targets; ``(0.0, 1.0)`` for a classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab.plots import BoundaryDisplay
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> def p(X):  # P(class 1) = sigmoid(4 (x1 - 0.5))
    ...     return 1 / (1 + np.exp(-4 * (X[:, 0] - 0.5)))
    >>> d = BoundaryDisplay.from_model(p, X, [0, 1, 0, 0], resolution=20)
    >>> d.task, d.x1.shape, d.outputs.shape, d.extent
    ('binary', (20,), (20, 20, 1), (-0.5, 1.5, -0.5, 1.5))
    >>> d.misclassified.tolist()  # (1, 0) is on class 1's side
    [False, False, False, True]
    >>> fig = d.plot()
    >>> fig.axes[1].get_ylabel()
    'P(class 1)'
    """

    task: str
    x1: np.ndarray
    x2: np.ndarray
    outputs: np.ndarray
    extent: tuple[float, float, float, float]
    X: np.ndarray
    y: np.ndarray | None
    misclassified: np.ndarray | None
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    misclassified_test: np.ndarray | None
    n_classes: int
    value_range: tuple[float, float]

    @classmethod
    def from_model(
        cls,
        model: Any,
        X: Any,
        y: Any = None,
        *,
        X_test: Any = None,
        y_test: Any = None,
        resolution: int = 200,
        margin: float = 0.5,
        misclassified: bool = True,
    ) -> BoundaryDisplay:
        """Evaluate ``model`` on a grid covering the data plus ``margin``.

        Parameters are those of :func:`decision_boundary`; ``misclassified``
        says whether to find the points whose predicted class differs from
        their label (``show_misclassified`` there).
        """
        resolution = check_resolution(resolution)
        margin = check_range("margin", margin, 0.0, math.inf, high_inclusive=False)
        data = _data(X, y, X_test, y_test)
        return _evaluate(model, data, resolution, margin, misclassified)

    def plot(self, ax: Axes | None = None, *, title: str | None = None) -> Figure:
        """Draw the outputs, the boundary and the points; return the figure.

        Without ``ax`` a new figure; with it, into ``ax`` (a colorbar takes
        space beside it).
        """
        if ax is None:
            fig = new_figure(6.0, 4.6)
            ax = fig.add_subplot()
        else:
            fig = figure_of(ax)
        image, handles = self._draw(ax, self.n_classes, self.value_range, counts=True)
        if image is not None:
            fig.colorbar(image, ax=ax, label=_COLORBAR_LABELS[self.task])
        if handles:
            ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.9)
        if title is not None:
            ax.set_title(title)
        return fig

    @property
    def n_outputs(self) -> int:
        """The model's outputs per point: 1, or k class probabilities."""
        return int(self.outputs.shape[2])

    def _draw(
        self,
        ax: Axes,
        n_classes: int,
        vlim: tuple[float, float],
        *,
        counts: bool,
    ) -> tuple[ScalarMappable | None, list[Artist]]:
        """Draw into ``ax`` with these class colours and value range (a sweep
        grid shares them); return the image for a colorbar and the legend
        handles."""
        image, drew_line = _draw_surface(ax, self, n_classes=n_classes, vlim=vlim)
        handles = _draw_points(ax, self, n_classes, vlim, counts=counts)
        if drew_line:
            handles.append(
                Line2D([], [], color="black", linewidth=1.5, label="decision boundary")
            )
        ax.set_xlim(self.extent[0], self.extent[1])
        ax.set_ylim(self.extent[2], self.extent[3])
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        return image, handles


def _evaluate(
    model: Any, data: _Data, resolution: int, margin: float, misclassified: bool
) -> BoundaryDisplay:
    """Evaluate the model on the grid, then check the labels against its task."""
    f, hint = _predict_fn(model)
    points = data.X if data.X_test is None else np.vstack([data.X, data.X_test])
    x1, x2, grid, extent = plane_grid(points, resolution, margin)
    out = _outputs(f, grid)
    task = _task(hint, out)
    Z = out.reshape(resolution, resolution, out.shape[1])
    y = None if data.y is None else plot_targets(data.y, len(data.X), "y", task)
    y_test = None
    if data.y_test is not None:
        assert data.X_test is not None
        y_test = plot_targets(data.y_test, len(data.X_test), "y_test", task)

    def wrong(X: np.ndarray | None, labels: np.ndarray | None) -> np.ndarray | None:
        if X is None or labels is None or not misclassified or task == "regression":
            return None
        return np.asarray(_classes(task, _outputs(f, X)) != labels)

    regression = task == "regression"
    labels = [t for t in (y, y_test) if t is not None]
    return BoundaryDisplay(
        task=task,
        x1=x1,
        x2=x2,
        outputs=Z,
        extent=extent,
        X=data.X,
        y=y,
        misclassified=wrong(data.X, y),
        X_test=data.X_test,
        y_test=y_test,
        misclassified_test=wrong(data.X_test, y_test),
        n_classes=0 if regression else _n_classes(task, Z.shape[2], labels),
        value_range=_value_range(Z, labels) if regression else (0.0, 1.0),
    )


def _n_classes(task: str, n_outputs: int, labels: list[np.ndarray]) -> int:
    """Classes to give colours to: the model's outputs and the labels seen."""
    n = 2 if task == "binary" else n_outputs
    for y in labels:
        if y.size:
            n = max(n, int(y.max()) + 1)
    return n


def _value_range(Z: np.ndarray, targets: list[np.ndarray]) -> tuple[float, float]:
    """The range of the predictions and targets of a regression panel."""
    values = np.concatenate([Z.ravel(), *targets])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    return float(values.min()), float(values.max())


# -- drawing ---------------------------------------------------------------------
def _has_level(Z: np.ndarray, level: float) -> bool:
    """Whether ``Z`` crosses ``level`` (else matplotlib's contour warns)."""
    finite = Z[np.isfinite(Z)]
    return finite.size > 0 and finite.min() < level < finite.max()


def _draw_surface(
    ax: Axes, d: BoundaryDisplay, *, n_classes: int, vlim: tuple[float, float]
) -> tuple[ScalarMappable | None, bool]:
    """Shade the outputs and draw the class boundaries.

    Returns the image to make a colorbar of (None for class regions) and
    whether a boundary line was drawn.
    """
    common: dict[str, Any] = {"origin": "lower", "extent": d.extent, "aspect": "auto"}
    if d.task == "multiclass":
        return None, _draw_regions(ax, d, n_classes, common)
    Z = np.ma.masked_invalid(d.outputs[:, :, 0])
    if d.task == "binary":
        image = ax.imshow(
            Z,
            cmap=PROBABILITY_CMAP,
            norm=Normalize(0.0, 1.0),
            interpolation="bilinear",
            **common,
        )
        if not _has_level(d.outputs[:, :, 0], 0.5):
            return image, False
        ax.contour(d.x1, d.x2, Z, levels=[0.5], colors="black", linewidths=1.5)
        return image, True
    image = ax.imshow(
        Z,
        cmap=REGRESSION_CMAP,
        norm=Normalize(*vlim),
        interpolation="bilinear",
        **common,
    )
    return image, False


def _draw_regions(
    ax: Axes, d: BoundaryDisplay, n_classes: int, common: dict[str, Any]
) -> bool:
    """Regions of the most probable class; return whether a line was drawn."""
    Z = d.outputs
    labels = np.ma.masked_array(Z.argmax(axis=2), mask=~np.isfinite(Z).all(axis=2))
    ax.imshow(
        labels,
        cmap=region_cmap(n_classes),
        norm=BoundaryNorm(np.arange(n_classes + 1) - 0.5, n_classes),
        interpolation="nearest",
        **common,
    )
    drew_line = False
    for c in range(d.n_outputs):
        # Class c's region ends where its probability meets the best other.
        others = np.delete(Z, c, axis=2).max(axis=2)
        lead = Z[:, :, c] - others
        if _has_level(lead, 0.0):
            ax.contour(d.x1, d.x2, lead, levels=[0.0], colors="black", linewidths=1.2)
            drew_line = True
    return drew_line


def _point_sets(
    d: BoundaryDisplay,
) -> list[tuple[str, str, float, np.ndarray, Any, np.ndarray | None]]:
    """(label, marker, size, X, y, misclassified) of the train and test points."""
    sets = [("train", "o", 28.0, d.X, d.y, d.misclassified)]
    if d.X_test is not None:
        sets.append(("test", "^", 44.0, d.X_test, d.y_test, d.misclassified_test))
    return sets


def _draw_points(
    ax: Axes,
    d: BoundaryDisplay,
    n_classes: int,
    vlim: tuple[float, float],
    *,
    counts: bool,
) -> list[Artist]:
    """Scatter the train and test points; return the legend handles."""
    colors = np.array(class_colors(n_classes), dtype=object)
    handles: list[Artist] = []
    classification = d.task != "regression"
    if classification and (d.y is not None or d.y_test is not None):
        handles += [
            Patch(facecolor=colors[c], edgecolor="black", label=f"class {c}")
            for c in range(n_classes)
        ]
    n_wrong = 0
    for label, marker, size, X, y, wrong in _point_sets(d):
        fill: dict[str, Any] = {"c": NEUTRAL_COLOR}
        if y is not None and classification:
            fill = {"c": list(colors[y])}
        elif y is not None:
            fill = {"c": y, "cmap": REGRESSION_CMAP, "norm": Normalize(*vlim)}
        ax.scatter(
            X[:, 0],
            X[:, 1],
            s=size,
            marker=marker,
            zorder=3,
            edgecolors="black",
            linewidths=0.6,
            **fill,
        )
        handles.append(
            marker_handle(
                marker, 6, label, markerfacecolor="#dddddd", markeredgecolor="black"
            )
        )
        if wrong is not None:
            n_wrong += int(wrong.sum())
            ax.scatter(
                X[wrong, 0],
                X[wrong, 1],
                s=size * 1.6,
                marker="x",
                c=MISCLASSIFIED_COLOR,
                linewidths=1.5,
                zorder=4,
            )
    if d.misclassified is not None or d.misclassified_test is not None:
        label = f"misclassified ({n_wrong})" if counts else "misclassified"
        handles.append(
            marker_handle("x", 7, label, markeredgewidth=1.5, color=MISCLASSIFIED_COLOR)
        )
    return handles


# -- public ----------------------------------------------------------------------
def decision_boundary(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 200,
    margin: float = 0.5,
    show_misclassified: bool = True,
) -> Figure:
    """Draw what a model predicts over a 2-D input plane, with the data on top.

    Parameters
    ----------
    model : Sequential, object with ``predict``, or callable
        ``model.predict(X)`` (or ``model(X)``) must return output activations
        of shape (n,), (n, 1) or (n, k) for inputs of shape (n, 2). An object
        with ``predict_proba`` (a scikit-learn classifier) is evaluated with it.
    X : array of shape (n_samples, 2)
        Training inputs, drawn as circles. The grid covers them (and
        ``X_test``) plus ``margin``.
    y : array of shape (n_samples,), optional
        Class labels 0..k-1 (or one-hot rows), or regression targets. Points
        are coloured by it.
    X_test, y_test : arrays, optional
        Test points, drawn as triangles.
    ax : matplotlib Axes, optional
        Draw into it (a colorbar takes space beside it); default: a new figure.
    title : str, optional
    resolution : int, default 200
        Grid points along each axis.
    margin : float, default 0.5
        How far the grid reaches beyond the data, in input units.
    show_misclassified : bool, default True
        Cross out the points whose predicted class differs from their label.

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    BoundaryDisplay : the grid and the model's outputs on it, computed.

    Notes
    -----
    The task follows ``model.task`` when the model has one, else the output:
    one column in [0, 1] is P(class 1) of a binary classifier (shaded, with
    the 0.5 contour), one column with values outside [0, 1] a regression
    (shaded on a sequential map), k > 1 columns class probabilities (regions
    of the most probable class, bounded where two classes tie).

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab import plots
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> def p(X):  # P(class 1) = sigmoid(4 (x1 - 0.5))
    ...     return 1 / (1 + np.exp(-4 * (X[:, 0] - 0.5)))
    >>> fig = plots.decision_boundary(p, X, [0, 1, 0, 1], resolution=20)
    >>> fig.axes[0].get_xlabel(), fig.axes[1].get_ylabel()
    ('x1', 'P(class 1)')
    """
    display = BoundaryDisplay.from_model(
        model,
        X,
        y,
        X_test=X_test,
        y_test=y_test,
        resolution=resolution,
        margin=margin,
        misclassified=show_misclassified,
    )
    return display.plot(ax, title=title)


def _panel(panel: Any, i: int) -> tuple[Any, _Data, str | None]:
    if callable(getattr(panel, "panel", None)):  # a finished run: RunResult.panel
        panel = panel.panel()
    if not isinstance(panel, Mapping):
        raise TypeError(
            f"panels[{i}] must be a dict with keys 'model', 'X', 'y', ...; received "
            f"{type(panel).__name__}"
        )
    unknown = sorted(set(panel) - set(_PANEL_KEYS))
    if unknown:
        raise ValueError(
            f"panels[{i}] has unknown keys {unknown}; valid keys: {list(_PANEL_KEYS)}"
        )
    if ("model" in panel) == ("predict" in panel):
        raise ValueError(f"panels[{i}] needs exactly one of 'model' or 'predict'")
    if "X" not in panel:
        raise ValueError(f"panels[{i}] has no 'X'")
    model = panel["model"] if "model" in panel else panel["predict"]
    data = _data(panel["X"], panel.get("y"), panel.get("X_test"), panel.get("y_test"))
    title = panel.get("title")
    return model, data, None if title is None else str(title)


@dataclass(eq=False)
class SweepGridDisplay:
    """Decision boundaries of several models, computed for one grid of panels.

    :meth:`from_panels` evaluates every panel's model and the colours they
    share; :meth:`plot` lays them out as :func:`sweep_grid` does.

    Attributes
    ----------
    panels : list of BoundaryDisplay
        One per panel, in order, each on its own grid over its own data.
    titles : list of str or None
        The panels' titles.
    ncols, nrows : int
        The layout: panels per row, and rows.
    n_classes : int
        Classes given a colour, shared by the classifier panels.
    value_range : (float, float)
        One colour scale for all the regression panels.

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab.plots import SweepGridDisplay
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> panels = [{"predict": lambda P, w=w: 1 / (1 + np.exp(-w * P[:, 0])),
    ...            "X": X, "y": [0, 1], "title": f"w={w}"} for w in (1, 5, 25)]
    >>> d = SweepGridDisplay.from_panels(panels, ncols=2, resolution=10)
    >>> [p.outputs.shape for p in d.panels], (d.nrows, d.ncols), d.n_classes
    ([(10, 10, 1), (10, 10, 1), (10, 10, 1)], (2, 2), 2)
    >>> len(d.plot().axes)  # three panels and the colorbar
    4
    """

    panels: list[BoundaryDisplay]
    titles: list[str | None]
    ncols: int
    nrows: int
    n_classes: int
    value_range: tuple[float, float]

    @classmethod
    def from_panels(
        cls,
        panels: Sequence[Mapping[str, Any]],
        *,
        ncols: int | None = None,
        resolution: int = 100,
    ) -> SweepGridDisplay:
        """Evaluate each panel's model; parameters as for :func:`sweep_grid`."""
        if isinstance(panels, Mapping) or not isinstance(panels, Sequence):
            raise TypeError(
                f"panels must be a list of dicts; received {type(panels).__name__}"
            )
        if len(panels) == 0:
            raise ValueError("panels is empty: give at least one panel")
        resolution = check_resolution(resolution)
        n = len(panels)
        if ncols is None:
            ncols = min(4, n)
        ncols = min(int(check_positive("ncols", ncols, integer=True)), n)
        displays, titles = [], []
        for i, panel in enumerate(panels):
            model, data, panel_title = _panel(panel, i)
            displays.append(_evaluate(model, data, resolution, 0.5, True))
            titles.append(panel_title)
        # Shared colours: one class palette, one value range for the regressions.
        classifiers = [d for d in displays if d.task != "regression"]
        ranges = [d.value_range for d in displays if d.task == "regression"]
        return cls(
            panels=displays,
            titles=titles,
            ncols=ncols,
            nrows=math.ceil(n / ncols),
            n_classes=max((d.n_classes for d in classifiers), default=2),
            value_range=(
                (min(r[0] for r in ranges), max(r[1] for r in ranges))
                if ranges
                else (0, 1)
            ),
        )

    def plot(self, *, title: str | None = None) -> Figure:
        """Draw the panels in a new figure, with shared colorbars and legend."""
        n = len(self.panels)
        fig = new_figure(3.3 * self.ncols + 1.2, 3.0 * self.nrows + 0.9)
        grid = fig.subplots(self.nrows, self.ncols, squeeze=False)
        for ax in grid.ravel()[n:]:
            ax.remove()
        images: dict[str, ScalarMappable] = {}
        handles: dict[str, Artist] = {}
        for ax, d, panel_title in zip(
            grid.ravel(), self.panels, self.titles, strict=False
        ):
            image, panel_handles = d._draw(
                ax, self.n_classes, self.value_range, counts=False
            )
            if image is not None:
                images.setdefault(d.task, image)
            for h in panel_handles:
                handles.setdefault(str(h.get_label()), h)
            if panel_title is not None:
                ax.set_title(panel_title, fontsize="medium")
        _shared_keys(fig, list(grid.ravel()[:n]), images, handles)
        if title is not None:
            fig.suptitle(title)
        return fig


def _shared_keys(
    fig: Figure,
    used: list[Axes],
    images: dict[str, ScalarMappable],
    handles: dict[str, Artist],
) -> None:
    """The colorbars of a sweep grid (probability, regression) and its legend."""
    if "binary" in images:
        fig.colorbar(
            images["binary"], ax=used, label=_COLORBAR_LABELS["binary"], shrink=0.9
        )
    if "regression" in images:
        fig.colorbar(
            images["regression"],
            ax=used,
            location="bottom",
            label=_COLORBAR_LABELS["regression"],
            shrink=0.6,
        )
    if handles:
        order = sorted(handles, key=lambda k: not k.startswith("class "))
        fig.legend(
            handles=[handles[k] for k in order],
            loc="outside lower center",
            ncols=min(len(order), 8),
            fontsize="small",
        )


def sweep_grid(
    panels: Sequence[Mapping[str, Any]],
    *,
    ncols: int | None = None,
    title: str | None = None,
    resolution: int = 100,
) -> Figure:
    """Decision boundaries of several models side by side, e.g. a sweep.

    Parameters
    ----------
    panels : list of dict or of run results
        One panel each, with keys ``"model"`` (or ``"predict"``), ``"X"`` and
        optionally ``"y"``, ``"X_test"``, ``"y_test"`` and ``"title"`` (e.g.
        ``"hidden=3  test acc 0.97"``); see :func:`decision_boundary`. The
        results of ``mlplab.sweep.run`` or ``compare`` are taken as they are,
        titled with what each run varied and its test accuracy.
    ncols : int, optional
        Panels per row; default ``min(4, len(panels))``.
    title : str, optional
        A title over the whole figure.
    resolution : int, default 100
        Grid points along each axis of each panel.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, in order, then one colorbar shared by the
        probability panels and one shared by the regression panels (only if
        there are such panels); a legend at the bottom.

    See Also
    --------
    SweepGridDisplay : the panels' grids and outputs, computed.

    Examples
    --------
    >>> import numpy as np
    >>> from mlplab import plots
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> panels = [{"predict": lambda P, w=w: 1 / (1 + np.exp(-w * P[:, 0])),
    ...            "X": X, "y": [0, 1], "title": f"w={w}"} for w in (1, 5, 25)]
    >>> fig = plots.sweep_grid(panels, resolution=10)
    >>> [ax.get_title() for ax in fig.axes[:3]], len(fig.axes)
    (['w=1', 'w=5', 'w=25'], 4)
    """
    display = SweepGridDisplay.from_panels(panels, ncols=ncols, resolution=resolution)
    return display.plot(title=title)
