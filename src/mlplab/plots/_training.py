"""Training, seen: the loss as a function of chosen weights, and a model
learning, frame by frame.

- :func:`loss_surface` slices the loss through one or two scalar weights, the
  others held fixed, and can draw the steps gradient descent takes on it.
- :func:`animate_training` trains a model and writes a GIF of its decision
  boundary and loss curve as it learns.

Neither touches the model's weights except through training itself: the
surface and the frames are computed on a copy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.animation import PillowWriter
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .._validation import check_positive
from ..callbacks import Callback
from ..model import Sequential
from ._boundary import decision_boundary
from ._common import (
    CLASS_COLORS,
    boundary_plane,
    check_resolution,
    figure_of,
    new_figure,
)

__all__ = ["Snapshots", "animate_training", "loss_surface", "write_animation"]

_N_LEVELS = 12  # filled contour bands of a two-weight surface
_SURFACE_CMAP = colormaps["viridis"]  # dark = low loss: the valley stands out
_CURVE_COLOR = CLASS_COLORS[0]
_TEST_COLOR = CLASS_COLORS[1]
_PATH_COLOR = CLASS_COLORS[5]  # vermillion on the white 1-D plot
# "dense/W[0,1]", "dense_1/b[0]": an array of get_weights() and an index into it.
_WEIGHT_REF = re.compile(r"^\s*([^\[\]]+?)\s*\[([^\[\]]*)\]\s*$")


def _check_model(model: Any, what: str) -> Sequential:
    if not isinstance(model, Sequential):
        raise TypeError(
            f"{what} takes a compiled Sequential; received {model!r} of type "
            f"{type(model).__name__}"
        )
    model.require_compiled(what)
    return model


def _compiled_copy(model: Sequential) -> Sequential:
    """A new model with ``model``'s architecture, loss and current weights.

    Its optimizer is a fresh SGD: compiling with ``model.optimizer`` would
    reset the moments of the model's own optimizer.
    """
    copy = Sequential.from_config(model.get_config())
    copy.compile(loss=model.loss, optimizer="sgd")
    copy.set_weights(model.get_weights())
    return copy


# -- loss_surface ------------------------------------------------------------------
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
        self.copy = _compiled_copy(model)
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


def _draw_curve(
    ax: Axes,
    probe: _Slice,
    *,
    span: float,
    resolution: int,
    visited: np.ndarray | None,
    path_label: str,
) -> None:
    w = float(probe.start[0])
    lo, hi = _axis_range(w, span, visited)
    xs = np.linspace(lo, hi, resolution)
    losses = np.array([probe.loss([x]) for x in xs])
    ax.plot(xs, losses, color=_CURVE_COLOR, linewidth=2, label="loss")
    ax.axvline(w, color="0.45", linestyle=":", linewidth=1)
    ax.plot(
        [w],
        [probe.loss([w])],
        linestyle="",
        marker="o",
        markersize=8,
        markerfacecolor="white",
        markeredgecolor="black",
        zorder=4,
        label=f"current value ({w:.3g})",
    )
    if visited is not None:
        path_losses = np.array([probe.loss(v) for v in visited])
        ax.plot(
            visited[:, 0],
            path_losses,
            color=_PATH_COLOR,
            marker="o",
            markersize=4,
            linewidth=1.2,
            zorder=5,
            label=path_label,
        )
        ax.plot(
            visited[-1:, 0],
            path_losses[-1:],
            linestyle="",
            marker="*",
            markersize=15,
            markerfacecolor=_PATH_COLOR,
            markeredgecolor="black",
            zorder=6,
            label="end",
        )
    ax.set_xlim(lo, hi)
    ax.set_xlabel(probe.coords[0].label)
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small", framealpha=0.9)


def _draw_contours(
    fig: Figure,
    ax: Axes,
    probe: _Slice,
    *,
    span: float,
    resolution: int,
    visited: np.ndarray | None,
    path_label: str,
) -> None:
    w1, w2 = (float(v) for v in probe.start)
    x1 = np.linspace(
        *_axis_range(w1, span, None if visited is None else visited[:, 0]), resolution
    )
    x2 = np.linspace(
        *_axis_range(w2, span, None if visited is None else visited[:, 1]), resolution
    )
    Z = np.array([[probe.loss((a, b)) for a in x1] for b in x2])  # rows along x2
    levels = _levels(Z)
    filled = ax.contourf(
        x1,
        x2,
        np.ma.masked_invalid(Z),
        levels=levels,
        cmap=_SURFACE_CMAP,
        norm=BoundaryNorm(levels, _SURFACE_CMAP.N),
    )
    fig.colorbar(filled, ax=ax, label="loss", format="%.3g")
    # White with a black outline: visible on every colour of the map.
    outline = [pe.withStroke(linewidth=3, foreground="black")]
    if visited is not None:
        ax.plot(
            visited[:, 0],
            visited[:, 1],
            color="white",
            marker="o",
            markersize=3.5,
            linewidth=1.3,
            path_effects=outline,
            zorder=5,
            label=path_label,
        )
        ax.plot(
            visited[-1:, 0],
            visited[-1:, 1],
            linestyle="",
            marker="*",
            markersize=15,
            markerfacecolor=_PATH_COLOR,
            markeredgecolor="white",
            zorder=6,
            label="end",
        )
    ax.plot(
        [w1],
        [w2],
        linestyle="",
        marker="o",
        markersize=8,
        markerfacecolor="white",
        markeredgecolor="black",
        zorder=7,
        label="current value",
    )
    ax.set_xlabel(probe.coords[0].label)
    ax.set_ylabel(probe.coords[1].label)
    ax.legend(loc="best", fontsize="small", framealpha=0.9)


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
        One weight: the loss along it (a line labelled ``"loss"``), the current
        value marked. Two weights: filled contours of the loss, one axis per
        weight, and a colorbar labelled ``"loss"``.

    Raises
    ------
    ValueError
        For a weight name or index the model does not have (the message lists
        the model's weight arrays and their shapes), or both ``path`` and
        ``steps``.

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
    >>> from mlplab import plots
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2,
    ...                       seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> fig = plots.loss_surface(model, X, [0, 1, 1, 1], "dense/W[0,0]",
    ...                          steps=5, resolution=20)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.get_lines()[-2].get_xdata())
    ('dense/W[0,0]', 'loss', 6)
    >>> fig = plots.loss_surface(model, X, [0, 1, 1, 1],
    ...                          ["dense/W[0,0]", "dense/b[0]"], resolution=10)
    >>> fig.axes[1].get_ylabel()
    'loss'
    """
    model = _check_model(model, "loss_surface")
    coords = _coords(model, params)
    span = check_positive("span", span)
    resolution = check_resolution(resolution)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TypeError(f"steps must be an integer; received steps={steps!r}")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0; received steps={steps}")
    if steps and path is not None:
        raise ValueError(
            f"give path or steps, not both; received a path and steps={steps}"
        )
    visited = None if path is None else _as_path(path, len(coords))
    probe = _Slice(model, X, y, coords)
    learning_rate = None
    if steps:
        assert model.optimizer is not None
        learning_rate = model.optimizer.current_learning_rate()
        visited = probe.descend(steps, learning_rate)
    path_label = "" if visited is None else _path_label(steps, visited, learning_rate)

    if ax is None:
        fig = new_figure(6.0, 4.4) if len(coords) == 1 else new_figure(6.4, 5.0)
        ax = fig.add_subplot()
    else:
        fig = figure_of(ax)
    kwargs: dict[str, Any] = {
        "span": span,
        "resolution": resolution,
        "visited": visited,
        "path_label": path_label,
    }
    if len(coords) == 1:
        _draw_curve(ax, probe, **kwargs)
    else:
        _draw_contours(fig, ax, probe, **kwargs)
    if title is not None:
        ax.set_title(title)
    return fig


