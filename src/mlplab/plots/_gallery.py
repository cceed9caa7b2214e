"""The activation gallery: each activation function beside its derivative."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import activations
from ._common import class_colors, figure_of, new_figure

__all__ = ["ActivationGalleryDisplay", "activation_gallery"]


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
