"""The Display objects of mlplab.plots' training pictures: the loss surface's
numbers are the model's losses with those weights set, and an animation's
frames are the decision boundaries of the snapshots' models with the losses
so far; plot and write draw those numbers, and nothing else."""

import numpy as np
import pytest
from matplotlib.contour import ContourSet
from PIL import Image

import mlplab as ml
from mlplab import plots

RES = 8  # grid resolution: the numbers are compared exactly, at any size
TINY = {"resolution": RES, "dpi": 24}


@pytest.fixture(scope="module")
def moons():
    return ml.datasets.make_moons(60, noise=0.1, seed=0)


def _model(task="binary", lr=0.5, dtype="float64"):
    out, loss = {
        "binary": (ml.Dense(1, activation="sigmoid"), "binary_crossentropy"),
        "multiclass": (ml.Dense(3, activation="softmax"), "categorical_crossentropy"),
        "regression": (ml.Dense(1), "mse"),
    }[task]
    model = ml.Sequential(
        [ml.Dense(4, activation="tanh"), out], input_dim=2, seed=0, dtype=dtype
    )
    model.compile(loss=loss, optimizer=ml.SGD(learning_rate=lr))
    return model


def _twin(model, weights=None):
    """An independent compiled model with ``model``'s architecture and loss,
    holding ``weights`` (default: the model's)."""
    twin = ml.Sequential.from_config(model.get_config())
    twin.compile(loss=model.loss, optimizer="sgd")
    twin.set_weights(model.get_weights() if weights is None else weights)
    return twin


def _loss_with(model, X, y, settings):
    """The model's loss with the weights ``{(array, index): value}`` set."""
    weights = model.get_weights()
    for (array, index), value in settings.items():
        weights[array][index] = value
    return _twin(model, weights).evaluate(X, y)["loss"]


def _same_bits(before, after):
    return all(
        b.dtype == a.dtype and b.tobytes() == a.tobytes()
        for b, a in zip(before, after, strict=True)
    )


def _same_error(call_a, call_b):
    errors = []
    for call in (call_a, call_b):
        with pytest.raises(Exception) as info:
            call()
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# -- LossSurfaceDisplay ----------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_one_weight_losses_are_the_models_with_that_weight_set(moons, dtype):
    X, y = moons
    model = _model(dtype=dtype)
    model.fit(X, y, epochs=5)
    before = model.get_weights()
    path = [0.1, -0.3, 0.7]
    d = plots.LossSurfaceDisplay.from_model(
        model, X, y, "dense/W[1,2]", resolution=RES, span=0.5, path=path
    )
    assert d.labels == ["dense/W[1,2]"]
    assert d.x2 is None and d.levels is None
    assert d.x1.shape == d.losses.shape == (RES,)
    assert d.start.tolist() == [float(before[0][1, 2])]
    # The axis takes in the path: it reaches beyond w + 0.5 to 0.7 plus 5%.
    assert d.x1[0] == before[0][1, 2] - 0.5 and d.x1[-1] > 0.7
    for j in range(RES):
        expected = _loss_with(model, X, y, {(0, (1, 2)): d.x1[j]})
        assert d.losses[j] == expected
    assert d.start_loss == model.evaluate(X, y)["loss"]
    np.testing.assert_array_equal(d.path[:, 0], path)
    for point, loss in zip(path, d.path_losses, strict=True):
        assert loss == _loss_with(model, X, y, {(0, (1, 2)): point})
    assert d.path_label == "path (3 points)"
    assert _same_bits(before, model.get_weights())


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_two_weight_losses_are_the_models_at_each_grid_point(moons, task):
    X, y = moons
    if task == "multiclass":
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    elif task == "regression":
        y = np.sin(X[:, 0]) + X[:, 1]
    model = _model(task, lr=0.05)
    before = model.get_weights()
    params = ["dense/W[0,0]", "dense_1/b[0]"]
    d = plots.LossSurfaceDisplay.from_model(
        model, X, y, params, resolution=RES, steps=3
    )
    assert d.labels == params
    assert d.losses.shape == (RES, RES)
    for i, j in [(0, 0), (2, 5), (RES - 1, 3), (4, RES - 1)]:
        expected = _loss_with(model, X, y, {(0, (0, 0)): d.x1[j], (3, (0,)): d.x2[i]})
        assert d.losses[i, j] == expected  # rows along the second weight
    # The first step of the path is w - lr * dL/dw, on the chosen weights.
    _, grads = _twin(model).loss_and_gradients(X, y)
    step = d.start - 0.05 * np.array([grads[0][0, 0], grads[3][0]])
    np.testing.assert_allclose(d.path[1], step, rtol=1e-12)
    assert d.path.shape == (4, 2)
    assert d.path_label == "gradient descent (3 steps, lr 0.05)"
    for point, loss in zip(d.path, d.path_losses, strict=True):
        assert loss == _loss_with(
            model, X, y, {(0, (0, 0)): point[0], (3, (0,)): point[1]}
        )
    finite = d.losses[np.isfinite(d.losses)]
    np.testing.assert_array_equal(
        d.levels, np.unique(np.quantile(finite, np.linspace(0, 1, 13)))
    )
    assert _same_bits(before, model.get_weights())


