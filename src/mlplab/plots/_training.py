"""A model learning, frame by frame: its decision boundary and loss curve at
each snapshot of its weights, written as a GIF.

- :class:`Snapshots` records the weights during ``fit``;
- :class:`TrainingFrameDisplay` computes one frame from a model as it is:
  its decision boundary and the losses so far (the numbers a page showing
  training live asks for after each epoch);
- :class:`TrainingAnimationDisplay` computes the frames of a recorded run
  and writes them as a GIF, as :func:`write_animation` does;
- :func:`animate_training` trains a model and writes that GIF.

The frames are computed on a copy of the model: only training changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .._validation import check_int, check_positive
from ..callbacks import Callback
from ..model import Sequential
from ._boundary import BoundaryDisplay
from ._common import CLASS_COLORS, boundary_plane, check_resolution, new_figure
from ._models import check_compiled, compiled_copy

__all__ = [
    "Snapshots",
    "TrainingAnimationDisplay",
    "TrainingFrameDisplay",
    "animate_training",
    "write_animation",
]

_CURVE_COLOR = CLASS_COLORS[0]
_TEST_COLOR = CLASS_COLORS[1]
_FRAME_SIZE = (10.5, 4.4)  # inches


# -- recording -----------------------------------------------------------------
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


# -- one frame -----------------------------------------------------------------
def _limits(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.05 * (hi - lo) if hi > lo else max(0.05 * abs(hi), 0.05)
    return lo - pad, hi + pad


def _test_loss(model: Sequential, X_test: Any, y_test: Any) -> float | None:
    """The model's loss on the test points; None without them."""
    if X_test is None or y_test is None:
        return None
    Xt = boundary_plane(X_test, "X_test")
    Xv = model.check_inputs(Xt, "X_test")
    Yv = model.encode_targets(y_test, Xt.shape[0])
    return model.evaluate_arrays(Xv, Yv)["loss"]


