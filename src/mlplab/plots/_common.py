"""What every plot shares: new figures, colours and saving.

Figures are made with :class:`matplotlib.figure.Figure` and an Agg canvas,
never through ``pyplot``: plotting picks no GUI backend, leaks no figures and
works the same in a script, a test and a notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, to_rgb
from matplotlib.figure import Figure

__all__ = ["save"]

# Okabe & Ito's palette, readable with every common colour-vision deficiency
# (black, their eighth colour, is left out: edges and markers use it).
CLASS_COLORS = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)

# P(class 1) from 0 to 1: class 0's blue through white to class 1's orange,
# lightened so that points in the class colours stay visible on top of it.
PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "mlplab_blue_orange",
    [
        (0.0, "#3a8fc7"),
        (0.5, "#f7f7f7"),
        (1.0, "#f0bf55"),
    ],
)
REGRESSION_CMAP = colormaps["viridis"]
NEUTRAL_COLOR = "#ffffff"  # points without labels
MISCLASSIFIED_COLOR = "#000000"


def class_colors(n_classes: int) -> list[str | tuple[float, ...]]:
    """``n_classes`` distinct colours: Okabe-Ito up to 7, ``tab20`` beyond."""
    if n_classes <= len(CLASS_COLORS):
        return list(CLASS_COLORS[:n_classes])
    tab20 = colormaps["tab20"]
    return [tuple(tab20(i % 20)) for i in range(n_classes)]


def lighten(color: Any, amount: float) -> tuple[float, float, float]:
    """Mix ``color`` with white: ``amount=0`` keeps it, ``1`` gives white."""
    rgb = np.asarray(to_rgb(color))
    r, g, b = rgb + (1.0 - rgb) * amount
    return (float(r), float(g), float(b))


def region_cmap(n_classes: int) -> ListedColormap:
    """Light versions of the class colours, for regions of predicted class."""
    return ListedColormap(
        [lighten(c, 0.55) for c in class_colors(n_classes)], name="mlplab_regions"
    )


def new_figure(width: float, height: float) -> Figure:
    """A figure with constrained layout (nothing clipped) and an Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def figure_of(ax: Axes) -> Figure:
    """The top-level figure an axes belongs to (also from inside a subfigure)."""
    fig: Any = ax.figure
    while not isinstance(fig, Figure):  # a SubFigure: its .figure is the root
        fig = fig.figure
    return fig


def save(fig: Figure, path: str | Path, dpi: float = 120) -> Path:
    """Write ``fig`` to ``path``, creating the parent folders.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        The format follows the extension (``.png``, ``.svg``, ``.pdf``, ...);
        a path without one gets ``.png``.
    dpi : float, default 120
        Resolution of raster formats, in dots per inch.

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mlplab import plots
    >>> fig = plots.loss_curves({"run": [1.0, 0.5, 0.25]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plots.save(fig, pathlib.Path(tmp) / "figs" / "loss")
    ...     (out.name, out.stat().st_size > 0)
    ('loss.png', True)
    """
    if not isinstance(fig, Figure):
        raise TypeError(
            f"save takes a matplotlib Figure; received {fig!r} of type "
            f"{type(fig).__name__}"
        )
    out = Path(path)
    if not out.suffix:
        out = out.with_suffix(".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    return out
