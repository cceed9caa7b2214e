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
from ._common import (
    MISCLASSIFIED_COLOR,
    NEUTRAL_COLOR,
    PROBABILITY_CMAP,
    REGRESSION_CMAP,
    class_colors,
    figure_of,
    new_figure,
    region_cmap,
)

__all__ = ["decision_boundary", "sweep_grid"]

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
    """``"binary"``, ``"multiclass"`` or ``"regression"`` for outputs ``out``."""
    k = out.shape[1]
    finite = out[np.isfinite(out)]
    outside_unit = finite.size > 0 and (finite.min() < 0.0 or finite.max() > 1.0)
    if hint == "regression" or (hint is None and k == 1 and outside_unit):
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


# -- input checks --------------------------------------------------------------
def _plane(X: Any, name: str) -> np.ndarray:
    """``X`` as an (n_samples, 2) float array, or a ValueError that says why not."""
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers; {err}") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"a decision boundary is drawn on a 2-D input plane, so {name} must have "
            f"shape (n_samples, 2); received {name} with shape {arr.shape}. For a "
            "model of more inputs, pass a function that fills in the others, e.g. "
            "lambda P: model.predict(np.column_stack([P, np.zeros(len(P))]))"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _targets(y: Any, n: int, name: str, task: str) -> np.ndarray:
    """Class labels (int, shape (n,)) or regression targets (float, shape (n,))."""
    arr = np.asarray(y)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{name} must hold numbers; received an array of dtype {arr.dtype}"
        )
    if task != "regression" and arr.ndim == 2 and arr.shape[1] > 1:
        arr = arr.argmax(axis=1)  # one-hot rows
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n,):
        raise ValueError(
            f"{name} must have one value per sample, shape ({n},); received shape "
            f"{arr.shape}"
        )
    values = arr.astype(float)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinity")
    if task == "regression":
        return values
    if (values < 0).any() or (values != np.round(values)).any():
        bad = np.unique(values[(values < 0) | (values != np.round(values))])[:5]
        raise ValueError(
            f"{name} must hold class labels 0, 1, ..., k-1; received values "
            f"{bad.tolist()}"
        )
    return values.astype(np.int64)


@dataclass
class _Data:
    """The points drawn on top of the surface; ``y`` is None when not given."""

    X: np.ndarray  # (n_train, 2)
    y: np.ndarray | None
    X_test: np.ndarray | None  # (n_test, 2)
    y_test: np.ndarray | None


def _data(X: Any, y: Any, X_test: Any, y_test: Any) -> _Data:
    Xa = _plane(X, "X")
    Xt = None if X_test is None else _plane(X_test, "X_test")
    if y_test is not None and Xt is None:
        raise ValueError("y_test was given without X_test")
    return _Data(Xa, y, Xt, y_test)


# -- the surface -----------------------------------------------------------------
@dataclass
class _Surface:
    """A model evaluated on a grid over the input plane."""

    task: str
    extent: tuple[float, float, float, float]  # x1 min, x1 max, x2 min, x2 max
    x1: np.ndarray  # (resolution,)
    x2: np.ndarray  # (resolution,)
    Z: np.ndarray  # (resolution, resolution, n_outputs); row i is x2[i]
    predict: PredictFn

    @property
    def n_outputs(self) -> int:
        return int(self.Z.shape[2])


def _surface(model: Any, data: _Data, resolution: int, margin: float) -> _Surface:
    f, hint = _predict_fn(model)
    points = data.X if data.X_test is None else np.vstack([data.X, data.X_test])
    lo = points.min(axis=0) - margin
    hi = points.max(axis=0) + margin
    flat = hi - lo < 1e-12  # all points on a line and no margin
    lo[flat] -= 0.5
    hi[flat] += 0.5
    x1 = np.linspace(lo[0], hi[0], resolution)
    x2 = np.linspace(lo[1], hi[1], resolution)
    G1, G2 = np.meshgrid(x1, x2)  # (resolution, resolution), rows along x2
    out = _outputs(f, np.column_stack([G1.ravel(), G2.ravel()]))
    task = _task(hint, out)
    Z = out.reshape(resolution, resolution, out.shape[1])
    extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
    return _Surface(task, extent, x1, x2, Z, f)


def _n_classes(surface: _Surface, data: _Data) -> int:
    """Classes to give colours to: the model's outputs and the labels seen."""
    n = 2 if surface.task == "binary" else surface.n_outputs
    for labels in (data.y, data.y_test):
        if labels is not None and labels.size:
            n = max(n, int(labels.max()) + 1)
    return n


