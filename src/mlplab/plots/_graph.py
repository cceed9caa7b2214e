"""The computation graph of one small network, each node with its value and
its gradient, drawn with matplotlib (no Graphviz binary needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..layers import Dense
from ..model import Sequential
from ._common import figure_of, new_figure

__all__ = ["computation_graph"]

_NODE = {"boxstyle": "round,pad=0.35", "linewidth": 1.0}
_COLORS = {"input": "#e8e8e8", "z": "#cfe3f3", "a": "#fbe3c2", "loss": "#f3c6c6"}
_POS, _NEG = "#E69F00", "#0072B2"  # Okabe-Ito orange / blue: weight sign


def _fmt(x: float) -> str:
    return f"{x:.3g}" if np.isfinite(x) else str(x)


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
    from ..explain import trace

    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a Sequential; received {type(model).__name__}")
    model.require_compiled("computation_graph")
    copy = Sequential.from_config(model.get_config())
    copy.compile(loss=model.loss, optimizer="sgd")
    Xa = model.check_inputs(X)
    copy.set_weights(model.get_weights())
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
    e = example

    # Columns: the first Dense layer's inputs, then z and a of each layer, then L.
    first = dense[0][1]["X"]
    names = [f"x{j + 1}" for j in range(first.shape[1])]
    if copy.layers[0] is not dense[0][0] and hasattr(copy.layers[0], "features"):
        names = list(copy.layers[0].features)
    columns: list[list[tuple[str, str]]] = []  # (text, kind) per node
    cut: list[bool] = []
    inputs = [
        (f"{names[j]} = {_fmt(first[e, j])}", "input")
        for j in range(min(first.shape[1], max_units))
    ]
    columns.append(inputs)
    cut.append(first.shape[1] > max_units)
    for k, (layer, rec) in enumerate(dense, 1):
        units = min(layer.units, max_units)
        act = layer.activation.name
        zs, as_ = [], []
        for u in range(units):
            bias = f" + b{u + 1}" if layer.use_bias else ""
            zs.append(
                (
                    f"z{k}.{u + 1} = Σ w·in{bias}\n= {_fmt(rec['Z'][e, u])}\n"
                    f"∂L/∂z = {_fmt(rec['dZ'][e, u])}",
                    "z",
                )
            )
            as_.append(
                (
                    f"a{k}.{u + 1} = {act}(z)\n= {_fmt(rec['A'][e, u])}\n"
                    f"∂L/∂a = {_fmt(rec['dA'][e, u])}",
                    "a",
                )
            )
        columns += [zs, as_]
        cut += [layer.units > max_units] * 2
    loss_name = model.loss.name if model.loss is not None else "loss"
    columns.append([(f"L = {_fmt(step.loss_before)}\n{loss_name}", "loss")])
    cut.append(False)

    tallest = max(len(c) for c in columns)
    if ax is None:
        fig = new_figure(2.1 * len(columns) + 0.6, 1.25 * tallest + 1.4)
        ax = fig.add_subplot()
    ax.set_axis_off()
    xs = np.arange(len(columns), dtype=float)
    pos: list[list[tuple[float, float]]] = []
    for c, col in enumerate(columns):
        ys = (
            np.linspace(0, tallest - 1, len(col))
            if len(col) > 1
            else [(tallest - 1) / 2]
        )
        pos.append([(xs[c], float(tallest - 1 - yv)) for yv in ys])
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-0.9, tallest - 0.1)

    # Edges first (under the boxes).
    labelled = all(
        min(layer.units, max_units) * min(rec["W"].shape[0], max_units) <= 12
        for layer, rec in dense
    )
    for k, (_layer, rec) in enumerate(dense):
        src, dst = 2 * k, 2 * k + 1  # the column feeding this z column
        W, dW = rec["W"], rec["dW"]
        for i, p0 in enumerate(pos[src]):
            for j, p1 in enumerate(pos[dst]):
                w = float(W[i, j])
                ax.annotate(
                    "",
                    xy=p1,
                    xytext=p0,
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": _POS if w >= 0 else _NEG,
                        "lw": 0.8,
                        "shrinkA": 28,
                        "shrinkB": 34,
                        "alpha": 0.8,
                    },
                )
                if labelled:
                    t = 0.4  # nearer the source, where its edges fan out
                    mx, my = p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1])
                    ax.text(
                        mx,
                        my,
                        f"w={_fmt(w)}\n∂={_fmt(float(dW[i, j]))}",
                        fontsize=6.5,
                        ha="center",
                        va="center",
                        bbox={
                            "boxstyle": "round,pad=0.15",
                            "fc": "white",
                            "ec": "none",
                            "alpha": 0.85,
                        },
                    )
        for p0, p1 in zip(pos[dst], pos[dst + 1], strict=True):  # z -> a
            ax.annotate(
                "",
                xy=p1,
                xytext=p0,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "0.3",
                    "lw": 0.8,
                    "shrinkA": 34,
                    "shrinkB": 34,
                },
            )
    for p0 in pos[-2]:  # outputs -> loss
        ax.annotate(
            "",
            xy=pos[-1][0],
            xytext=p0,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.3",
                "lw": 0.8,
                "shrinkA": 34,
                "shrinkB": 30,
            },
        )

    for c, col in enumerate(columns):
        for (text, kind), (x, y_) in zip(col, pos[c], strict=True):
            ax.text(
                x,
                y_,
                text,
                ha="center",
                va="center",
                fontsize=7.5,
                bbox={**_NODE, "fc": _COLORS[kind], "ec": "0.35"},
            )
        if cut[c]:
            ax.text(xs[c], -0.7, "⋮ more units", ha="center", fontsize=7, color="0.4")
    heads = ["inputs"]
    for k, (layer, _) in enumerate(dense, 1):
        heads += [f"layer {k}: linear", f"layer {k}: {layer.activation.name}"]
    heads.append("loss")
    for x, head in zip(xs, heads, strict=True):
        ax.text(
            x,
            tallest - 0.25,
            head,
            ha="center",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
        )
    note = (
        f"values of example {e + 1} of {n}; edge ∂ = ∂L/∂w over the batch"
        if n > 1
        else "edge ∂ = ∂L/∂w"
    )
    ax.text(
        0.5,
        -0.02,
        note + "; orange: w ≥ 0, blue: w < 0",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=7.5,
        color="0.3",
    )
    if title:
        ax.set_title(title)
    return figure_of(ax)