@dataclass(eq=False)
class TrainingFrameDisplay:
    """One frame of a training animation, computed: a model's decision
    boundary after ``epoch`` epochs, and its losses up to then.

    Make it with :meth:`from_model` from a model that holds the weights to
    show (a snapshot's, or a live run's after an epoch); draw it with
    :meth:`plot`.

    Attributes
    ----------
    epoch : int
        Epochs done (0: the initial weights).
    boundary : BoundaryDisplay
        The model's decision boundary, with the training and test points.
    losses : ndarray of shape (epoch,)
        The training loss of epochs 1 to ``epoch``.
    test_epochs : ndarray of int, shape (m,), or None
        The epochs of the frames so far (this one last), at which the test
        loss was taken; None without test data.
    test_losses : ndarray of shape (m,) or None
        The test loss at each of them.

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab.plots import TrainingFrameDisplay
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> y = [0, 1, 1, 1]
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2,
    ...                       seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> test = {"X_test": X[:2], "y_test": y[:2], "resolution": 10}
    >>> first = TrainingFrameDisplay.from_model(model, X, y, **test)
    >>> history = model.fit(X, y, epochs=3)
    >>> frame = TrainingFrameDisplay.from_model(
    ...     model, X, y, losses=history.history["loss"], previous=first, **test)
    >>> frame.epoch, frame.boundary.outputs.shape, frame.losses.shape
    (3, (10, 10, 1), (3,))
    >>> frame.test_epochs.tolist(), frame.plot().get_suptitle()
    ([0, 3], 'epoch 3')
    """

    epoch: int
    boundary: BoundaryDisplay
    losses: np.ndarray
    test_epochs: np.ndarray | None
    test_losses: np.ndarray | None

    @classmethod
    def from_model(
        cls,
        model: Sequential,
        X: Any,
        y: Any = None,
        *,
        losses: Sequence[float] | np.ndarray = (),
        epoch: int | None = None,
        X_test: Any = None,
        y_test: Any = None,
        previous: TrainingFrameDisplay | None = None,
        resolution: int = 60,
    ) -> TrainingFrameDisplay:
        """The frame of ``model`` with the weights it holds now.

        Parameters
        ----------
        model : Sequential
            A compiled model of two inputs, holding the weights to show.
        X, y, X_test, y_test, resolution
            As for :func:`write_animation`.
        losses : sequence of float, default ()
            The training loss per epoch (``history["loss"]``); the frame
            keeps the first ``epoch``.
        epoch : int, optional
            Epochs done; default ``len(losses)``.
        previous : TrainingFrameDisplay, optional
            The frame before this one, whose test losses this one continues.
        """
        model = check_compiled(model, "TrainingFrameDisplay.from_model")
        run = np.asarray(losses, dtype=float)
        done = len(run) if epoch is None else check_int("epoch", epoch, low=0)
        test_loss = _test_loss(model, X_test, y_test)
        boundary = BoundaryDisplay.from_model(
            model, X, y, X_test=X_test, y_test=y_test, resolution=resolution
        )
        if test_loss is None:
            return cls(done, boundary, run[:done], None, None)
        epochs, tested = np.array([done]), np.array([test_loss])
        if previous is not None and previous.test_losses is not None:
            assert previous.test_epochs is not None
            epochs = np.append(previous.test_epochs, done)
            tested = np.append(previous.test_losses, test_loss)
        return cls(done, boundary, run[:done], epochs, tested)

    def plot(
        self,
        fig: Figure | None = None,
        *,
        n_epochs: int | None = None,
        loss_range: tuple[float, float] | None = None,
    ) -> Figure:
        """Draw the decision boundary (left) and the losses (right), titled
        ``"epoch N"``, into ``fig`` (cleared first) or a new figure; return it.

        ``n_epochs`` and ``loss_range`` set the loss axes (an animation keeps
        its whole run's in every frame); by default they fit this frame.
        """
        if fig is None:
            fig = new_figure(*_FRAME_SIZE)
        if n_epochs is None:
            n_epochs = max(self.epoch, 1)
        if loss_range is None:
            tested = () if self.test_losses is None else self.test_losses
            loss_range = _limits(np.concatenate([self.losses, tested]))
        fig.clear()
        left, right = fig.subplots(1, 2, width_ratios=[1.3, 1.0])
        self.boundary.plot(left)
        _legend_below(fig, left)
        self._draw_losses(right, n_epochs, loss_range)
        fig.suptitle(f"epoch {self.epoch}")
        return fig

    def _draw_losses(
        self, ax: Axes, n_epochs: int, loss_range: tuple[float, float]
    ) -> None:
        epoch = self.epoch
        x = np.arange(1, epoch + 1)
        train = "train" if epoch == 0 else f"train ({self.losses[epoch - 1]:.3g})"
        ax.plot(x, self.losses, color=_CURVE_COLOR, linewidth=1.8, label=train)
        if epoch > 0:
            ax.plot([epoch], [self.losses[epoch - 1]], "o", color=_CURVE_COLOR)
        if self.test_losses is not None:
            assert self.test_epochs is not None
            ax.plot(
                self.test_epochs,
                self.test_losses,
                color=_TEST_COLOR,
                linestyle="--",
                marker="^",
                markersize=4,
                label=f"test ({self.test_losses[-1]:.3g})",
            )
        ax.axvline(epoch, color="0.4", linestyle=":", linewidth=1)
        ax.set_xlim(-0.02 * n_epochs, 1.02 * n_epochs)
        ax.set_ylim(*loss_range)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize="small")


def _legend_below(fig: Figure, ax: Axes) -> None:
    """Move the legend of ``ax`` under the figure: inside, "best" would move
    it around from frame to frame."""
    legend = ax.get_legend()
    if legend is None:
        return
    handles: list[Any] = list(legend.legend_handles)
    labels = [t.get_text() for t in legend.texts]
    legend.remove()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=len(labels), fontsize="small"
    )


