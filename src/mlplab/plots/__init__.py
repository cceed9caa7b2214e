"""Plots of models and training runs, on matplotlib.

Every function returns a :class:`matplotlib.figure.Figure`. Without ``ax`` it
makes a new figure, independent of ``pyplot`` (no GUI backend is chosen, no
figure is left open): save it with :func:`save`, or let a notebook show it.
With ``ax=`` (e.g. from ``plt.subplots()``) it draws into that axes and
returns its figure.

Each plot is computed, then drawn: ``plots.decision_boundary(model, X, y)``
is ``BoundaryDisplay.from_model(model, X, y).plot()``. A ``...Display``
holds the computed numbers (grids, outputs, positions, values, labels) as
NumPy arrays and Python values, for a web page or a report as much as for
matplotlib.

>>> import numpy as np
>>> from mlplab import plots
>>> fig = plots.learning_curves({"loss": [0.69, 0.4, 0.2], "accuracy": [0.5, 0.8, 0.9]})
>>> len(fig.axes)
2
"""

from ._boundary import BoundaryDisplay, SweepGridDisplay, decision_boundary, sweep_grid
from ._common import save
from ._confusion import ConfusionMatrixDisplay, confusion_matrix
from ._curves import (
    LearningCurvesDisplay,
    LossCurvesDisplay,
    learning_curves,
    loss_curves,
)
from ._gallery import ActivationGalleryDisplay, activation_gallery
from ._graph import GraphDisplay, computation_graph
from ._network import NetworkDiagramDisplay, network_diagram
from ._neurons import NeuronMapsDisplay, neuron_maps
from ._surface import LossSurfaceDisplay, loss_surface
from ._training import (
    Snapshots,
    TrainingAnimationDisplay,
    TrainingFrameDisplay,
    animate_training,
    write_animation,
)

__all__ = [
    "ActivationGalleryDisplay",
    "BoundaryDisplay",
    "ConfusionMatrixDisplay",
    "GraphDisplay",
    "LearningCurvesDisplay",
    "LossCurvesDisplay",
    "LossSurfaceDisplay",
    "NetworkDiagramDisplay",
    "NeuronMapsDisplay",
    "Snapshots",
    "SweepGridDisplay",
    "TrainingAnimationDisplay",
    "TrainingFrameDisplay",
    "activation_gallery",
    "animate_training",
    "computation_graph",
    "confusion_matrix",
    "decision_boundary",
    "learning_curves",
    "loss_curves",
    "loss_surface",
    "network_diagram",
    "neuron_maps",
    "save",
    "sweep_grid",
    "write_animation",
]