def test_loss_surface_plot_draws_the_displays_numbers(moons):
    X, y = moons
    model = _model()
    d = plots.LossSurfaceDisplay.from_model(
        model, X, y, "dense_1/b[0]", resolution=RES, steps=2
    )
    d.losses = d.losses + 1.0  # the picture follows the display, not the model
    ax = d.plot(title="t").axes[0]
    [curve] = [li for li in ax.get_lines() if li.get_label() == "loss"]
    np.testing.assert_array_equal(curve.get_xdata(), d.x1)
    np.testing.assert_array_equal(curve.get_ydata(), d.losses)
    [path] = [li for li in ax.get_lines() if li.get_label() == d.path_label]
    np.testing.assert_array_equal(path.get_ydata(), d.path_losses)
    assert ax.get_xlim() == (d.x1[0], d.x1[-1])
    assert ax.get_title() == "t"

    two = plots.LossSurfaceDisplay.from_model(
        model, X, y, ["dense/b[0]", "dense_1/b[0]"], resolution=RES
    )
    fig = two.plot()
    [filled] = [c for c in fig.axes[0].collections if isinstance(c, ContourSet)]
    np.testing.assert_array_equal(filled.levels, two.levels)
    assert fig.axes[1].get_ylabel() == "loss"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"params": "dense/X[0,0]"},
        {"params": ["dense/b[0]", "dense/b[0]"]},
        {"params": 3},
        {"steps": 2, "path": [0.0, 1.0]},
        {"steps": -1},
        {"span": 0.0},
        {"resolution": 1},
        {"path": [[0.0, 1.0]]},
    ],
)
def test_loss_surface_display_refuses_what_loss_surface_refuses(moons, kwargs):
    X, y = moons
    args = {"params": "dense/b[0]", **kwargs}
    _same_error(
        lambda: plots.loss_surface(_model(), X, y, **args),
        lambda: plots.LossSurfaceDisplay.from_model(_model(), X, y, **args),
    )
    uncompiled = ml.Sequential([ml.Dense(1)], input_dim=2)
    _same_error(
        lambda: plots.loss_surface(uncompiled, X, y, "dense/b[0]"),
        lambda: plots.LossSurfaceDisplay.from_model(uncompiled, X, y, "dense/b[0]"),
    )