def _value_range(surface: _Surface, data: _Data) -> tuple[float, float]:
    """The range of the predictions and targets of a regression panel."""
    parts = [surface.Z.ravel()] + [t for t in (data.y, data.y_test) if t is not None]
    values = np.concatenate(parts)
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
    ax: Axes, s: _Surface, *, n_classes: int, vlim: tuple[float, float]
) -> tuple[ScalarMappable | None, bool]:
    """Shade the surface and draw its class boundaries.

    Returns the image to make a colorbar of (None for class regions) and
    whether a boundary line was drawn.
    """
    common: dict[str, Any] = {"origin": "lower", "extent": s.extent, "aspect": "auto"}
    drew_line = False
    if s.task == "multiclass":
        Z = s.Z
        labels = np.ma.masked_array(Z.argmax(axis=2), mask=~np.isfinite(Z).all(axis=2))
        ax.imshow(
            labels,
            cmap=region_cmap(n_classes),
            norm=BoundaryNorm(np.arange(n_classes + 1) - 0.5, n_classes),
            interpolation="nearest",
            **common,
        )
        for c in range(s.n_outputs):
            # Class c's region ends where its probability meets the best other.
            others = np.delete(Z, c, axis=2).max(axis=2)
            lead = Z[:, :, c] - others
            if _has_level(lead, 0.0):
                ax.contour(
                    s.x1, s.x2, lead, levels=[0.0], colors="black", linewidths=1.2
                )
                drew_line = True
        return None, drew_line
    Z = np.ma.masked_invalid(s.Z[:, :, 0])
    if s.task == "binary":
        image = ax.imshow(
            Z,
            cmap=PROBABILITY_CMAP,
            norm=Normalize(0.0, 1.0),
            interpolation="bilinear",
            **common,
        )
        if _has_level(s.Z[:, :, 0], 0.5):
            ax.contour(s.x1, s.x2, Z, levels=[0.5], colors="black", linewidths=1.5)
            drew_line = True
        return image, drew_line
    image = ax.imshow(
        Z,
        cmap=REGRESSION_CMAP,
        norm=Normalize(*vlim),
        interpolation="bilinear",
        **common,
    )
    return image, drew_line


def _draw_points(
    ax: Axes,
    s: _Surface,
    data: _Data,
    *,
    n_classes: int,
    vlim: tuple[float, float],
    show_misclassified: bool,
    counts: bool,
    drew_line: bool,
) -> list[Artist]:
    """Scatter the train and test points; return the legend handles."""
    colors = np.array(class_colors(n_classes), dtype=object)
    marker_kw: dict[str, Any] = {"edgecolors": "black", "linewidths": 0.6}
    handles: list[Artist] = []
    classification = s.task != "regression"
    if classification and (data.y is not None or data.y_test is not None):
        handles += [
            Patch(facecolor=colors[c], edgecolor="black", label=f"class {c}")
            for c in range(n_classes)
        ]
    n_wrong = 0
    sets = [("train", "o", 28.0, data.X, data.y)]
    if data.X_test is not None:
        sets.append(("test", "^", 44.0, data.X_test, data.y_test))
    for label, marker, size, X, y in sets:
        if y is None:
            ax.scatter(
                X[:, 0],
                X[:, 1],
                s=size,
                marker=marker,
                c=NEUTRAL_COLOR,
                zorder=3,
                **marker_kw,
            )
        elif classification:
            ax.scatter(
                X[:, 0],
                X[:, 1],
                s=size,
                marker=marker,
                c=list(colors[y]),
                zorder=3,
                **marker_kw,
            )
        else:
            ax.scatter(
                X[:, 0],
                X[:, 1],
                s=size,
                marker=marker,
                c=y,
                cmap=REGRESSION_CMAP,
                norm=Normalize(*vlim),
                zorder=3,
                **marker_kw,
            )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker=marker,
                markersize=6,
                markerfacecolor="#dddddd",
                markeredgecolor="black",
                label=label,
            )
        )
        if show_misclassified and classification and y is not None:
            wrong = _classes(s.task, _outputs(s.predict, X)) != y
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
    if (
        show_misclassified
        and classification
        and (data.y is not None or data.y_test is not None)
    ):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="x",
                markersize=7,
                markeredgewidth=1.5,
                color=MISCLASSIFIED_COLOR,
                label=f"misclassified ({n_wrong})" if counts else "misclassified",
            )
        )
    if drew_line:
        handles.append(
            Line2D([], [], color="black", linewidth=1.5, label="decision boundary")
        )
    return handles