# -- animate_training --------------------------------------------------------------
class Snapshots(Callback):
    """Records the weights for :func:`write_animation`: before training and
    after each epoch of ``at`` (epochs done), as ``(epochs done, weights)``
    pairs in ``taken``. Only ``on_train_begin`` and ``on_epoch_end`` are
    overridden, so the batch loop never calls it: recording costs one copy
    of the weights per snapshot.

    >>> Snapshots.every(20, frames=5).at == frozenset({0, 4, 8, 12, 16, 20})
    True
    """

    def __init__(self, at: Sequence[int]) -> None:
        super().__init__()
        self.at = frozenset(at)
        self.taken: list[tuple[int, list[np.ndarray]]] = []

    @classmethod
    def every(cls, epochs: int, frames: int = 20) -> Snapshots:
        """At the epochs :func:`snapshot_epochs` gives: at most ``frames + 1``."""
        epochs = check_positive("epochs", epochs, integer=True)
        frames = check_positive("frames", frames, integer=True)
        return cls(snapshot_epochs(epochs, frames))

    def _take(self, done: int) -> None:
        if done in self.at:
            assert self.model is not None
            self.taken.append((done, self.model.get_weights()))

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._take(0)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._take(epoch + 1)


def snapshot_epochs(epochs: int, frames: int) -> list[int]:
    """The epochs after which :func:`animate_training` draws a frame.

    Epoch 0 (the initial weights), then every ``k = ceil(epochs / frames)``
    epochs, then ``epochs`` if it is not a multiple of ``k``: at most
    ``frames + 1`` in all.

    >>> snapshot_epochs(20, 5), snapshot_epochs(10, 4), snapshot_epochs(3, 20)
    ([0, 4, 8, 12, 16, 20], [0, 3, 6, 9, 10], [0, 1, 2, 3])
    """
    every = -(-epochs // frames)
    out = list(range(0, epochs + 1, every))
    if out[-1] != epochs:
        out.append(epochs)
    return out


def _gif_path(path: Any) -> Path:
    out = Path(path)
    if not out.suffix:
        out = out.with_suffix(".gif")
    if out.suffix.lower() != ".gif":
        raise ValueError(
            f"animate_training writes a GIF, so path must end in .gif; received "
            f"path={str(path)!r}"
        )
    return out


def _limits(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.05 * (hi - lo) if hi > lo else max(0.05 * abs(hi), 0.05)
    return lo - pad, hi + pad


@dataclass
class _Run:
    """What every frame draws from: the data and the whole run's losses."""

    X: np.ndarray
    y: Any
    X_test: np.ndarray | None
    y_test: Any
    losses: np.ndarray  # (epochs,): history["loss"], epoch e at index e - 1
    epochs: np.ndarray  # (n_frames,): the snapshot epochs
    test_losses: np.ndarray | None  # (n_frames,)
    ylim: tuple[float, float]
    resolution: int


def _draw_frame(fig: Figure, view: Sequential, run: _Run, i: int) -> None:
    """Frame ``i``: ``view`` (holding snapshot ``i``'s weights) and the losses
    up to its epoch."""
    epoch = int(run.epochs[i])
    fig.clear()
    left, right = fig.subplots(1, 2, width_ratios=[1.3, 1.0])
    decision_boundary(
        view,
        run.X,
        run.y,
        X_test=run.X_test,
        y_test=run.y_test,
        ax=left,
        resolution=run.resolution,
    )
    # The legend goes below the panels: inside, "best" would move it around
    # from frame to frame.
    legend = left.get_legend()
    if legend is not None:
        handles, labels = legend.legend_handles, [t.get_text() for t in legend.texts]
        legend.remove()
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=len(labels),
            fontsize="small",
        )

    n_epochs = len(run.losses)
    x = np.arange(1, epoch + 1)
    train = "train" if epoch == 0 else f"train ({run.losses[epoch - 1]:.3g})"
    right.plot(x, run.losses[:epoch], color=_CURVE_COLOR, linewidth=1.8, label=train)
    if epoch > 0:
        right.plot([epoch], [run.losses[epoch - 1]], "o", color=_CURVE_COLOR)
    if run.test_losses is not None:
        right.plot(
            run.epochs[: i + 1],
            run.test_losses[: i + 1],
            color=_TEST_COLOR,
            linestyle="--",
            marker="^",
            markersize=4,
            label=f"test ({run.test_losses[i]:.3g})",
        )
    right.axvline(epoch, color="0.4", linestyle=":", linewidth=1)
    # The whole run's range from the first frame on, so the axes never jump.
    right.set_xlim(-0.02 * n_epochs, 1.02 * n_epochs)
    right.set_ylim(*run.ylim)
    right.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    right.set_xlabel("epoch")
    right.set_ylabel("loss")
    right.grid(True, alpha=0.3)
    right.legend(loc="upper right", fontsize="small")
    fig.suptitle(f"epoch {epoch}")


def animate_training(
    model: Sequential,
    X: Any,
    y: Any,
    *,
    epochs: int,
    path: str | Path = "train.gif",
    frames: int = 20,
    fps: float = 5,
    batch_size: int | None = None,
    X_test: Any = None,
    y_test: Any = None,
    resolution: int = 60,
    dpi: float = 80,
) -> Path:
    """Train a model and write a GIF of it learning.

    This *is* the training call: the model ends trained exactly as
    ``model.fit(X, y, epochs=epochs, batch_size=batch_size)`` would leave it
    (``fit`` is called once, with a callback that copies the weights at each
    snapshot and does nothing else). The frames are drawn afterwards, from
    the copies.

    Parameters
    ----------
    model : Sequential
        A compiled model of two inputs.
    X : array of shape (n_samples, 2)
    y : labels or targets, as for ``fit``
    epochs : int
    path : str or Path, default "train.gif"
        Where to write the GIF; ``.gif`` is added to a path without a suffix,
        and the parent folders are created.
    frames : int, default 20
        The most frames after the first (see Notes).
    fps : float, default 5
        Frames per second.
    batch_size : int, optional
        Passed to ``fit``: ``None`` is full-batch gradient descent.
    X_test, y_test : arrays, optional
        Test points, drawn on the decision boundary; their loss at each
        snapshot is drawn beside the training loss.
    resolution : int, default 60
        Grid points along each axis of the decision boundary.
    dpi : float, default 80
        Pixels per inch of the frames (a frame is 10.5 x 4.4 inches).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        If ``frames < 1``, ``fps <= 0``, ``X`` is not of shape
        (n_samples, 2), or ``path`` does not end in ``.gif`` (all checked
        before training).
    DivergenceError
        If training diverges, as from ``fit``; no GIF is written then.

    Notes
    -----
    Snapshots are taken of the initial weights (epoch 0), after every
    ``k = ceil(epochs / frames)`` epochs, and after the last epoch if
    ``epochs`` is not a multiple of ``k``: ``1 + ceil(epochs / k)`` snapshots,
    at most ``frames + 1``, one frame each (:func:`snapshot_epochs` lists
    them). E.g. ``epochs=20, frames=5``: epochs 0, 4, 8, 12, 16, 20 (6 frames);
    ``epochs=10, frames=4``: 0, 3, 6, 9, 10 (5 frames); ``epochs=3,
    frames=20``: 0, 1, 2, 3 (4 frames).

    Each frame shows the decision boundary of the snapshot (left, see
    :func:`decision_boundary`) and the training loss per epoch up to it
    (right; the axes span the whole run in every frame), titled
    ``"epoch N"``, N the number of epochs done. Frames are rendered on a
    figure with an Agg canvas and written with matplotlib's
    :class:`~matplotlib.animation.PillowWriter`: no display is needed and
    ``pyplot`` is not used.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab import plots
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2,
    ...                       seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plots.animate_training(model, X, [0, 1, 1, 1], epochs=6,
    ...                                  frames=3, resolution=10, dpi=30,
    ...                                  path=pathlib.Path(tmp) / "or")
    ...     out.name
    'or.gif'
    >>> len(model.history.history["loss"])
    6
    """
    model = _check_model(model, "animate_training")
    Xa = boundary_plane(X, "X")
    Xt = None if X_test is None else boundary_plane(X_test, "X_test")
    if y_test is not None and Xt is None:
        raise ValueError("y_test was given without X_test")
    epochs = check_positive("epochs", epochs, integer=True)
    frames = check_positive("frames", frames, integer=True)
    fps = check_positive("fps", fps)
    dpi = check_positive("dpi", dpi)
    resolution = check_resolution(resolution)
    out = _gif_path(path)
    # Builds the model if fit has not yet (exactly as fit would), so that the
    # test labels can be checked before any training.
    model.check_inputs(Xa)
    if Xt is not None and y_test is not None:
        model.encode_targets(y_test, Xt.shape[0], "y_test")

    recorder = Snapshots(snapshot_epochs(epochs, frames))
    model.fit(X, y, epochs=epochs, batch_size=batch_size, callbacks=[recorder])
    return write_animation(
        model,
        recorder,
        Xa,
        y,
        path=out,
        X_test=Xt,
        y_test=y_test,
        fps=fps,
        resolution=resolution,
        dpi=dpi,
    )


def write_animation(
    model: Sequential,
    snapshots: Snapshots,
    X: Any,
    y: Any,
    *,
    path: str | Path = "train.gif",
    X_test: Any = None,
    y_test: Any = None,
    fps: float = 5,
    resolution: int = 60,
    dpi: float = 80,
) -> Path:
    """Write the GIF of a training run recorded by a :class:`Snapshots`
    callback passed to ``fit``: one frame per snapshot, drawn as
    :func:`animate_training` describes. ``model`` is the trained model (its
    history gives the loss curve); it is not changed.
    """
    model = _check_model(model, "write_animation")
    if not snapshots.taken:
        raise ValueError(
            "the Snapshots callback recorded nothing: pass it to fit() first"
        )
    Xa = boundary_plane(X, "X")
    Xt = None if X_test is None else boundary_plane(X_test, "X_test")
    fps = check_positive("fps", fps)
    dpi = check_positive("dpi", dpi)
    resolution = check_resolution(resolution)
    out = _gif_path(path)
    recorder = snapshots
    losses = np.asarray(model.history.history["loss"], dtype=float)

    view = _compiled_copy(model)
    test_losses = None
    if Xt is not None and y_test is not None:
        Xv, Yv = (
            view.check_inputs(Xt, "X_test"),
            view.encode_targets(y_test, Xt.shape[0]),
        )
        values = []
        for _, weights in recorder.taken:
            view.set_weights(weights)
            values.append(view.evaluate_arrays(Xv, Yv)["loss"])
        test_losses = np.array(values)
    shown = losses if test_losses is None else np.concatenate([losses, test_losses])
    run = _Run(
        X=Xa,
        y=y,
        X_test=Xt,
        y_test=y_test,
        losses=losses,
        epochs=np.array([e for e, _ in recorder.taken]),
        test_losses=test_losses,
        ylim=_limits(shown),
        resolution=resolution,
    )

    out.parent.mkdir(parents=True, exist_ok=True)
    fig = new_figure(10.5, 4.4)
    # Typed as int in matplotlib; Pillow only needs 1000 / fps ms per frame.
    writer = PillowWriter(fps=fps)  # type: ignore[arg-type]
    writer.setup(fig, str(out), dpi=dpi)
    layout: list[Any] = []
    for i, (_, weights) in enumerate(recorder.taken):
        view.set_weights(weights)
        if i == 1:
            # The first frame's constrained layout, kept for the others: the
            # panels stay in place, and a frame renders in one pass, not two.
            fig.set_layout_engine(None)
        _draw_frame(fig, view, run, i)
        if i > 0 and len(fig.axes) == len(layout):
            for ax, position in zip(fig.axes, layout, strict=True):
                ax.set_position(position)
        writer.grab_frame()
        if i == 0:
            layout = [ax.get_position() for ax in fig.axes]
    writer.finish()
    return out
