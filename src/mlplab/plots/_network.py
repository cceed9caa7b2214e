"""The network diagram: a model's layers as columns of nodes, each weight an
edge coloured by its sign and as wide as its size.

Positive weights are orange and negative ones blue: a pair that stays
distinct with every common colour-vision deficiency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validation import check_positive
from ..features import Features
from ..layers import Activation, Dense, Dropout, Rescaling
from ._common import figure_of, new_figure
from ._models import check_dense_model

__all__ = ["NetworkDiagramDisplay", "network_diagram"]

POSITIVE_COLOR = "#E69F00"  # Okabe-Ito orange
NEGATIVE_COLOR = "#0072B2"  # Okabe-Ito blue
_LABEL_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}


# -- the model's layers, as columns of nodes -----------------------------------
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
        check_dense_model(model, "network_diagram")
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