def _draw(
    ax: Axes,
    s: _Surface,
    data: _Data,
    *,
    n_classes: int,
    vlim: tuple[float, float],
    show_misclassified: bool,
    counts: bool,
) -> tuple[ScalarMappable | None, list[Artist]]:
    image, drew_line = _draw_surface(ax, s, n_classes=n_classes, vlim=vlim)
    handles = _draw_points(
        ax,
        s,
        data,
        n_classes=n_classes,
        vlim=vlim,
        show_misclassified=show_misclassified,
        counts=counts,
        drew_line=drew_line,
    )
    ax.set_xlim(s.extent[0], s.extent[1])
    ax.set_ylim(s.extent[2], s.extent[3])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return image, handles


def _prepare(
    model: Any, data: _Data, resolution: int, margin: float
) -> tuple[_Surface, _Data]:
    """Evaluate the surface, then check the labels against the model's task."""
    s = _surface(model, data, resolution, margin)
    y = None if data.y is None else _targets(data.y, len(data.X), "y", s.task)
    y_test = None
    if data.y_test is not None:
        assert data.X_test is not None
        y_test = _targets(data.y_test, len(data.X_test), "y_test", s.task)
    return s, _Data(data.X, y, data.X_test, y_test)


def _check_resolution(resolution: Any) -> int:
    n = int(check_positive("resolution", resolution, integer=True))
    if n < 2:
        raise ValueError(f"resolution must be at least 2; received resolution={n}")
    return n


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
    resolution = _check_resolution(resolution)
    margin = check_range("margin", margin, 0.0, math.inf, high_inclusive=False)
    s, data = _prepare(model, _data(X, y, X_test, y_test), resolution, margin)
    vlim = _value_range(s, data) if s.task == "regression" else (0.0, 1.0)
    if ax is None:
        fig = new_figure(6.0, 4.6)
        ax = fig.add_subplot()
    else:
        fig = figure_of(ax)
    image, handles = _draw(
        ax,
        s,
        data,
        n_classes=_n_classes(s, data),
        vlim=vlim,
        show_misclassified=show_misclassified,
        counts=True,
    )
    if image is not None:
        fig.colorbar(image, ax=ax, label=_COLORBAR_LABELS[s.task])
    if handles:
        ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.9)
    if title is not None:
        ax.set_title(title)
    return fig


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
    if isinstance(panels, Mapping) or not isinstance(panels, Sequence):
        raise TypeError(
            f"panels must be a list of dicts; received {type(panels).__name__}"
        )
    if len(panels) == 0:
        raise ValueError("panels is empty: give at least one panel")
    resolution = _check_resolution(resolution)
    n = len(panels)
    if ncols is None:
        ncols = min(4, n)
    ncols = min(int(check_positive("ncols", ncols, integer=True)), n)
    nrows = math.ceil(n / ncols)

    prepared = []
    for i, panel in enumerate(panels):
        model, data, panel_title = _panel(panel, i)
        s, data = _prepare(model, data, resolution, 0.5)
        prepared.append((s, data, panel_title))
    # Shared colours: one class palette, one value range for the regressions.
    classifiers = [(s, d) for s, d, _ in prepared if s.task != "regression"]
    n_classes = max((_n_classes(s, d) for s, d in classifiers), default=2)
    ranges = [_value_range(s, d) for s, d, _ in prepared if s.task == "regression"]
    vlim = (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else (0, 1)

    fig = new_figure(3.3 * ncols + 1.2, 3.0 * nrows + 0.9)
    grid = fig.subplots(nrows, ncols, squeeze=False)
    for ax in grid.ravel()[n:]:
        ax.remove()
    images: dict[str, ScalarMappable] = {}
    handles: dict[str, Artist] = {}
    for ax, (s, data, panel_title) in zip(grid.ravel(), prepared, strict=False):
        image, panel_handles = _draw(
            ax,
            s,
            data,
            n_classes=n_classes,
            vlim=vlim,
            show_misclassified=True,
            counts=False,
        )
        if image is not None:
            images.setdefault(s.task, image)
        for h in panel_handles:
            handles.setdefault(str(h.get_label()), h)
        if panel_title is not None:
            ax.set_title(panel_title, fontsize="medium")
    used = list(grid.ravel()[:n])
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
    if title is not None:
        fig.suptitle(title)
    return fig
