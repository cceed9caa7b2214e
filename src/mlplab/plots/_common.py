"""What every plot shares: new figures, colours and saving.

Figures are made with :class:`matplotlib.figure.Figure` and an Agg canvas,
never through ``pyplot``: plotting picks no GUI backend, leaks no figures and
works the same in a script, a test and a notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validation import check_positive

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


def plane_points(
    X: Any, name: str, wrong_shape: Callable[[tuple[int, ...]], str]
) -> np.ndarray:
    """``X`` as an (n_samples, 2) float array of finite values.

    A TypeError when ``X`` is not numbers; a ValueError when it is empty,
    not finite, or of another shape (the message ``wrong_shape(shape)``,
    which says why the plot needs two inputs).
    """
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers; {err}") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(wrong_shape(arr.shape))
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def plane_grid(
    points: np.ndarray, resolution: int, margin: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float, float, float]]:
    """A regular grid over ``points`` (n, 2) plus ``margin`` on every side.

    Returns ``x1`` and ``x2`` (each (resolution,)), the grid points
    (resolution**2, 2) row by row (``x1`` varies fastest, rows run along
    ``x2``) and the extent (x1 min, x1 max, x2 min, x2 max).
    """
    lo = points.min(axis=0) - margin
    hi = points.max(axis=0) + margin
    flat = hi - lo < 1e-12  # all points on a line and no margin
    lo[flat] -= 0.5
    hi[flat] += 0.5
    x1 = np.linspace(lo[0], hi[0], resolution)
    x2 = np.linspace(lo[1], hi[1], resolution)
    G1, G2 = np.meshgrid(x1, x2)  # (resolution, resolution), rows along x2
    extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
    return x1, x2, np.column_stack([G1.ravel(), G2.ravel()]), extent


def marker_handle(marker: str, size: float, label: str, **style: Any) -> Line2D:
    """A legend handle of one marker (no line), styled by ``Line2D`` keywords."""
    return Line2D(
        [], [], linestyle="", marker=marker, markersize=size, label=label, **style
    )


# -- input checks for pictures on a 2-D input plane ---------------------------
def boundary_plane(X: Any, name: str) -> np.ndarray:
    """``X`` as an (n_samples, 2) float array, or a ValueError that says why not."""
    return plane_points(
        X,
        name,
        lambda shape: (
            f"a decision boundary is drawn on a 2-D input plane, so {name} must "
            f"have shape (n_samples, 2); received {name} with shape {shape}. For a "
            "model of more inputs, pass a function that fills in the others, e.g. "
            "lambda P: model.predict(np.column_stack([P, np.zeros(len(P))]))"
        ),
    )


def plot_targets(y: Any, n: int, name: str, task: str) -> np.ndarray:
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


def check_resolution(resolution: Any) -> int:
    """A grid resolution: an integer >= 2."""
    n = int(check_positive("resolution", resolution, integer=True))
    if n < 2:
        raise ValueError(f"resolution must be at least 2; received resolution={n}")
    return n


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
