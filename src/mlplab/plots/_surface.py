"""The loss as a function of one or two chosen weights, the others held
fixed, and the steps gradient descent takes on it.

:class:`LossSurfaceDisplay` computes the losses on a copy of the model (the
model's weights are never touched); :func:`loss_surface` draws them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

from .._validation import check_positive
from ..model import Sequential
from ._common import CLASS_COLORS, check_resolution, figure_of, new_figure
from ._models import check_compiled, compiled_copy

__all__ = ["LossSurfaceDisplay", "loss_surface"]

_N_LEVELS = 12  # filled contour bands of a two-weight surface
_SURFACE_CMAP = colormaps["viridis"]  # dark = low loss: the valley stands out
_CURVE_COLOR = CLASS_COLORS[0]
_PATH_COLOR = CLASS_COLORS[5]  # vermillion on the white 1-D plot
# "dense/W[0,1]", "dense_1/b[0]": an array of get_weights() and an index into it.
_WEIGHT_REF = re.compile(r"^\s*([^\[\]]+?)\s*\[([^\[\]]*)\]\s*$")


# -- the weights, by name ------------------------------------------------------
@dataclass(frozen=True)
class _Coord:
    """One scalar weight: entry ``index`` of array ``array`` of get_weights()."""

    label: str  # canonical, e.g. "dense/W[0,1]"
    array: int
    index: tuple[int, ...]


def _weights_listing(names: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> str:
    return ", ".join(f"{n} of shape {s}" for n, s in zip(names, shapes, strict=True))


def _coord(ref: Any, names: list[str], shapes: list[tuple[int, ...]]) -> _Coord:
    """Parse ``"dense/W[0,1]"`` against the model's weight arrays."""
    listing = _weights_listing(names, shapes)
    example = f"{names[0]}[{','.join('0' * len(shapes[0]))}]"
    if not isinstance(ref, str):
        raise TypeError(
            f"a weight is named by a string such as {example!r}; received {ref!r} "
            f"of type {type(ref).__name__}"
        )
    match = _WEIGHT_REF.match(ref)
    if match is None:
        raise ValueError(
            f"weight {ref!r} is not of the form 'array[i,j]', e.g. {example!r}; the "
            f"model's weight arrays: {listing}"
        )
    name, inside = match.group(1), match.group(2)
    if name not in names:
        raise ValueError(
            f"the model has no weight array {name!r} (in {ref!r}); its weight "
            f"arrays: {listing}"
        )
    k = names.index(name)
    shape = shapes[k]
    try:
        index = tuple(int(part) for part in inside.split(","))
    except ValueError:
        raise ValueError(
            f"the index of {ref!r} must be {len(shape)} integer(s) separated by "
            f"commas, as {name} has shape {shape}; the model's weight arrays: "
            f"{listing}"
        ) from None
    if len(index) != len(shape) or any(
        not 0 <= i < n for i, n in zip(index, shape, strict=False)
    ):
        ranges = ", ".join(f"0..{n - 1}" for n in shape)
        raise ValueError(
            f"index [{inside.strip()}] of {ref!r} does not fit {name} of shape "
            f"{shape}: give {len(shape)} index(es) in [{ranges}]; the model's "
            f"weight arrays: {listing}"
        )
    return _Coord(f"{name}[{','.join(map(str, index))}]", k, index)


def _coords(model: Sequential, params: Any) -> list[_Coord]:
    names = model.weight_names
    shapes = [tuple(w.shape) for w in model.get_weights()]
    refs = [params] if isinstance(params, str) else params
    if not isinstance(refs, list | tuple):
        raise TypeError(
            "params names one weight (a string such as 'dense/W[0,1]') or two (a "
            f"list of two such strings); received {params!r}"
        )
    if len(refs) not in (1, 2):
        raise ValueError(
            "params names one weight (a string such as 'dense/W[0,1]') or two (a "
            f"list of two such strings); received {params!r}"
        )
    coords = [_coord(ref, names, shapes) for ref in refs]
    if len(coords) == 2 and coords[0] == coords[1]:
        raise ValueError(f"params names the same weight twice: {coords[0].label!r}")
    return coords