# -- a recorded run ------------------------------------------------------------
@dataclass(eq=False)
class TrainingAnimationDisplay:
    """The frames of a training run recorded by :class:`Snapshots`, computed.

    :meth:`from_snapshots` computes a :class:`TrainingFrameDisplay` per
    snapshot; :meth:`write` draws them into a GIF (what
    :func:`write_animation` and :func:`animate_training` write), and
    :meth:`plot` draws one of them.

    Attributes
    ----------
    frames : list of TrainingFrameDisplay
        One per snapshot, in order.
    n_epochs : int
        The epochs of the run: the loss axis spans them in every frame.
    loss_range : (float, float)
        The loss axis of every frame: the range of the run's training and
        test losses, padded by 5%.

    Notes
    -----
    Each frame shows the decision boundary of the snapshot (left, see
    :func:`decision_boundary`) and the training loss per epoch up to it
    (right; the axes span the whole run in every frame), titled
    ``"epoch N"``, N the number of epochs done; with test points, their loss
    at each snapshot so far too. Frames are rendered on a figure with an Agg
    canvas and written with matplotlib's
    :class:`~matplotlib.animation.PillowWriter`: no display is needed and
    ``pyplot`` is not used.

    Examples
    --------
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab.plots import Snapshots, TrainingAnimationDisplay
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2,
    ...                       seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> snapshots = Snapshots.every(6, frames=3)
    >>> history = model.fit(X, [0, 1, 1, 1], epochs=6, callbacks=[snapshots])
    >>> d = TrainingAnimationDisplay.from_snapshots(model, snapshots, X,
    ...                                             [0, 1, 1, 1], resolution=10)
    >>> [f.epoch for f in d.frames], d.n_epochs
    ([0, 2, 4, 6], 6)
    >>> d.plot(1).get_suptitle()
    'epoch 2'
    """

    frames: list[TrainingFrameDisplay]
    n_epochs: int
    loss_range: tuple[float, float]

    @classmethod
    def from_snapshots(
        cls,
        model: Sequential,
        snapshots: Snapshots,
        X: Any,
        y: Any,
        *,
        X_test: Any = None,
        y_test: Any = None,
        resolution: int = 60,
    ) -> TrainingAnimationDisplay:
        """Compute a frame per snapshot; parameters as for
        :func:`write_animation`."""
        model = _recorded_run(model, snapshots)
        Xa, Xt = _points(X, X_test)
        resolution = check_resolution(resolution)
        return _animation(model, snapshots, Xa, y, Xt, y_test, resolution)

    def plot(self, frame: int = -1) -> Figure:
        """Draw frame number ``frame`` (default the last) in a new figure."""
        return self.frames[frame].plot(
            n_epochs=self.n_epochs, loss_range=self.loss_range
        )

    def write(
        self, path: str | Path = "train.gif", *, fps: float = 5, dpi: float = 80
    ) -> Path:
        """Draw every frame into a GIF at ``path``; parameters as for
        :func:`write_animation`. Return the path written."""
        out = _gif_path(path)
        fps = check_positive("fps", fps)
        dpi = check_positive("dpi", dpi)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig = new_figure(*_FRAME_SIZE)
        # Typed as int in matplotlib; Pillow only needs 1000 / fps ms per frame.
        writer = PillowWriter(fps=fps)  # type: ignore[arg-type]
        writer.setup(fig, str(out), dpi=dpi)
        layout: list[Any] = []
        for i, frame in enumerate(self.frames):
            if i == 1:
                # The first frame's constrained layout, kept for the others: the
                # panels stay in place, and a frame renders in one pass, not two.
                fig.set_layout_engine(None)
            frame.plot(fig, n_epochs=self.n_epochs, loss_range=self.loss_range)
            if i > 0 and len(fig.axes) == len(layout):
                for ax, position in zip(fig.axes, layout, strict=True):
                    ax.set_position(position)
            writer.grab_frame()
            if i == 0:
                layout = [ax.get_position() for ax in fig.axes]
        writer.finish()
        return out


def _check_before_training(
    model: Sequential, X: np.ndarray, X_test: np.ndarray | None, y_test: Any
) -> None:
    """Build the model if fit has not yet (exactly as fit would), so that the
    test labels can be checked before any training."""
    model.check_inputs(X)
    if X_test is not None and y_test is not None:
        model.encode_targets(y_test, X_test.shape[0], "y_test")


def _recorded_run(model: Any, snapshots: Snapshots) -> Sequential:
    """The trained model, checked, once ``snapshots`` has recorded its run."""
    model = check_compiled(model, "write_animation")
    if not snapshots.taken:
        raise ValueError(
            "the Snapshots callback recorded nothing: pass it to fit() first"
        )
    return model