# -- TrainingFrameDisplay --------------------------------------------------------
def test_a_frame_is_the_boundary_of_the_model_and_its_losses_so_far(moons):
    X, y = moons
    model = _model()
    X_test, y_test = X[:10], y[:10]
    first = plots.TrainingFrameDisplay.from_model(
        model, X, y, X_test=X_test, y_test=y_test, resolution=RES
    )
    history = model.fit(X, y, epochs=4)
    losses = history.history["loss"]
    frame = plots.TrainingFrameDisplay.from_model(
        model,
        X,
        y,
        losses=losses,
        X_test=X_test,
        y_test=y_test,
        previous=first,
        resolution=RES,
    )
    boundary = plots.BoundaryDisplay.from_model(
        model, X, y, X_test=X_test, y_test=y_test, resolution=RES
    )
    np.testing.assert_array_equal(frame.boundary.outputs, boundary.outputs)
    np.testing.assert_array_equal(frame.boundary.misclassified, boundary.misclassified)
    assert frame.boundary.extent == boundary.extent
    assert frame.epoch == 4
    np.testing.assert_array_equal(frame.losses, losses)
    assert frame.test_epochs.tolist() == [0, 4]
    assert frame.test_losses[0] == first.test_losses[0]
    assert frame.test_losses[1] == model.evaluate(X_test, y_test)["loss"]
    # Fewer epochs than the losses given: the frame keeps the first ones.
    early = plots.TrainingFrameDisplay.from_model(
        model, X, y, losses=losses, epoch=2, resolution=RES
    )
    np.testing.assert_array_equal(early.losses, losses[:2])
    assert early.test_epochs is None and early.test_losses is None


def test_frame_plot_draws_the_displays_losses(moons):
    X, y = moons
    model = _model()
    frame = plots.TrainingFrameDisplay.from_model(
        model, X, y, losses=[0.9, 0.7, 0.6], X_test=X[:5], y_test=y[:5], resolution=RES
    )
    frame.test_losses = np.array([0.25])
    fig = frame.plot(n_epochs=10, loss_range=(0.0, 2.0))
    assert fig.get_suptitle() == "epoch 3"
    boundary_ax, loss_ax = fig.axes[:2]  # then the colorbar
    np.testing.assert_array_equal(
        boundary_ax.images[0].get_array(), frame.boundary.outputs[:, :, 0]
    )
    train, _, test = loss_ax.get_lines()[:3]
    np.testing.assert_array_equal(train.get_ydata(), [0.9, 0.7, 0.6])
    assert train.get_label() == "train (0.6)"
    np.testing.assert_array_equal(test.get_ydata(), [0.25])
    assert test.get_label() == "test (0.25)"
    assert loss_ax.get_xlim() == (-0.2, 10.2)
    assert loss_ax.get_ylim() == (0.0, 2.0)
    # By default, the loss axes fit the frame's own curves.
    own = frame.plot().axes[1]
    assert own.get_xlim() == (-0.02 * 3, 1.02 * 3)
    assert own.get_ylim()[0] < 0.25 and own.get_ylim()[1] > 0.9


def test_frame_of_no_epoch_and_its_refusals(moons):
    X, y = moons
    frame = plots.TrainingFrameDisplay.from_model(_model(), X, y, resolution=RES)
    assert frame.epoch == 0 and frame.losses.shape == (0,)
    assert frame.plot().get_suptitle() == "epoch 0"
    with pytest.raises(ValueError, match="compile"):
        plots.TrainingFrameDisplay.from_model(ml.Sequential([ml.Dense(1)]), X, y)
    with pytest.raises(ValueError, match="epoch"):
        plots.TrainingFrameDisplay.from_model(_model(), X, y, epoch=-1)
    with pytest.raises(ValueError, match="without X_test"):
        plots.TrainingFrameDisplay.from_model(_model(), X, y, y_test=y)


# -- TrainingAnimationDisplay ----------------------------------------------------
@pytest.fixture(scope="module")
def recorded(moons):
    """A model trained 5 epochs with snapshots at 0, 2, 4 and 5."""
    X, y = moons
    model = _model()
    snapshots = plots.Snapshots.every(5, frames=3)
    model.fit(X, y, epochs=5, batch_size=16, callbacks=[snapshots])
    return model, snapshots