class _Slice:
    """The loss of a copy of the model as a function of a few of its weights.

    The copy is made once; setting a weight writes one entry of its flat
    weight array, so a grid of thousands of points costs one forward pass each.
    """

    def __init__(self, model: Sequential, X: Any, y: Any, coords: list[_Coord]):
        self.copy = compiled_copy(model)
        self.X = self.copy.check_inputs(X)
        self.Y = self.copy.encode_targets(y, self.X.shape[0])
        self.coords = coords
        views = self.copy.weight_views
        self._views = [views[c.array] for c in coords]
        self.start = np.array(
            [v[c.index] for v, c in zip(self._views, coords, strict=True)], dtype=float
        )

    def _set(self, values: Sequence[float] | np.ndarray) -> None:
        for view, c, value in zip(self._views, self.coords, values, strict=True):
            view[c.index] = value

    def loss(self, values: Sequence[float] | np.ndarray) -> float:
        """The loss with the chosen weights set to ``values``; NaN if not finite."""
        self._set(values)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            value = self.copy.evaluate_arrays(self.X, self.Y)["loss"]
        return value if math.isfinite(value) else math.nan

    def gradient(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """The loss's partial derivatives with respect to the chosen weights."""
        self._set(values)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _, grads = self.copy.loss_and_gradients(self.X, self.Y)
        return np.array([grads[c.array][c.index] for c in self.coords], dtype=float)

    def descend(self, steps: int, learning_rate: float) -> np.ndarray:
        """Plain gradient descent on the chosen weights only: the ``steps + 1``
        points visited, shape (steps + 1, n_weights). It stops early at a
        point where the loss or its gradient is not finite."""
        dtype = self.copy.dtype
        w = self.start.copy()
        visited = [w]
        for _ in range(steps):
            g = self.gradient(w)
            if not np.isfinite(g).all():
                break
            # The values the copy can hold: float32 models round each step.
            w = (w - learning_rate * g).astype(dtype).astype(float)
            if not np.isfinite(w).all():
                break
            visited.append(w)
        return np.array(visited)


def _as_path(path: Any, n_weights: int) -> np.ndarray:
    """``path`` as an (k, n_weights) float array."""
    try:
        arr = np.asarray(path, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"path must be an array of numbers; {err}") from None
    if n_weights == 1 and arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != n_weights or arr.shape[0] == 0:
        want = "(k,)" if n_weights == 1 else "(k, 2)"
        raise ValueError(
            f"path must have shape {want} for {n_weights} weight(s), k >= 1; "
            f"received shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError("path contains NaN or infinity")
    return arr


def _axis_range(
    center: float, span: float, visited: np.ndarray | None
) -> tuple[float, float]:
    """[center - span, center + span], widened to take in the path."""
    lo, hi = center - span, center + span
    if visited is not None:
        pad = 0.05 * (hi - lo)
        lo = min(lo, float(visited.min()) - pad)
        hi = max(hi, float(visited.max()) + pad)
    return lo, hi


def _levels(Z: np.ndarray) -> np.ndarray:
    """Contour levels at quantiles of the loss: each band covers about the same
    area, so the valley gets as many bands as the walls."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError(
            "the loss is not finite anywhere on the grid; choose a smaller span"
        )
    levels = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, _N_LEVELS + 1)))
    if levels.size < 2:  # a flat surface: the weights do not change the loss
        z = float(levels[0])
        d = max(abs(z) * 1e-6, 1e-12)
        levels = np.array([z - d, z + d])
    return levels


def _path_label(steps: int, visited: np.ndarray, learning_rate: float | None) -> str:
    if learning_rate is None:
        return f"path ({len(visited)} points)"
    label = f"gradient descent ({len(visited) - 1} steps, lr {learning_rate:g})"
    return label if len(visited) == steps + 1 else f"{label}, diverged"


def _check_steps(steps: Any, path: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TypeError(f"steps must be an integer; received steps={steps!r}")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0; received steps={steps}")
    if steps and path is not None:
        raise ValueError(
            f"give path or steps, not both; received a path and steps={steps}"
        )
    return steps


# -- the computed surface ------------------------------------------------------
@dataclass(eq=False)
class LossSurfaceDisplay:
    """The loss of a model over one or two of its weights, the others fixed.

    What :func:`loss_surface` draws, computed: make it with
    :meth:`from_model`, draw it with :meth:`plot`. The losses are computed on
    a copy of the model; the model's weights are left exactly as they were.

    Attributes
    ----------
    labels : list of str
        The weights varied (one or two), e.g. ``["dense/W[0,1]"]``.
    start : ndarray of shape (n_weights,)
        Their current values.
    start_loss : float
        The loss there: the model's own loss.
    x1 : ndarray of shape (resolution,)
        The values of the first weight the loss is computed at.
    x2 : ndarray of shape (resolution,) or None
        Those of the second weight; None for one weight.
    losses : ndarray of shape (resolution,) or (resolution, resolution)
        The loss at each grid point: ``losses[j]`` at ``x1[j]``; for two
        weights ``losses[i, j]`` at ``(x1[j], x2[i])``. NaN where the loss
        is not finite.
    levels : ndarray or None
        Two weights: the edges of the filled contour bands, at quantiles of
        the finite losses; None for one weight.
    path : ndarray of shape (k, n_weights) or None
        The path drawn: the one given, or the points gradient descent
        visits.
    path_losses : ndarray of shape (k,) or None
        The loss at each point of the path.
    path_label : str
        The path's legend entry (``""`` without a path).

    Notes
    -----
    The loss is the one training minimises (regularization included, dropout
    off), on all of ``(X, y)``. Every other weight keeps its current value, so
    a one-weight slice of a network is a cross-section of its loss landscape,
    not the loss of the best network with that weight.

    The gradient-descent path is *plain* gradient descent on the chosen
    weights alone: from the current values, ``w <- w - lr * dL/dw`` on the
    full batch, ``lr`` the model's optimizer's current learning rate
    (``optimizer.current_learning_rate()``); momentum or Adam's moments are
    not used, and no other weight moves. It has ``steps + 1`` points, the
    start included, unless the loss stops being finite first (the legend then
    says "diverged").

    Two weights are shaded at quantiles of the loss over the grid: each band
    covers about the same area, so the valley is as finely resolved as the
    walls (read values off the colorbar, whose bands are evenly spaced).

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab.plots import LossSurfaceDisplay
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2,
    ...                       seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> d = LossSurfaceDisplay.from_model(model, X, [0, 1, 1, 1],
    ...                                   ["dense/W[0,0]", "dense/b[0]"],
    ...                                   resolution=10, steps=3)
    >>> d.labels, d.x1.shape, d.losses.shape, d.path.shape
    (['dense/W[0,0]', 'dense/b[0]'], (10,), (10, 10), (4, 2))
    >>> d.start_loss == model.evaluate(X, [0, 1, 1, 1])["loss"]
    True
    >>> len(d.plot().axes)  # the contours and their colorbar
    2
    """

    labels: list[str]
    start: np.ndarray
    start_loss: float
    x1: np.ndarray
    x2: np.ndarray | None
    losses: np.ndarray
    levels: np.ndarray | None
    path: np.ndarray | None
    path_losses: np.ndarray | None
    path_label: str

    @classmethod
    def from_model(
        cls,
        model: Sequential,
        X: Any,
        y: Any,
        params: str | Sequence[str],
        *,
        span: float = 2.0,
        resolution: int = 60,
        path: Any = None,
        steps: int = 0,
    ) -> LossSurfaceDisplay:
        """Compute the losses over the grid, at the current weights and along
        the path; parameters as for :func:`loss_surface`."""
        model = check_compiled(model, "loss_surface")
        coords = _coords(model, params)
        span = check_positive("span", span)
        resolution = check_resolution(resolution)
        steps = _check_steps(steps, path)
        visited = None if path is None else _as_path(path, len(coords))
        probe = _Slice(model, X, y, coords)
        learning_rate = None
        if steps:
            assert model.optimizer is not None
            learning_rate = model.optimizer.current_learning_rate()
            visited = probe.descend(steps, learning_rate)
        label = "" if visited is None else _path_label(steps, visited, learning_rate)
        return _evaluate(probe, span, resolution, visited, label)

    def plot(self, ax: Axes | None = None, *, title: str | None = None) -> Figure:
        """Draw the loss curve (one weight) or its filled contours with a
        colorbar (two), the current value and the path; return the figure."""
        if ax is None:
            fig = new_figure(6.0, 4.4) if self.x2 is None else new_figure(6.4, 5.0)
            ax = fig.add_subplot()
        else:
            fig = figure_of(ax)
        if self.x2 is None:
            self._draw_curve(ax)
        else:
            self._draw_contours(fig, ax)
        if title is not None:
            ax.set_title(title)
        return fig

    def _draw_curve(self, ax: Axes) -> None:
        w = float(self.start[0])
        ax.plot(self.x1, self.losses, color=_CURVE_COLOR, linewidth=2, label="loss")
        ax.axvline(w, color="0.45", linestyle=":", linewidth=1)
        _mark_current(
            ax, w, self.start_loss, zorder=4, label=f"current value ({w:.3g})"
        )
        if self.path is not None:
            assert self.path_losses is not None
            ax.plot(
                self.path[:, 0],
                self.path_losses,
                color=_PATH_COLOR,
                marker="o",
                markersize=4,
                linewidth=1.2,
                zorder=5,
                label=self.path_label,
            )
            _mark_end(ax, self.path[-1:, 0], self.path_losses[-1:], edge="black")
        ax.set_xlim(self.x1[0], self.x1[-1])
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small", framealpha=0.9)

    def _draw_contours(self, fig: Figure, ax: Axes) -> None:
        assert self.x2 is not None and self.levels is not None
        filled = ax.contourf(
            self.x1,
            self.x2,
            np.ma.masked_invalid(self.losses),
            levels=self.levels,
            cmap=_SURFACE_CMAP,
            norm=BoundaryNorm(self.levels, _SURFACE_CMAP.N),
        )
        fig.colorbar(filled, ax=ax, label="loss", format="%.3g")
        if self.path is not None:
            # White with a black outline: visible on every colour of the map.
            ax.plot(
                self.path[:, 0],
                self.path[:, 1],
                color="white",
                marker="o",
                markersize=3.5,
                linewidth=1.3,
                path_effects=[pe.withStroke(linewidth=3, foreground="black")],
                zorder=5,
                label=self.path_label,
            )
            _mark_end(ax, self.path[-1:, 0], self.path[-1:, 1], edge="white")
        w1, w2 = (float(v) for v in self.start)
        _mark_current(ax, w1, w2, zorder=7, label="current value")
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel(self.labels[1])
        ax.legend(loc="best", fontsize="small", framealpha=0.9)


def _evaluate(
    probe: _Slice,
    span: float,
    resolution: int,
    path: np.ndarray | None,
    path_label: str,
) -> LossSurfaceDisplay:
    """The loss over a grid around the current weights (widened to take in
    ``path``), at the current weights and along ``path``."""
    grids = [
        np.linspace(
            *_axis_range(float(w), span, None if path is None else path[:, i]),
            resolution,
        )
        for i, w in enumerate(probe.start)
    ]
    two = len(grids) == 2
    if two:  # rows along the second weight
        losses = np.array([[probe.loss((a, b)) for a in grids[0]] for b in grids[1]])
    else:
        losses = np.array([probe.loss((a,)) for a in grids[0]])
    return LossSurfaceDisplay(
        labels=[c.label for c in probe.coords],
        start=probe.start,
        start_loss=probe.loss(probe.start),
        x1=grids[0],
        x2=grids[1] if two else None,
        losses=losses,
        levels=_levels(losses) if two else None,
        path=path,
        path_losses=None if path is None else np.array([probe.loss(v) for v in path]),
        path_label=path_label,
    )


def _mark_current(ax: Axes, x: float, y: float, *, zorder: int, label: str) -> None:
    """The current value of the weights: a white dot ringed in black."""
    ax.plot(
        [x],
        [y],
        linestyle="",
        marker="o",
        markersize=8,
        markerfacecolor="white",
        markeredgecolor="black",
        zorder=zorder,
        label=label,
    )


def _mark_end(ax: Axes, x: np.ndarray, y: np.ndarray, *, edge: str) -> None:
    """The last point of the path: a vermillion star."""
    ax.plot(
        x,
        y,
        linestyle="",
        marker="*",
        markersize=15,
        markerfacecolor=_PATH_COLOR,
        markeredgecolor=edge,
        zorder=6,
        label="end",
    )


# -- public --------------------------------------------------------------------
def loss_surface(
    model: Sequential,
    X: Any,
    y: Any,
    params: str | Sequence[str],
    *,
    span: float = 2.0,
    resolution: int = 60,
    path: Any = None,
    steps: int = 0,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Plot the loss as a function of one or two weights, the others fixed.

    Parameters
    ----------
    model : Sequential
        A compiled model. Its weights are left exactly as they were: the
        surface is computed on a copy.
    X : array of shape (n_samples, n_features)
    y : labels or targets, as for ``fit``
    params : str, or list of two str
        The weight(s) to vary, each named by an array of
        ``model.weight_names`` and an index into it: ``"dense/W[0,1]"`` (row 0,
        column 1 of the first layer's kernel), ``"dense_1/b[0]"``.
    span : float, default 2.0
        Each weight ``w`` is varied over ``[w - span, w + span]``, widened to
        take in ``path`` or the gradient-descent steps when they go beyond.
    resolution : int, default 60
        Points along each axis (the loss is computed ``resolution`` times for
        one weight, ``resolution**2`` times for two).
    path : array of shape (k,) or (k, 2), optional
        Values of the weight(s) to draw as a path, e.g. recorded in training.
    steps : int, default 0
        Draw the path of this many full-batch gradient-descent steps from the
        current weights instead (not together with ``path``).
    ax : matplotlib Axes, optional
        Draw into it (for two weights a colorbar takes space beside it);
        default: a new figure.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The loss along one weight (a line labelled ``"loss"``), or its filled
        contours over two (a colorbar labelled ``"loss"``); the current value
        marked.

    Raises
    ------
    ValueError
        For a weight the model does not have (the message lists its weight
        arrays and their shapes), or both ``path`` and ``steps``.

    See Also
    --------
    LossSurfaceDisplay : the losses, computed, and which loss and descent.

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab import plots
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> fig = plots.loss_surface(model, X, [0, 1, 1, 1], "dense/W[0,0]",
    ...                          steps=5, resolution=20)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.get_lines()[-2].get_xdata())
    ('dense/W[0,0]', 'loss', 6)
    """
    display = LossSurfaceDisplay.from_model(
        model, X, y, params, span=span, resolution=resolution, path=path, steps=steps
    )
    return display.plot(ax, title=title)
