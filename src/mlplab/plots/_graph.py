"""The computation graph of one small network, each node with its value and
its gradient, drawn with matplotlib (no Graphviz binary needed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..explain import Step, trace
from ..layers import Dense
from ..model import Sequential
from ._common import figure_of, new_figure
from ._models import compiled_copy

__all__ = ["GraphDisplay", "computation_graph"]

_NODE = {"boxstyle": "round,pad=0.35", "linewidth": 1.0}
_COLORS = {"input": "#e8e8e8", "z": "#cfe3f3", "a": "#fbe3c2", "loss": "#f3c6c6"}
_POS, _NEG = "#E69F00", "#0072B2"  # Okabe-Ito orange / blue: weight sign
_EDGE_LABEL_BOX = {
    "boxstyle": "round,pad=0.15",
    "fc": "white",
    "ec": "none",
    "alpha": 0.85,
}

Point = tuple[float, float]


def _fmt(x: float) -> str:
    return f"{x:.3g}" if np.isfinite(x) else str(x)


@dataclass(eq=False)
class GraphDisplay:
    """One training step of a small network as a graph, computed.

    What :func:`computation_graph` draws: make it with :meth:`from_model`,
    draw it with :meth:`plot`. Columns run left to right: the inputs, then
    ``z`` and ``a`` of each Dense layer, then the loss; column ``c`` is at
    ``x = c``.

    Attributes
    ----------
    nodes : list of list of (str, str)
        Per column, each node's text (name, value, gradient) and kind:
        ``"input"``, ``"z"``, ``"a"`` or ``"loss"``.
    positions : list of list of (float, float)
        Per column, the centre of each node.
    headers : list of str
        A heading per column.
    cut : list of bool
        Per column, whether units were left out (more than ``max_units``).
    weights, weight_grads : list of ndarray of shape (n_in_drawn, n_out_drawn)
        Per Dense layer, the weights of the drawn edges and the gradient of
        the loss with respect to them (summed over the batch).
    labelled : bool
        Whether the edges are few enough to write ``w`` and ``∂L/∂w`` on.
    note : str
        Which example the node values are of.

    Examples
    --------
    >>> import mlplab as ml
    >>> from mlplab.plots import GraphDisplay
    >>> m = ml.Sequential([ml.Dense(3, activation="tanh"),
    ...                    ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> m.compile("binary_crossentropy", "sgd")
    >>> d = GraphDisplay.from_model(m, [[1.0, 0.5], [0.0, 1.0]], [1, 0])
    >>> [len(c) for c in d.nodes], [w.shape for w in d.weights]
    ([2, 3, 3, 1, 1, 1], [(2, 3), (3, 1)])
    >>> d.headers[1:3], d.positions[0], d.nodes[-1][0][0]
    (['layer 1: linear', 'layer 1: tanh'], [(0.0, 2.0), (0.0, 0.0)], 'L = ...')
    >>> len(d.plot().axes)
    1
    """

    nodes: list[list[tuple[str, str]]]
    positions: list[list[Point]]
    headers: list[str]
    cut: list[bool]
    weights: list[np.ndarray]
    weight_grads: list[np.ndarray]
    labelled: bool
    note: str

    @classmethod
    def from_model(
        cls, model: Sequential, X: Any, y: Any, *, example: int = 0, max_units: int = 8
    ) -> GraphDisplay:
        """Record one step of ``model`` on a copy; parameters as for
        :func:`computation_graph`."""
        copy, step, n, dense = _step(model, X, y, example)
        loss_name = model.loss.name if model.loss is not None else "loss"
        nodes, cut = _nodes(copy, step, dense, example, max_units)
        nodes.append([(f"L = {_fmt(step.loss_before)}\n{loss_name}", "loss")])
        cut.append(False)
        headers = ["inputs"]
        for k, (layer, _) in enumerate(dense, 1):
            headers += [f"layer {k}: linear", f"layer {k}: {layer.activation.name}"]
        headers.append("loss")
        shown = [len(column) for column in nodes]
        return cls(
            nodes=nodes,
            positions=_positions(shown),
            headers=headers,
            cut=cut,
            weights=[
                rec["W"][: shown[2 * k], : shown[2 * k + 1]]
                for k, (_, rec) in enumerate(dense)
            ],
            weight_grads=[
                rec["dW"][: shown[2 * k], : shown[2 * k + 1]]
                for k, (_, rec) in enumerate(dense)
            ],
            labelled=all(
                min(layer.units, max_units) * min(rec["W"].shape[0], max_units) <= 12
                for layer, rec in dense
            ),
            note=(
                f"values of example {example + 1} of {n}; edge ∂ = ∂L/∂w over the batch"
                if n > 1
                else "edge ∂ = ∂L/∂w"
            ),
        )

    @property
    def tallest(self) -> int:
        """Nodes in the tallest column."""
        return max(len(column) for column in self.nodes)

    def plot(self, ax: Axes | None = None, *, title: str | None = None) -> Figure:
        """Draw the graph (a new figure without ``ax``); return the figure."""
        tallest = self.tallest
        if ax is None:
            fig = new_figure(2.1 * len(self.nodes) + 0.6, 1.25 * tallest + 1.4)
            ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_xlim(-0.6, len(self.nodes) - 0.4)
        ax.set_ylim(-0.9, tallest - 0.1)
        self._draw_edges(ax)  # first, under the boxes
        self._draw_nodes(ax)
        ax.text(
            0.5,
            -0.02,
            self.note + "; orange: w ≥ 0, blue: w < 0",
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=7.5,
            color="0.3",
        )
        if title:
            ax.set_title(title)
        return figure_of(ax)

    def _draw_edges(self, ax: Axes) -> None:
        pos = self.positions
        for k, (W, dW) in enumerate(zip(self.weights, self.weight_grads, strict=True)):
            src, dst = 2 * k, 2 * k + 1  # the column feeding this z column
            for i, p0 in enumerate(pos[src]):
                for j, p1 in enumerate(pos[dst]):
                    w = float(W[i, j])
                    _arrow(ax, p0, p1, _POS if w >= 0 else _NEG, 28, 34, alpha=0.8)
                    if self.labelled:
                        _edge_label(
                            ax, p0, p1, f"w={_fmt(w)}\n∂={_fmt(float(dW[i, j]))}"
                        )
            for p0, p1 in zip(pos[dst], pos[dst + 1], strict=True):  # z -> a
                _arrow(ax, p0, p1, "0.3", 34, 34)
        for p0 in pos[-2]:  # outputs -> loss
            _arrow(ax, p0, pos[-1][0], "0.3", 34, 30)

    def _draw_nodes(self, ax: Axes) -> None:
        for c, column in enumerate(self.nodes):
            for (text, kind), (x, y) in zip(column, self.positions[c], strict=True):
                ax.text(
                    x,
                    y,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    bbox={**_NODE, "fc": _COLORS[kind], "ec": "0.35"},
                )
            if self.cut[c]:
                ax.text(c, -0.7, "⋮ more units", ha="center", fontsize=7, color="0.4")
        for c, head in enumerate(self.headers):
            ax.text(
                c,
                self.tallest - 0.25,
                head,
                ha="center",
                va="bottom",
                fontsize=8.5,
                fontweight="bold",
            )


def _step(
    model: Sequential, X: Any, y: Any, example: int
) -> tuple[Sequential, Step, int, list[tuple[Dense, dict[str, np.ndarray]]]]:
    """One step traced on a copy of ``model``: the copy, the step, the batch
    size, and each Dense layer of the copy with its record."""
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a Sequential; received {type(model).__name__}")
    model.require_compiled("computation_graph")
    Xa = model.check_inputs(X)  # builds a model that is not built yet
    copy = compiled_copy(model)
    n = Xa.shape[0]
    if (
        isinstance(example, bool)
        or not isinstance(example, int)
        or not 0 <= example < n
    ):
        raise ValueError(
            f"example must be a row of X, 0..{n - 1}; received example={example!r}"
        )
    step = trace(copy, Xa, y).steps[0]
    dense = [
        (layer, rec)
        for layer, rec in zip(copy.layers, step.layers, strict=True)
        if isinstance(layer, Dense)
    ]
    if not dense:
        raise ValueError("computation_graph needs at least one Dense layer")
    return copy, step, n, dense


def _nodes(
    copy: Sequential,
    step: Step,
    dense: list[tuple[Dense, dict[str, np.ndarray]]],
    e: int,
    max_units: int,
) -> tuple[list[list[tuple[str, str]]], list[bool]]:
    """The nodes' (text, kind) column by column, and whether each column is cut:
    the first Dense layer's inputs, then z and a of each layer."""
    first = dense[0][1]["X"]
    names = [f"x{j + 1}" for j in range(first.shape[1])]
    layer0 = copy.layers[0]
    if layer0 is not dense[0][0] and hasattr(layer0, "features"):
        names = list(layer0.features)
    columns = [
        [
            (f"{names[j]} = {_fmt(first[e, j])}", "input")
            for j in range(min(first.shape[1], max_units))
        ]
    ]
    cut = [first.shape[1] > max_units]
    for k, (layer, rec) in enumerate(dense, 1):
        act = layer.activation.name
        zs, as_ = [], []
        for u in range(min(layer.units, max_units)):
            bias = f" + b{u + 1}" if layer.use_bias else ""
            z = f"z{k}.{u + 1} = Σ w·in{bias}\n= {_fmt(rec['Z'][e, u])}\n"
            a = f"a{k}.{u + 1} = {act}(z)\n= {_fmt(rec['A'][e, u])}\n"
            zs.append((z + f"∂L/∂z = {_fmt(rec['dZ'][e, u])}", "z"))
            as_.append((a + f"∂L/∂a = {_fmt(rec['dA'][e, u])}", "a"))
        columns += [zs, as_]
        cut += [layer.units > max_units] * 2
    return columns, cut


def _positions(shown: list[int]) -> list[list[Point]]:
    """Node centres: column c at x = c, each column spread over the height of
    the tallest, from the top."""
    tallest = max(shown)
    pos: list[list[Point]] = []
    for c, m in enumerate(shown):
        ys = np.linspace(0, tallest - 1, m) if m > 1 else [(tallest - 1) / 2]
        pos.append([(float(c), float(tallest - 1 - yv)) for yv in ys])
    return pos


def _arrow(
    ax: Axes,
    p0: Point,
    p1: Point,
    color: str,
    shrink_a: float,
    shrink_b: float,
    **style: Any,
) -> None:
    """An arrow from ``p0`` to ``p1``, its ends ``shrink_a``/``shrink_b``
    points short of the centres (outside the boxes)."""
    ax.annotate(
        "",
        xy=p1,
        xytext=p0,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": 0.8,
            "shrinkA": shrink_a,
            "shrinkB": shrink_b,
            **style,
        },
    )


def _edge_label(ax: Axes, p0: Point, p1: Point, text: str) -> None:
    """``text`` on the edge ``p0 -> p1``, nearer the source, where its edges fan out."""
    t = 0.4
    mx, my = p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1])
    ax.text(
        mx,
        my,
        text,
        fontsize=6.5,
        ha="center",
        va="center",
        bbox=_EDGE_LABEL_BOX,
    )