def test_each_frame_is_its_snapshots_boundary(moons, recorded):
    X, y = moons
    model, snapshots = recorded
    before = model.get_weights()
    X_test, y_test = X[:12], y[:12]
    d = plots.TrainingAnimationDisplay.from_snapshots(
        model, snapshots, X, y, X_test=X_test, y_test=y_test, resolution=RES
    )
    losses = model.history.history["loss"]
    assert [f.epoch for f in d.frames] == [0, 2, 4, 5]
    assert d.n_epochs == 5
    test_losses = []
    for frame, (epoch, weights) in zip(d.frames, snapshots.taken, strict=True):
        twin = _twin(model, weights)
        expected = plots.BoundaryDisplay.from_model(
            twin, X, y, X_test=X_test, y_test=y_test, resolution=RES
        )
        np.testing.assert_array_equal(frame.boundary.outputs, expected.outputs)
        np.testing.assert_array_equal(
            frame.boundary.misclassified_test, expected.misclassified_test
        )
        np.testing.assert_array_equal(frame.losses, losses[:epoch])
        test_losses.append(twin.evaluate(X_test, y_test)["loss"])
        assert frame.test_losses.tolist() == test_losses
    shown = np.concatenate([losses, test_losses])
    pad = 0.05 * (shown.max() - shown.min())
    np.testing.assert_allclose(d.loss_range, (shown.min() - pad, shown.max() + pad))
    assert _same_bits(before, model.get_weights())
    fig = d.plot(1)
    assert fig.get_suptitle() == "epoch 2"
    assert fig.axes[1].get_ylim() == d.loss_range


def test_write_is_what_write_animation_writes(moons, recorded, tmp_path):
    X, y = moons
    model, snapshots = recorded
    d = plots.TrainingAnimationDisplay.from_snapshots(
        model, snapshots, X, y, resolution=RES
    )
    ours = d.write(tmp_path / "ours", dpi=24, fps=4)
    theirs = plots.write_animation(
        model, snapshots, X, y, path=tmp_path / "theirs.gif", fps=4, **TINY
    )
    assert ours == tmp_path / "ours.gif"
    assert ours.read_bytes() == theirs.read_bytes()
    with Image.open(ours) as gif:
        assert gif.n_frames == len(d.frames)


def test_animate_training_writes_the_frames_of_its_snapshots(moons, tmp_path):
    X, y = moons
    out = plots.animate_training(
        _model(), X, y, epochs=4, frames=2, path=tmp_path / "a.gif", **TINY
    )
    twin = _model()
    snapshots = plots.Snapshots.every(4, frames=2)
    twin.fit(X, y, epochs=4, callbacks=[snapshots])
    d = plots.TrainingAnimationDisplay.from_snapshots(
        twin, snapshots, X, y, resolution=RES
    )
    assert d.write(tmp_path / "b.gif", dpi=24).read_bytes() == out.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "model", "snapshots"),
    [
        ({}, "not a model", None),
        ({}, None, plots.Snapshots([3])),
        ({"X": np.zeros((4, 3))}, None, None),
        ({"resolution": 1}, None, None),
        ({"y": [0, 1]}, None, None),
        ({"y_test": [0, 1]}, None, None),
    ],
)
def test_animation_display_refuses_what_write_animation_refuses(
    moons, recorded, tmp_path, kwargs, model, snapshots
):
    X, y = moons
    args = {"X": X, "y": y, **kwargs}
    model = recorded[0] if model is None else model
    snapshots = recorded[1] if snapshots is None else snapshots
    _same_error(
        lambda: plots.write_animation(
            model, snapshots, **args, path=tmp_path / "a.gif"
        ),
        lambda: plots.TrainingAnimationDisplay.from_snapshots(model, snapshots, **args),
    )
    assert not list(tmp_path.iterdir())
