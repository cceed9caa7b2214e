"""Inside a model: what each neuron computes, its weights, the activation
functions, and where a classifier goes wrong.

- :func:`neuron_maps`: every unit's activation over the 2-D input plane, layer
  by layer, as TensorFlow Playground shows them;
- :func:`network_diagram`: the layers as columns of nodes, each weight an edge
  coloured by its sign and as wide as its size;
- :func:`activation_gallery`: each activation function beside its derivative;
- :func:`confusion_matrix`: counts of true against predicted classes.

Positive values are orange and negative ones blue everywhere here (the edges
of the diagram, the diverging colour map of the neuron maps): a pair that
stays distinct with every common colour-vision deficiency.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D

from .. import activations
from .. import metrics as _metrics
from .._validation import check_positive, check_range
from ..features import Features
from ..layers import Activation, Dense, Dropout, Rescaling
from ._common import (
    check_resolution,
    class_colors,
    figure_of,
    marker_handle,
    new_figure,
    plane_grid,
    plane_points,
    plot_targets,
)

__all__ = [
    "ActivationGalleryDisplay",
    "ConfusionMatrixDisplay",
    "NetworkDiagramDisplay",
    "NeuronMapsDisplay",
    "activation_gallery",
    "confusion_matrix",
    "network_diagram",
    "neuron_maps",
]

POSITIVE_COLOR = "#E69F00"  # Okabe-Ito orange
NEGATIVE_COLOR = "#0072B2"  # Okabe-Ito blue
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
_LABEL_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}
_CMAPS = {c.name: c for c in (UNIT_INTERVAL_CMAP, DIVERGING_CMAP, POSITIVE_CMAP)}


# -- the model's structure ---------------------------------------------------------
def _check_model(model: Any, what: str) -> None:
    if not hasattr(model, "layers"):
        raise TypeError(
            f"{what} takes a Sequential model; received {model!r} of type "
            f"{type(model).__name__}"
        )
    if not getattr(model, "built", True):
        raise ValueError(
            f"{what} needs the model's weights, and this model is not built yet: "
            "give it input_dim (Sequential([...], input_dim=2)) or call fit first"
        )
    if not any(isinstance(layer, Dense) for layer in model.layers):
        raise ValueError(f"{what} needs a model with at least one Dense layer")


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


# -- neuron_maps -----------------------------------------------------------------
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
        _check_model(model, "neuron_maps")
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
        ``"layer 1, unit 3"``) and one colorbar; the values drawn are
        :class:`NeuronMapsDisplay`'s.

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


# -- network_diagram ---------------------------------------------------------------
@dataclass
class _Column:
    """One column of nodes: the inputs, the features, or a Dense layer."""

    label: list[str]  # lines under the column
    names: list[str]  # a label per node ("" for none)
    W: np.ndarray | None = None  # (n_previous, n) incoming weights
    b: np.ndarray | None = None  # (n,) biases
    sources: list[set[int]] | None = None  # a Features column: inputs used
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.names)


def _output_names(task: str, units: int) -> list[str]:
    if task == "binary" and units == 1:
        return ["P(class 1)"]
    if task == "multiclass":
        return [f"P(class {c})" for c in range(units)]
    return ["ŷ"] if units == 1 else [f"ŷ{u + 1}" for u in range(units)]


def _columns(model: Any) -> list[_Column]:
    d = int(model.input_dim)
    columns = [_Column([f"input ({d})"], [f"x{i + 1}" for i in range(d)])]
    task = str(getattr(model, "task", "regression"))
    last_dense = max(i for i, L in enumerate(model.layers) if isinstance(L, Dense))
    for i, layer in enumerate(model.layers):
        col = columns[-1]
        if isinstance(layer, Features):
            sources = [node.inputs() for node in layer.feature_map.nodes]
            columns.append(
                _Column(
                    [f"features ({len(layer.features)})"],
                    list(layer.features),
                    sources=sources,
                )
            )
        elif isinstance(layer, Dense):
            names = (
                _output_names(task, layer.units)
                if i == last_dense
                else [""] * layer.units
            )
            b = layer.params.get("b")
            columns.append(
                _Column(
                    [layer.activation.name],
                    names,
                    W=np.array(layer.params["W"], dtype=float),  # a copy
                    b=None if b is None else np.array(b, dtype=float),
                )
            )
        elif isinstance(layer, Activation):
            col.label[0] += f" → {layer.activation.name}"
        elif isinstance(layer, Dropout):
            col.notes.append(f"dropout {layer.rate:g}")
        elif isinstance(layer, Rescaling):
            col.notes.append("rescaled")
        else:
            col.notes.append(type(layer).__name__)
    for col in columns[1:]:
        if col.W is not None:
            col.label[0] += f" ({col.n})"
    return columns


def _column_label(col: _Column, shown: int) -> str:
    """The lines under a column: its kind and size, what follows it, and how
    many of its nodes are drawn."""
    lines = list(col.label) + col.notes
    if col.n > shown:
        lines.append(f"first {shown} of {col.n} shown")
    return "\n".join(lines)


@dataclass(eq=False)
class NetworkDiagramDisplay:
    """A model's layers as columns of nodes and its weights as edges, computed.

    What :func:`network_diagram` draws: make it with :meth:`from_model`, draw
    it with :meth:`plot`. Column ``k`` (the inputs, a ``Features`` layer's
    features, then each Dense layer) is at ``x = k``; every list has one
    entry per column.

    Attributes
    ----------
    labels : list of str
        The text under each column (lines joined by newlines).
    names : list of list of str
        The label of each drawn node (``""`` for none).
    n_units : list of int
        The nodes of each column, drawn or not.
    y : list of ndarray of shape (n_drawn,)
        The heights of the drawn nodes, centred on 0, one apart; a cut column
        leaves the slot under its last node for a ⋮.
    links : list of (list of (int, int)) or None
        A features column's links ``(input i, feature j)``; None elsewhere.
    weights : list of ndarray of shape (n_drawn_previous, n_drawn) or None
        A Dense column's weights from the drawn nodes of the column before to
        its own drawn nodes; None elsewhere.
    biases : list of ndarray of shape (n_drawn,) or None
        A Dense column's drawn biases when they are drawn (``show_bias``).
    show_bias : bool
        Whether bias nodes are drawn.
    scale : float
        The largest ``|w|`` drawn (biases included when drawn).
    width_per_weight : float
        An edge's width in points per unit of ``|w|``, one for the whole
        diagram.

    Examples
    --------
    >>> import mlplab as ml
    >>> from mlplab.plots import NetworkDiagramDisplay
    >>> model = ml.Sequential([ml.Dense(5, activation="tanh"),
    ...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> d = NetworkDiagramDisplay.from_model(model, max_units=4)
    >>> d.n_units, [len(y) for y in d.y], [None if w is None else w.shape
    ...                                      for w in d.weights]
    ([2, 5, 1], [2, 4, 1], [None, (2, 4), (4, 1)])
    >>> d.labels[1].splitlines(), d.names[2], d.y[1].tolist()
    (['tanh (5)', 'first 4 of 5 shown'], ['P(class 1)'], [2.0, 1.0, 0.0, -1.0])
    >>> len(d.plot().axes)
    1
    """

    labels: list[str]
    names: list[list[str]]
    n_units: list[int]
    y: list[np.ndarray]
    links: list[list[tuple[int, int]] | None]
    weights: list[np.ndarray | None]
    biases: list[np.ndarray | None]
    show_bias: bool
    scale: float
    width_per_weight: float

    @classmethod
    def from_model(
        cls, model: Any, *, max_units: int = 32, show_bias: bool = False
    ) -> NetworkDiagramDisplay:
        """Lay out ``model``'s columns; parameters as for :func:`network_diagram`."""
        _check_model(model, "network_diagram")
        max_units = int(check_positive("max_units", max_units, integer=True))
        columns = _columns(model)
        drawn = [min(c.n, max_units) for c in columns]
        weights: list[np.ndarray | None] = [None]
        biases: list[np.ndarray | None] = [None]
        links: list[list[tuple[int, int]] | None] = [None]
        for col, rows, m in zip(columns[1:], drawn[:-1], drawn[1:], strict=True):
            W, b, sources = col.W, col.b, col.sources
            weights.append(None if W is None else W[:rows, :m])
            with_bias = show_bias and W is not None
            biases.append(b[:m] if with_bias and b is not None else None)
            links.append(None if sources is None else _links(sources[:m], rows))
        scale, per_unit = _edge_scale(weights, biases)
        # Each column centred on y = 0, one unit apart, the ⋮ of a cut column
        # in the slot under its last node.
        spans = [m + (1 if c.n > m else 0) for c, m in zip(columns, drawn, strict=True)]
        return cls(
            labels=[_column_label(c, m) for c, m in zip(columns, drawn, strict=True)],
            names=[c.names[:m] for c, m in zip(columns, drawn, strict=True)],
            n_units=[c.n for c in columns],
            y=[(s - 1) / 2 - np.arange(m) for s, m in zip(spans, drawn, strict=True)],
            links=links,
            weights=weights,
            biases=biases,
            show_bias=show_bias,
            scale=scale,
            width_per_weight=per_unit,
        )

    @property
    def slots(self) -> int:
        """Node slots in the tallest column (a ⋮ takes one)."""
        return max(
            len(y) + (1 if n > len(y) else 0)
            for y, n in zip(self.y, self.n_units, strict=True)
        )

    def plot(self, ax: Axes | None = None, *, title: str | None = None) -> Figure:
        """Draw the diagram (a new figure, with a legend under it, without
        ``ax``); return the figure."""
        own_figure = ax is None
        slots, n_columns = self.slots, len(self.y)
        if ax is None:
            fig = new_figure(
                max(2.2 * n_columns + 1.0, 5.0), min(max(0.3 * slots + 2.2, 3.6), 13.0)
            )
            ax = fig.add_subplot()
        else:
            fig = figure_of(ax)
        top = (slots - 1) / 2
        bias_y = top + 1.2
        height_in = fig.get_figheight() * 0.75
        spacing_pt = height_in * 72 / (slots + 3)
        diameter = float(np.clip(0.6 * spacing_pt, 4.0, 18.0))
        self._draw_edges(ax, bias_y, diameter)
        self._draw_nodes(ax, diameter)
        # The layer labels are the x tick labels: the layout makes room for them.
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_yticks([])
        ax.set_xticks(range(n_columns), self.labels, fontsize="small")
        ax.tick_params(axis="x", length=0)
        ax.set_xlim(-0.6, n_columns - 0.4)
        ax.set_ylim(-top - 0.7, (bias_y if self.show_bias else top) + 0.7)
        _weights_legend(fig, ax, self.scale, below=own_figure)
        if title is not None:
            ax.set_title(title)
        return fig

    def _draw_edges(self, ax: Axes, bias_y: float, diameter: float) -> None:
        dense_k = 0
        for k in range(1, len(self.y)):
            prev_y, ys = self.y[k - 1], self.y[k]
            links, W, b = self.links[k], self.weights[k], self.biases[k]
            if links is not None:  # a Features column: no weights
                segs = [[(k - 1, prev_y[i]), (k, ys[j])] for i, j in links]
                ax.add_collection(
                    LineCollection(
                        segs, colors="0.6", linewidths=0.8, zorder=1, gid="features"
                    )
                )
                continue
            if W is None:
                continue
            dense_k += 1
            src = np.repeat(prev_y, len(ys))  # edge i * n + j: node i -> node j
            dst = np.tile(ys, len(prev_y))
            per_unit = self.width_per_weight
            _edges(ax, k - 1, src, k, dst, W.ravel(), per_unit, f"weights {dense_k}")
            if b is not None:
                bias_src = np.full(b.size, bias_y)
                _edges(ax, k - 1, bias_src, k, ys, b, per_unit, f"bias {dense_k}")
                _bias_node(ax, k - 1, bias_y, diameter)

    def _draw_nodes(self, ax: Axes, diameter: float) -> None:
        last = len(self.y) - 1
        for k, (ys, names) in enumerate(zip(self.y, self.names, strict=True)):
            m = len(ys)
            ax.scatter(
                np.full(m, k),
                ys,
                s=diameter**2,
                c="white",
                edgecolors="black",
                linewidths=1.0,
                zorder=3,
            )
            if self.n_units[k] > m:
                ax.text(k, ys[-1] - 1, "⋮", ha="center", va="center", fontsize="large")
            for name, y in zip(names, ys, strict=True):
                if name:
                    ax.annotate(
                        name,
                        (k, y),
                        xytext=(diameter * 0.7 if k == last else -diameter * 0.7, 0),
                        textcoords="offset points",
                        ha="left" if k == last else "right",
                        va="center",
                        fontsize="small" if m <= 16 else "x-small",
                        bbox=_LABEL_BOX if self.links[k] is not None else None,
                        zorder=4,
                    )


def _links(sources: list[set[int]], n_inputs: int) -> list[tuple[int, int]]:
    """``(i, j)`` for each of the first ``n_inputs`` inputs that feature ``j``
    uses."""
    return [
        (i, j) for j, used in enumerate(sources) for i in sorted(used) if i < n_inputs
    ]


def _edge_scale(
    weights: list[np.ndarray | None], biases: list[np.ndarray | None]
) -> tuple[float, float]:
    """The largest |w| drawn, and the edge width per unit of |w| (points)."""
    drawn = [w for w in weights if w is not None]
    scale = max(
        [float(np.abs(w).max()) for w in drawn if w.size]
        + [float(np.abs(b).max()) for b in biases if b is not None and b.size]
        + [1e-12]
    )
    # One width per unit of |w| for the whole diagram, so that widths compare
    # across layers: wide edges for a small network, thinner for a big one.
    most = max([w.size for w in drawn] + [1])
    return scale, float(np.clip(5.0 * math.sqrt(24 / most), 1.2, 5.0)) / scale


def _bias_node(ax: Axes, x: float, y: float, diameter: float) -> None:
    """A ``+1`` node, the source of a layer's bias edges."""
    ax.scatter(
        [x],
        [y],
        s=diameter**2,
        marker="s",
        c="#eeeeee",
        edgecolors="black",
        linewidths=0.8,
        zorder=3,
    )
    ax.annotate("+1", (x, y), ha="center", va="center", fontsize="x-small", zorder=4)


def _weights_legend(fig: Figure, ax: Axes, scale: float, *, below: bool) -> None:
    """The key to the edges: under the figure, or in the axes' corner."""
    handles = [
        Line2D([], [], color=POSITIVE_COLOR, linewidth=3, label="positive weight"),
        Line2D([], [], color=NEGATIVE_COLOR, linewidth=3, label="negative weight"),
        Line2D([], [], color="none", label=f"width ∝ |w|, widest |w| = {scale:.3g}"),
    ]
    if below:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=3,
            fontsize="small",
            frameon=False,
        )
    else:
        ax.legend(handles=handles, loc="upper right", fontsize="x-small")


def network_diagram(
    model: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    max_units: int = 32,
    show_bias: bool = False,
) -> Figure:
    """Draw a model as columns of nodes joined by its weights.

    Parameters
    ----------
    model : Sequential
        A built model (the edges are its weights).
    ax : matplotlib Axes, optional
        Draw into it; default: a new figure.
    title : str, optional
    max_units : int, default 32
        Nodes drawn per column at most: a wider layer shows its first
        ``max_units`` nodes, then a ⋮ marker, and says so in its label.
    show_bias : bool, default False
        Draw a ``+1`` bias node above each column that feeds a Dense layer,
        its edges the biases.

    Returns
    -------
    matplotlib.figure.Figure
        The edges into the k-th Dense layer (k from 1) are one
        :class:`~matplotlib.collections.LineCollection` with gid
        ``"weights k"``, in the order of ``W.ravel()`` (from node i to node j
        is edge ``i * n_drawn + j``); the bias edges, ``"bias k"``.

    See Also
    --------
    NetworkDiagramDisplay : the node positions and the weights drawn, computed.

    Notes
    -----
    A positive weight is orange, a negative one blue; an edge's width is
    proportional to ``|w|``, the widest edge being the largest ``|w|`` drawn.
    A ``Features`` first layer adds a column of its features after the
    inputs, joined (thin grey lines, no weights) to the inputs each uses.

    Examples
    --------
    >>> import mlplab as ml
    >>> from mlplab import plots
    >>> model = ml.Sequential([ml.Dense(5, activation="tanh"),
    ...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> fig = plots.network_diagram(model)
    >>> [len(c.get_segments()) for c in fig.axes[0].collections
    ...  if str(c.get_gid()).startswith("weights")]
    [10, 5]
    """
    display = NetworkDiagramDisplay.from_model(
        model, max_units=max_units, show_bias=show_bias
    )
    return display.plot(ax, title=title)


def _edges(
    ax: Axes,
    x0: float,
    y0: np.ndarray,
    x1: float,
    y1: np.ndarray,
    w: np.ndarray,
    per_unit: float,
    gid: str,
) -> None:
    """One LineCollection of edges ``(x0, y0[e]) -> (x1, y1[e])`` for weights
    ``w``, ``per_unit * |w|`` points wide."""
    n = w.size
    segments = np.stack(
        [np.column_stack([np.full(n, x0), y0]), np.column_stack([np.full(n, x1), y1])],
        axis=1,
    )  # (n_edges, 2 ends, 2 coordinates)
    # Fainter edges where there are many, so that the picture stays legible.
    alpha = float(np.clip(0.95 * math.sqrt(48 / max(n, 1)), 0.3, 0.95))
    ax.add_collection(
        LineCollection(
            list(segments),
            colors=np.where(w >= 0, POSITIVE_COLOR, NEGATIVE_COLOR).tolist(),
            linewidths=per_unit * np.abs(w),
            alpha=alpha,
            capstyle="round",
            zorder=1,
            gid=gid,
        )
    )


# -- activation_gallery ------------------------------------------------------------
def _curves(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """An activation and its derivative over ``z``, and a panel title."""
    act = activations.get(name)
    params = ", ".join(f"{k}={v:g}" for k, v in act.get_config().items() if k != "name")
    label = f"{name} ({params})" if params else name
    if name == "softmax":
        # Not elementwise: its 2-class form, softmax([z, 0]) for class 0, which
        # is sigmoid(z); the derivative is the Jacobian's diagonal d s0 / d z0.
        Z = np.column_stack([z, np.zeros_like(z)])
        A = act.forward(Z)
        return A[:, 0], act.derivative(Z, A)[:, 0], "softmax (2-class form)"
    Z = z[:, None]
    A = act.forward(Z.copy())
    return A[:, 0], act.derivative(Z, A)[:, 0], label


def _z_range(z: Any) -> np.ndarray:
    """801 points from ``z = (low, high)``, and 0 exactly when inside."""
    try:
        lo, hi = (float(v) for v in z)
    except (TypeError, ValueError):
        raise TypeError(
            f"z must be a pair of numbers (low, high); received z={z!r}"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"z must be finite with low < high; received z={z!r}")
    zs = np.linspace(lo, hi, 801)
    if lo < 0 < hi:  # z = 0 exactly, where most derivatives peak or jump
        zs = np.union1d(zs, [0.0])
    return zs


@dataclass(eq=False)
class ActivationGalleryDisplay:
    """Activation functions and their derivatives over a range of inputs.

    The curves of :func:`activation_gallery`, evaluated by
    :meth:`from_names` and drawn by :meth:`plot`.

    Attributes
    ----------
    z : ndarray of shape (n_points,)
        The inputs: 801 points over the range, and 0 when inside it.
    names : list of str
        The activations, in order.
    titles : list of str
        A title per activation, with its parameters (e.g.
        ``"leaky_relu (alpha=0.01)"``).
    values, derivatives : ndarray of shape (n_activations, n_points)
        Each activation and its derivative at ``z`` (softmax in its 2-class
        form, with the diagonal of its Jacobian).

    Examples
    --------
    >>> from mlplab.plots import ActivationGalleryDisplay
    >>> d = ActivationGalleryDisplay.from_names(["sigmoid", "relu"], z=(-1, 2))
    >>> d.z.shape, d.values.shape, d.titles
    ((802,), (2, 802), ['sigmoid', 'relu'])
    >>> float(d.derivatives[0].max()), float(d.values[1].max())
    (0.25, 2.0)
    >>> [ax.get_title() for ax in d.plot().axes]
    ['sigmoid', 'relu']
    """

    z: np.ndarray
    names: list[str]
    titles: list[str]
    values: np.ndarray
    derivatives: np.ndarray

    @classmethod
    def from_names(
        cls,
        names: Sequence[str] | str | None = None,
        *,
        z: tuple[float, float] = (-4, 4),
    ) -> ActivationGalleryDisplay:
        """Evaluate the activations; parameters as for :func:`activation_gallery`."""
        valid = activations.names()
        chosen = (
            valid
            if names is None
            else [names]
            if isinstance(names, str)
            else list(names)
        )
        unknown = [n for n in chosen if n not in valid]
        if unknown or not chosen:
            raise ValueError(
                f"names must be activation names among {valid}; received "
                f"names={names!r}"
            )
        zs = _z_range(z)
        curves = [_curves(name, zs) for name in chosen]
        return cls(
            z=zs,
            names=list(chosen),
            titles=[title for _, _, title in curves],
            values=np.array([A for A, _, _ in curves]),
            derivatives=np.array([dA for _, dA, _ in curves]),
        )

    def plot(self, ax: Axes | None = None) -> Figure:
        """Draw a panel per activation in a new figure, or every curve into
        ``ax`` (a colour per activation); return the figure."""
        if ax is not None:
            fig = figure_of(ax)
            _zero_lines(ax)
            colors = class_colors(len(self.names))
            for i, (name, color) in enumerate(zip(self.names, colors, strict=True)):
                ax.plot(self.z, self.values[i], color=color, label=self.titles[i])
                ax.plot(
                    self.z,
                    self.derivatives[i],
                    color=color,
                    linestyle="--",
                    label=f"derivative of {name}",
                )
            ax.set_xlabel("z")
            ax.legend(fontsize="x-small", ncols=2 if len(self.names) > 3 else 1)
            return fig
        return self._plot_panels()

    def _plot_panels(self) -> Figure:
        n = len(self.names)
        ncols = min(4, n)
        nrows = math.ceil(n / ncols)
        fig = new_figure(2.7 * ncols + 0.4, 2.4 * nrows + 0.6)
        grid = fig.subplots(nrows, ncols, squeeze=False)
        for extra in grid.ravel()[n:]:
            extra.remove()
        solid, dashed = class_colors(2)
        for i, panel in enumerate(grid.ravel()[:n]):
            _zero_lines(panel)
            panel.plot(self.z, self.values[i], color=solid, linewidth=2, label="f(z)")
            panel.plot(
                self.z,
                self.derivatives[i],
                color=dashed,
                linewidth=2,
                linestyle="--",
                label="f′(z)",
            )
            panel.set_title(self.titles[i], fontsize="medium")
            panel.set_xlabel("z", fontsize="small")
            panel.tick_params(labelsize="small")
            panel.legend(loc="upper left", fontsize="x-small")
        if "softmax" in self.names:
            fig.supxlabel(
                "softmax is not elementwise: drawn in its 2-class form "
                "softmax([z, 0])[0] = sigmoid(z), with the diagonal of its Jacobian",
                fontsize="small",
            )
        return fig


def activation_gallery(
    *,
    names: Sequence[str] | str | None = None,
    z: tuple[float, float] = (-4, 4),
    ax: Axes | None = None,
) -> Figure:
    """Draw activation functions (solid) with their derivatives (dashed).

    Parameters
    ----------
    names : list of str, optional
        Activations to draw, among :func:`mlplab.activations.names`; default
        all of them. Each is drawn with its default parameters.
    z : (float, float), default (-4, 4)
        The range of inputs.
    ax : matplotlib Axes, optional
        Draw every curve into this one axes, a colour per activation; default:
        a new figure with one panel per activation.

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    ActivationGalleryDisplay : the curves' values, computed.

    Notes
    -----
    Softmax is not elementwise: it is drawn in its 2-class form,
    ``softmax([z, 0])[0]`` (which equals ``sigmoid(z)``), with the diagonal of
    its Jacobian as the derivative; the figure says so in a footnote.

    Examples
    --------
    >>> from mlplab import plots
    >>> fig = plots.activation_gallery(names=["sigmoid", "tanh"])
    >>> [ax.get_title() for ax in fig.axes]
    ['sigmoid', 'tanh']
    >>> derivative = fig.axes[0].get_lines()[-1]
    >>> round(float(max(derivative.get_ydata())), 4)
    0.25
    """
    return ActivationGalleryDisplay.from_names(names, z=z).plot(ax)


def _zero_lines(ax: Axes) -> None:
    ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.6", linewidth=0.8, zorder=0)


# -- confusion_matrix --------------------------------------------------------------
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
