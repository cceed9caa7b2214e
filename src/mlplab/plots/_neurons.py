"""Neuron maps: what every unit of a model computes over the 2-D input
plane, layer by layer, as TensorFlow Playground shows them.

Values around 0 are shaded blue below and orange above (the colours of the
network diagram's weights), a pair that stays distinct with every common
colour-vision deficiency; values in [0, 1] on a sequential map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure, SubFigure

from .._validation import check_positive, check_range
from ..layers import Activation, Dense, Dropout
from ._common import (
    check_resolution,
    marker_handle,
    new_figure,
    plane_grid,
    plane_points,
    plot_targets,
)
from ._models import check_dense_model

__all__ = ["NeuronMapsDisplay", "neuron_maps"]

# Values around 0 (tanh, linear, ReLU units): blue below, white at 0, orange
# above; the ends darkened a little so that both stand out from white.
DIVERGING_CMAP = LinearSegmentedColormap.from_list(
    "mlplab_diverging",
    [(0.0, "#005a8c"), (0.5, "#f7f7f7"), (1.0, "#c77c00")],
)
# Its upper half, for units that are never negative (ReLU): white at 0.
POSITIVE_CMAP = LinearSegmentedColormap.from_list(
    "mlplab_positive", [(0.0, "#f7f7f7"), (1.0, "#c77c00")]
)
# Values in [0, 1] (sigmoid and softmax units): sequential, made for readers
# with a colour-vision deficiency.
UNIT_INTERVAL_CMAP = colormaps["cividis"]
_UNIT_INTERVAL = ("sigmoid", "softmax")
_MAX_COLUMNS = 8  # neuron-map panels per row before a layer wraps
_CMAPS = {c.name: c for c in (UNIT_INTERVAL_CMAP, DIVERGING_CMAP, POSITIVE_CMAP)}


# -- the model's layers, as rows of units --------------------------------------
@dataclass
class _Stage:
    """A Dense layer and the Activation / Dropout layers right after it."""

    number: int  # 1-based among the Dense layers
    index: int  # of the stage's last layer, in model.layers and layer_outputs
    activation: str
    units: int
    output: bool = False


def _stages(model: Any) -> list[_Stage]:
    stages: list[_Stage] = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, Dense):
            stages.append(
                _Stage(len(stages) + 1, i, layer.activation.name, layer.units)
            )
        elif stages and stages[-1].index == i - 1:
            if isinstance(layer, Activation):
                stages[-1].index = i
                stages[-1].activation = layer.activation.name
            elif isinstance(layer, Dropout):  # the identity at inference
                stages[-1].index = i
    stages[-1].output = True
    return stages


def _two_inputs(X: Any) -> np.ndarray:
    return plane_points(
        X,
        "X",
        lambda shape: (
            "neuron maps need two inputs: each unit is drawn over the (x1, x2) "
            f"plane, so X must have shape (n_samples, 2); received shape {shape}"
        ),
    )


def _colour_scale(activation: str, maps: np.ndarray) -> tuple[str, tuple[float, float]]:
    """The name of the colour map and the values at its ends: sequential over
    [0, 1] for sigmoid and softmax; otherwise diverging and centred at 0, over
    [-1, 1] for tanh and the largest |value| for the rest (only its
    white-to-orange half when no value is negative)."""
    if activation in _UNIT_INTERVAL:
        return UNIT_INTERVAL_CMAP.name, (0.0, 1.0)
    if activation == "tanh":
        return DIVERGING_CMAP.name, (-1.0, 1.0)
    finite = maps[np.isfinite(maps)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    top = top if top > 1e-12 else 1.0
    if finite.size and finite.min() >= 0.0:  # e.g. ReLU: the positive half
        return POSITIVE_CMAP.name, (0.0, top)
    return DIVERGING_CMAP.name, (-top, top)


def _unit_title(stage: _Stage, unit: int, task: str) -> str:
    if not stage.output:
        return f"layer {stage.number}, unit {unit + 1}"
    if task == "binary" and stage.units == 1:
        return "output: P(class 1)"
    if task == "multiclass":
        return f"output: P(class {unit})"
    return "output" if stage.units == 1 else f"output, unit {unit + 1}"


def _row_label(stage: _Stage, shown: int) -> str:
    name = "output" if stage.output else f"layer {stage.number}"
    units = f"{stage.units} unit{'s' if stage.units > 1 else ''}"
    if shown < stage.units:
        units = f"first {shown} of {stage.units} units"
    return f"{name}: {stage.activation}, {units}"


def _point_style(c: int) -> dict[str, Any]:
    """Class ``c``'s marker: white and black fills alternate (one shows on any
    shading), and the shape changes every two classes."""
    white = c % 2 == 0
    return {
        "marker": "o^sDvP"[(c // 2) % 6],
        "facecolor": "white" if white else "black",
        "edgecolor": "black" if white else "white",
    }


def _faint_points(ax: Axes, X: np.ndarray, y: np.ndarray | None, task: str) -> None:
    """The data, faintly: the shading under them is what the panel is about."""
    if y is None:
        return
    groups = (
        [(X, 0)] if task == "regression" else [(X[y == c], c) for c in np.unique(y)]
    )
    for points, c in groups:
        style = _point_style(int(c))
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=9,
            marker=style["marker"],
            c=style["facecolor"],
            edgecolors=style["edgecolor"],
            linewidths=0.4,
            alpha=0.6,
            zorder=3,
        )


def _points_legend(fig: Figure, y: np.ndarray, task: str, title: str) -> None:
    classes = [0] if task == "regression" else [int(c) for c in np.unique(y)]
    handles = []
    for c in classes:
        style = _point_style(c)
        label = "data" if task == "regression" else f"class {c}"
        handles.append(
            marker_handle(
                style["marker"],
                6,
                label,
                markerfacecolor=style["facecolor"],
                markeredgecolor="black",
            )
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 8),
        fontsize="small",
        title=title,
        title_fontsize="small",
        frameon=False,
    )


def _rows(model: Any, layers: Sequence[int] | None) -> list[_Stage]:
    """The stages drawn: the hidden ones asked for (all by default), then the
    output."""
    stages = _stages(model)
    hidden = [s for s in stages if not s.output]
    if layers is not None:
        numbers = [s.number for s in hidden]
        wanted = list(layers)
        bad = [n for n in wanted if n not in numbers]
        if bad:
            raise ValueError(
                f"layers must name hidden layers among {numbers}; received "
                f"layers={wanted!r}"
            )
        hidden = [s for s in hidden if s.number in wanted]
    return [*hidden, stages[-1]]


@dataclass(eq=False)
class NeuronMapsDisplay:
    """Every unit's activation over a grid on the input plane, computed.

    What :func:`neuron_maps` draws: make it with :meth:`from_model`, draw it
    with :meth:`plot`. One row per hidden layer drawn, then the output layer.

    Attributes
    ----------
    x1, x2 : ndarray of shape (resolution,)
        The grid's coordinates along each input.
    extent : (float, float, float, float)
        x1 min, x1 max, x2 min, x2 max of the grid.
    maps : list of ndarray of shape (resolution, resolution, n_shown)
        Per row, the activation of each unit shown (the first
        ``max_units``) at the grid points: ``maps[r][i, j, u]`` at
        ``(x1[j], x2[i])``.
    activations : list of str
        Per row, the activation function.
    row_labels : list of str
        Per row, e.g. ``"layer 1: tanh, 3 units"``.
    unit_titles : list of list of str
        Per row, a title per unit shown, e.g. ``"layer 1, unit 2"``.
    cmaps : list of str
        Per row, the name of its colour map: ``"cividis"`` over [0, 1]
        (sigmoid, softmax), else ``"mlplab_diverging"`` centred at 0, or
        ``"mlplab_positive"`` when no value is negative.
    limits : list of (float, float)
        Per row, the values at the two ends of its colour map.
    X : ndarray of shape (n_samples, 2)
        The data.
    y : ndarray of shape (n_samples,) or None
        Its class labels (or regression targets).
    task : str
        The model's task: ``"binary"``, ``"multiclass"`` or ``"regression"``.

    Notes
    -----
    Sigmoid and softmax units take values in [0, 1] and are shaded on a
    sequential map over [0, 1]. Every other unit is shaded on a diverging map
    centred at 0 (blue below, orange above): over [-1, 1] for tanh, over
    ``[-m, m]`` for the largest ``|value| = m`` of the row otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab.plots import NeuronMapsDisplay
    >>> model = ml.Sequential([ml.Dense(3, activation="tanh"),
    ...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    >>> d = NeuronMapsDisplay.from_model(model, X, resolution=10)
    >>> [m.shape for m in d.maps], d.x1.shape, d.extent
    ([(10, 10, 3), (10, 10, 1)], (10,), (-1.5, 1.5, -1.5, 1.5))
    >>> d.row_labels, d.cmaps, d.limits
    (['layer 1: tanh, 3 units', 'output: sigmoid, 1 unit'],
     ['mlplab_diverging', 'cividis'], [(-1.0, 1.0), (0.0, 1.0)])
    >>> len(d.plot().axes)  # four panels and a colorbar per row
    6
    """

    x1: np.ndarray
    x2: np.ndarray
    extent: tuple[float, float, float, float]
    maps: list[np.ndarray]
    activations: list[str]
    row_labels: list[str]
    unit_titles: list[list[str]]
    cmaps: list[str]
    limits: list[tuple[float, float]]
    X: np.ndarray
    y: np.ndarray | None
    task: str

    @classmethod
    def from_model(
        cls,
        model: Any,
        X: Any,
        y: Any = None,
        *,
        layers: Sequence[int] | None = None,
        resolution: int = 80,
        margin: float = 0.5,
        max_units: int = 16,
    ) -> NeuronMapsDisplay:
        """Evaluate every layer of ``model`` on a grid covering ``X`` plus
        ``margin``; parameters as for :func:`neuron_maps`."""
        check_dense_model(model, "neuron_maps")
        Xa = _two_inputs(X)
        if model.input_dim != 2:
            raise ValueError(
                "neuron maps need two inputs: the model takes "
                f"input_dim={model.input_dim}, so its units cannot be drawn over a "
                "plane"
            )
        resolution = check_resolution(resolution)
        margin = check_range("margin", margin, 0.0, math.inf, high_inclusive=False)
        max_units = int(check_positive("max_units", max_units, integer=True))
        task = str(getattr(model, "task", "regression"))
        labels = None if y is None else plot_targets(y, len(Xa), "y", task)
        rows = _rows(model, layers)
        x1, x2, points, extent = plane_grid(Xa, resolution, margin)
        outputs = model.layer_outputs(points)  # one (resolution**2, units) per layer
        shown = [min(s.units, max_units) for s in rows]
        maps = [
            outputs[s.index][:, :k].reshape(resolution, resolution, k)
            for s, k in zip(rows, shown, strict=True)
        ]
        scales = [
            _colour_scale(s.activation, m) for s, m in zip(rows, maps, strict=True)
        ]
        return cls(
            x1=x1,
            x2=x2,
            extent=extent,
            maps=maps,
            activations=[s.activation for s in rows],
            row_labels=[_row_label(s, k) for s, k in zip(rows, shown, strict=True)],
            unit_titles=[
                [_unit_title(s, u, task) for u in range(k)]
                for s, k in zip(rows, shown, strict=True)
            ],
            cmaps=[name for name, _ in scales],
            limits=[limits for _, limits in scales],
            X=Xa,
            y=labels,
            task=task,
        )

    def plot(self, *, title: str | None = None) -> Figure:
        """Draw a row of panels per layer, each with its colorbar, in a new
        figure; return it."""
        shown = [m.shape[2] for m in self.maps]
        ncols = min(max(shown), _MAX_COLUMNS)
        heights = [math.ceil(k / ncols) for k in shown]
        panel = 1.4  # inches per panel
        fig = new_figure(
            max(ncols * panel + 1.5, 4.2),
            sum(h * (panel + 0.25) + 0.45 for h in heights) + (0.9 if title else 0.5),
        )
        subfigs = fig.subfigures(len(shown), 1, height_ratios=heights, squeeze=False)
        for r, (sf, h) in enumerate(zip(subfigs[:, 0], heights, strict=True)):
            self._draw_row(sf, r, h, ncols)
        e = self.extent
        plane = (
            f"each panel: x1 from {e[0]:.3g} to {e[1]:.3g} across, "
            f"x2 from {e[2]:.3g} to {e[3]:.3g} up"
        )
        if self.y is None:
            fig.supxlabel(plane, fontsize="small")
        else:  # the key to the points, under the same line
            _points_legend(fig, self.y, self.task, plane)
        if title is not None:
            fig.suptitle(title)
        return fig

    def _draw_row(self, sf: SubFigure, r: int, nrows: int, ncols: int) -> None:
        """Row ``r``'s panels and colorbar, into the subfigure ``sf``."""
        maps = self.maps[r]
        k = maps.shape[2]
        cmap, norm = _CMAPS[self.cmaps[r]], Normalize(*self.limits[r])
        grid = sf.subplots(nrows, ncols, squeeze=False)
        for ax in grid.ravel()[k:]:
            ax.remove()
        panels = list(grid.ravel()[:k])
        image = None
        for unit, ax in enumerate(panels):
            image = ax.imshow(
                np.ma.masked_invalid(maps[:, :, unit]),
                origin="lower",
                extent=self.extent,
                aspect="auto",
                cmap=cmap,
                norm=norm,
                interpolation="bilinear",
            )
            _faint_points(ax, self.X, self.y, self.task)
            ax.set_xlim(self.extent[0], self.extent[1])
            ax.set_ylim(self.extent[2], self.extent[3])
            ax.set_box_aspect(1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(self.unit_titles[r][unit], fontsize="small")
        assert image is not None
        sf.suptitle(self.row_labels[r], fontsize="medium", ha="left", x=0.02)
        sf.colorbar(image, ax=panels, shrink=0.9, aspect=12, label=self.activations[r])


def neuron_maps(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    layers: Sequence[int] | None = None,
    resolution: int = 80,
    margin: float = 0.5,
    max_units: int = 16,
    title: str | None = None,
) -> Figure:
    """Draw what every unit computes over the input plane, layer by layer.

    One row per hidden Dense layer, one small panel per unit showing its
    activation at each point of a grid over the (x1, x2) plane, and the output
    unit(s) as the last row -- the pictures TensorFlow Playground draws inside
    its neurons.

    Parameters
    ----------
    model : Sequential
        A built model of two inputs. Layers before the first Dense layer
        (``Features``, ``Rescaling``) are applied as the model applies them:
        the panels are always over the original inputs. An ``Activation``
        right after a Dense layer is part of it (its output is drawn).
    X : array of shape (n_samples, 2)
        The data; the grid covers it plus ``margin``.
    y : array of shape (n_samples,), optional
        Class labels (or regression targets): the points are drawn faintly on
        top: white and black circles for classes 0 and 1 (then triangles,
        squares, ...), with a legend.
    layers : sequence of int, optional
        The hidden layers to draw, numbered from 1 like the panel titles;
        default all. The output row is always drawn.
    resolution : int, default 80
        Grid points along each axis.
    margin : float, default 0.5
        How far the grid reaches beyond the data, in input units.
    max_units : int, default 16
        Units drawn per layer at most (the first ones); a row that leaves
        units out says so in its label.
    title : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        One subfigure per row, each with its panels (titled e.g.
        ``"layer 1, unit 3"``) and one colorbar.

    See Also
    --------
    NeuronMapsDisplay : the maps, computed, and how each row is shaded.

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab import plots
    >>> model = ml.Sequential([ml.Dense(3, activation="tanh"),
    ...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    >>> fig = plots.neuron_maps(model, X, resolution=10)
    >>> [ax.get_title() for ax in fig.axes if ax.images]
    ['layer 1, unit 1', 'layer 1, unit 2', 'layer 1, unit 3', 'output: P(class 1)']
    """
    return NeuronMapsDisplay.from_model(
        model,
        X,
        y,
        layers=layers,
        resolution=resolution,
        margin=margin,
        max_units=max_units,
    ).plot(title=title)