def _points(X: Any, X_test: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The training and test points as (n, 2) arrays (None without test points)."""
    return boundary_plane(X, "X"), (
        None if X_test is None else boundary_plane(X_test, "X_test")
    )


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


def _gif_options(
    fps: Any, dpi: Any, resolution: Any, path: Any
) -> tuple[float, float, int, Path]:
    """The frame rate, the frames' dpi and grid resolution, and the GIF's path,
    checked in this order."""
    fps = check_positive("fps", fps)
    dpi = check_positive("dpi", dpi)
    return fps, dpi, check_resolution(resolution), _gif_path(path)


def _animation(
    model: Sequential,
    snapshots: Snapshots,
    X: np.ndarray,
    y: Any,
    X_test: np.ndarray | None,
    y_test: Any,
    resolution: int,
) -> TrainingAnimationDisplay:
    """A frame per snapshot, computed on a copy of ``model`` holding its
    weights in turn; the loss axes of the whole run."""
    losses = np.asarray(model.history.history["loss"], dtype=float)
    view = compiled_copy(model)
    frames: list[TrainingFrameDisplay] = []
    for epoch, weights in snapshots.taken:
        view.set_weights(weights)
        frame = TrainingFrameDisplay.from_model(
            view,
            X,
            y,
            losses=losses,
            epoch=epoch,
            X_test=X_test,
            y_test=y_test,
            previous=frames[-1] if frames else None,
            resolution=resolution,
        )
        frames.append(frame)
    tested = frames[-1].test_losses
    shown = losses if tested is None else np.concatenate([losses, tested])
    return TrainingAnimationDisplay(frames, len(losses), _limits(shown))


# -- public --------------------------------------------------------------------
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

    This *is* the training call: ``fit`` runs once, with a callback that only
    copies the weights at each snapshot, so the model ends trained exactly as
    ``fit`` leaves it. The frames are drawn afterwards, from the copies.

    Parameters
    ----------
    model : Sequential
        A compiled model of two inputs.
    X : array of shape (n_samples, 2)
    y : labels or targets, as for ``fit``
    epochs : int
    frames : int, default 20
        The most frames after the first: a snapshot at the epochs
        :func:`snapshot_epochs` gives, one frame each.
    batch_size : int, optional
        Passed to ``fit``: ``None`` is full-batch gradient descent.
    path, X_test, y_test, fps, resolution, dpi
        What to write and how, as for :func:`write_animation`.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        For a bad argument, found before any training.
    DivergenceError
        If training diverges, as from ``fit``; no GIF is written then.

    See Also
    --------
    TrainingAnimationDisplay : the frames, computed, and what each shows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> import mlplab as ml
    >>> from mlplab import plots
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    >>> model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plots.animate_training(model, X, [0, 1, 1, 1], epochs=6,
    ...                                  frames=3, resolution=10, dpi=30,
    ...                                  path=pathlib.Path(tmp) / "or")
    ...     out.name, len(model.history.history["loss"])
    ('or.gif', 6)
    """
    model = check_compiled(model, "animate_training")
    Xa, Xt = _points(X, X_test)
    if y_test is not None and Xt is None:
        raise ValueError("y_test was given without X_test")
    epochs = check_positive("epochs", epochs, integer=True)
    frames = check_positive("frames", frames, integer=True)
    fps, dpi, resolution, out = _gif_options(fps, dpi, resolution, path)
    _check_before_training(model, Xa, Xt, y_test)
    recorder = Snapshots(snapshot_epochs(epochs, frames))
    model.fit(X, y, epochs=epochs, batch_size=batch_size, callbacks=[recorder])
    display = _animation(model, recorder, Xa, y, Xt, y_test, resolution)
    return display.write(out, fps=fps, dpi=dpi)


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
    callback passed to ``fit``: one frame per snapshot.

    Parameters
    ----------
    model : Sequential
        The trained model (its history gives the loss curve); it is not
        changed.
    snapshots : Snapshots
        The callback, after ``fit``.
    X : array of shape (n_samples, 2)
    y : labels or targets, as for ``fit``
    path : str or Path, default "train.gif"
        Where to write the GIF; ``.gif`` is added to a path without a suffix,
        and the parent folders are created.
    X_test, y_test : arrays, optional
        Test points, drawn on the decision boundary; their loss at each
        snapshot is drawn beside the training loss.
    fps : float, default 5
        Frames per second.
    resolution : int, default 60
        Grid points along each axis of the decision boundary.
    dpi : float, default 80
        Pixels per inch of the frames (a frame is 10.5 x 4.4 inches).

    Returns
    -------
    Path
        The path written.

    See Also
    --------
    TrainingAnimationDisplay : the frames, computed, and what each shows.
    """
    model = _recorded_run(model, snapshots)
    Xa, Xt = _points(X, X_test)
    fps, dpi, resolution, out = _gif_options(fps, dpi, resolution, path)
    display = _animation(model, snapshots, Xa, y, Xt, y_test, resolution)
    return display.write(out, fps=fps, dpi=dpi)