def computation_graph(
    model: Sequential,
    X: Any,
    y: Any,
    *,
    example: int = 0,
    ax: Any = None,
    title: str | None = None,
    max_units: int = 8,
) -> Figure:
    """Draw the computation graph of one training step: inputs, weighted sums
    ``z``, activations ``a`` and the loss, each node with its value and the
    gradient of the loss with respect to it; each edge with its weight ``w``
    and the weight's gradient ``∂L/∂w``.

    The step is recorded on a copy (``mlplab.explain.trace``): the model is
    not changed. For a batch, nodes show the values of example ``example``
    (their gradients include the ``1/n`` of the mean loss), edges the weights'
    gradients summed over the batch, as the update uses them.

    Parameters
    ----------
    model : Sequential
        A compiled model; made for small networks (at most ``max_units`` units
        per layer are drawn).
    X, y : a batch, as for ``fit``
    example : int, default 0
        The example whose node values are shown.
    ax : matplotlib Axes, optional
    title : str, optional
    max_units : int, default 8

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    GraphDisplay : the nodes, their positions and the weights, computed.

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab import plots
    >>> m = ml.Sequential([ml.Dense(2, activation="tanh"),
    ...                    ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> m.compile("binary_crossentropy", "sgd")
    >>> fig = plots.computation_graph(m, [[1.0, 0.5]], [1])
    >>> sum(t.get_text().startswith("L =") for t in fig.axes[0].texts)
    1
    """
    display = GraphDisplay.from_model(model, X, y, example=example, max_units=max_units)
    return display.plot(ax, title=title)
