"""mlplab.plots.loss_surface and animate_training: the plotted losses are the
model's, gradient descent goes downhill, the model is left as it was (or, for
animate_training, exactly as fit leaves it), and the GIF has one frame per
snapshot."""

import os
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.contour import ContourSet
from PIL import Image

import mlplab as ml
from mlplab import plots
from mlplab.plots._training import snapshot_epochs

TINY = {"resolution": 8, "dpi": 24}  # GIF frames whose picture does not matter


# -- data and models -------------------------------------------------------------
@pytest.fixture(scope="module")
def moons():
    return ml.datasets.make_moons(100, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 3.5]])
    X = np.vstack([c + rng.normal(scale=0.5, size=(20, 2)) for c in centers])
    return X, np.repeat([0, 1, 2], 20)


def _untrained(task, hidden, lr=0.5):
    """A compiled model with ``hidden`` tanh layers of 8 units, seed 0."""
    layers = [ml.Dense(8, activation="tanh") for _ in range(hidden)]
    if task == "multiclass":
        layers.append(ml.Dense(3, activation="softmax"))
        loss = "categorical_crossentropy"
    elif task == "binary":
        layers.append(ml.Dense(1, activation="sigmoid"))
        loss = "binary_crossentropy"
    else:
        layers.append(ml.Dense(1))
        loss = "mse"
    model = ml.Sequential(layers, input_dim=2, seed=0)
    model.compile(loss=loss, optimizer=ml.SGD(learning_rate=lr))
    return model


def _data(task, moons, blobs):
    if task == "multiclass":
        return blobs
    X, y = moons
    return (X, y) if task == "binary" else (X, np.sin(2 * X[:, 0]) + X[:, 1])


@pytest.fixture(scope="module")
def trained(moons):
    """A 2-8-1 tanh network fitted to the moons."""
    X, y = moons
    model = _untrained("binary", 1)
    model.fit(X, y, epochs=300)
    return model


def _copy(model):
    """An independent model with the same architecture, loss and weights."""
    twin = ml.Sequential.from_config(model.get_config())
    twin.compile(loss=model.loss, optimizer="sgd")
    twin.set_weights(model.get_weights())
    return twin


def _with(model, array, index, value):
    """A copy of ``model`` with weight ``array[index]`` set to ``value``."""
    twin = _copy(model)
    weights = twin.get_weights()
    weights[array][index] = value
    twin.set_weights(weights)
    return twin


def _line(ax, prefix):
    [line] = [li for li in ax.get_lines() if li.get_label().startswith(prefix)]
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def _assert_same_bits(before, after):
    assert len(before) == len(after)
    for b, a in zip(before, after, strict=True):
        assert b.dtype == a.dtype and b.tobytes() == a.tobytes()


# -- loss_surface: one weight --------------------------------------------------------
def test_one_weight_curve_is_the_models_loss_and_leaves_the_model_as_it_was(
    trained, moons
):
    X, y = moons
    before = trained.get_weights()
    iterations = trained.optimizer.iterations
    fig = plots.loss_surface(trained, X, y, "dense/W[0, 1]", span=1.5, resolution=25)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("dense/W[0,1]", "loss")
    xs, losses = _line(ax, "loss")
    w = before[0][0, 1]
    np.testing.assert_allclose([xs[0], xs[-1]], [w - 1.5, w + 1.5])
    for i in (0, 6, 13, 24):
        expected = _with(trained, 0, (0, 1), xs[i]).evaluate(X, y)["loss"]
        np.testing.assert_allclose(losses[i], expected, rtol=1e-12)
    # The current value is marked at its own loss.
    _, [current] = _line(ax, "current value")
    np.testing.assert_allclose(current, trained.evaluate(X, y)["loss"], rtol=1e-12)
    _assert_same_bits(before, trained.get_weights())
    assert trained.optimizer.iterations == iterations
    FigureCanvasAgg(fig).draw()


@pytest.mark.parametrize("param", ["dense/W[1,0]", "dense_1/W[4,0]"])
def test_one_weight_curve_bottoms_out_where_the_gradient_vanishes(moons, param):
    X, y = moons
    model = _untrained("binary", 1)
    model.fit(X, y, epochs=30)  # not at the minimum yet: it lies off-centre
    fig = plots.loss_surface(model, X, y, param, span=3.0, resolution=61)
    xs, losses = _line(fig.axes[0], "loss")
    i = int(np.argmin(losses))
    assert 0 < i < len(xs) - 1
    array = model.weight_names.index(param.split("[")[0])
    index = tuple(int(k) for k in param.split("[")[1].rstrip("]").split(","))

    def slope(x):
        _, grads = _with(model, array, index, x).loss_and_gradients(X, y)
        return grads[array][index]

    assert slope(xs[i - 1]) < 0 < slope(xs[i + 1])


def test_gradient_descent_path_goes_downhill_in_steps_plus_one_points(moons):
    X, y = moons
    model = _untrained("binary", 1, lr=0.05)
    before = model.get_weights()
    steps = 8
    fig = plots.loss_surface(model, X, y, "dense_1/W[2,0]", steps=steps)
    ax = fig.axes[0]
    xs, losses = _line(ax, "gradient descent")
    assert len(xs) == steps + 1
    assert xs[0] == before[2][2, 0]
    # The first step is w - lr * dL/dw, with the optimizer's learning rate.
    _, grads = _copy(model).loss_and_gradients(X, y)
    np.testing.assert_allclose(xs[1], xs[0] - 0.05 * grads[2][2, 0], rtol=1e-12)
    assert xs[1] != xs[0]
    assert (np.diff(losses) <= 1e-12).all()
    np.testing.assert_allclose(_line(ax, "end")[0], xs[-1:])
    _assert_same_bits(before, model.get_weights())


def test_an_explicit_path_is_drawn_at_its_losses(moons, trained):
    X, y = moons
    w = trained.get_weights()[1][0]
    path = w + np.array([-1.0, -0.5, -0.1, 0.0])
    fig = plots.loss_surface(trained, X, y, "dense/b[0]", path=path, span=0.5)
    ax = fig.axes[0]
    xs, losses = _line(ax, "path")
    np.testing.assert_array_equal(xs, path)
    expected = _with(trained, 1, (0,), path[0]).evaluate(X, y)["loss"]
    np.testing.assert_allclose(losses[0], expected, rtol=1e-12)
    # The axis is widened to take in the path, which starts beyond the span.
    assert ax.get_xlim()[0] < path[0] < w - 0.5


# -- loss_surface: two weights ---------------------------------------------------------
def test_two_weights_one_contour_set_with_a_colorbar_and_a_path(moons):
    X, y = moons
    model = _untrained("binary", 1, lr=0.2)
    before = model.get_weights()
    params = ["dense/W[0,0]", "dense_1/W[0,0]"]
    fig = plots.loss_surface(model, X, y, params, resolution=15, steps=5)
    ax, cbar = fig.axes
    filled = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(filled) == 1 and filled[0].filled
    assert cbar.get_ylabel() == "loss"
    assert (ax.get_xlabel(), ax.get_ylabel()) == tuple(params)
    levels = filled[0].levels
    assert len(levels) > 5 and (np.diff(levels) > 0).all()
    # The path: 6 points in the (w1, w2) plane, the loss going down along it.
    w1, w2 = _line(ax, "gradient descent")
    assert len(w1) == 6
    assert (w1[0], w2[0]) == (before[0][0, 0], before[2][0, 0])
    path_losses = []
    for a, b in zip(w1, w2, strict=True):
        twin = _with(_with(model, 0, (0, 0), a), 2, (0, 0), b)
        path_losses.append(twin.evaluate(X, y)["loss"])
    assert (np.diff(path_losses) <= 1e-12).all() and path_losses[-1] < path_losses[0]
    _assert_same_bits(before, model.get_weights())
    FigureCanvasAgg(fig).draw()


def test_weights_that_do_not_matter_give_a_flat_surface_without_warnings():
    X, y = np.zeros((20, 2)), np.arange(20) % 2  # every weight of W multiplies 0
    model = _untrained("binary", 0)
    fig = plots.loss_surface(model, X, y, ["dense/W[0,0]", "dense/W[1,0]"])
    FigureCanvasAgg(fig).draw()
    flat = plots.loss_surface(model, X, y, "dense/W[0,0]", resolution=5)
    assert np.ptp(_line(flat.axes[0], "loss")[1]) == 0.0


# -- loss_surface: errors --------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ("dense/X[0,0]", "no weight array 'dense/X'"),
        ("dense_7/b[0]", "no weight array 'dense_7/b'"),
        ("dense/W[2,0]", r"does not fit dense/W of shape \(2, 8\)"),
        ("dense/W[0,-1]", "does not fit dense/W"),
        ("dense/W[0]", r"give 2 index\(es\)"),
        ("dense/b[0,0]", r"give 1 index\(es\)"),
        ("dense/W[a,b]", "integer"),
        ("dense/W", "not of the form"),
    ],
)
def test_bad_weight_names_list_the_models_weights(moons, params, match):
    X, y = moons
    with pytest.raises(ValueError, match=match) as err:
        plots.loss_surface(_untrained("binary", 1), X, y, params)
    listing = (
        "dense/W of shape (2, 8), dense/b of shape (8,), dense_1/W of shape (8, 1), "
        "dense_1/b of shape (1,)"
    )
    assert listing in str(err.value)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (["dense/W[0,0]", "dense/W[0, 0]"], "the same weight twice"),
        (["dense/W[0,0]", "dense/b[0]", "dense/b[1]"], "names one weight"),
        ([], "names one weight"),
    ],
)
def test_one_or_two_distinct_weights(moons, params, match):
    X, y = moons
    with pytest.raises(ValueError, match=match):
        plots.loss_surface(_untrained("binary", 1), X, y, params)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"params": 3}, TypeError, "string"),
        ({"steps": 2, "path": [0.0, 1.0]}, ValueError, "path or steps"),
        ({"steps": -1}, ValueError, "steps"),
        ({"span": 0.0}, ValueError, "span"),
        ({"resolution": 1}, ValueError, "resolution"),
        ({"path": [[0.0, 1.0]]}, ValueError, r"shape \(k,\)"),
        ({"path": [0.0, np.nan]}, ValueError, "NaN"),
    ],
)
def test_loss_surface_refuses_bad_arguments(moons, kwargs, error, match):
    X, y = moons
    kwargs = {"params": "dense/b[0]", **kwargs}
    with pytest.raises(error, match=match):
        plots.loss_surface(_untrained("binary", 1), X, y, **kwargs)


def test_loss_surface_needs_a_compiled_model(moons):
    X, y = moons
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    with pytest.raises(ValueError, match="compile"):
        plots.loss_surface(model, X, y, "dense/b[0]")


# -- animate_training: frames ----------------------------------------------------------
@pytest.mark.parametrize(
    ("epochs", "frames", "expected"),
    [
        (20, 5, [0, 4, 8, 12, 16, 20]),
        (10, 4, [0, 3, 6, 9, 10]),
        (3, 20, [0, 1, 2, 3]),
        (39, 20, [0, *range(2, 39, 2), 39]),
        (1, 1, [0, 1]),
    ],
)
def test_snapshot_epochs_examples(epochs, frames, expected):
    assert snapshot_epochs(epochs, frames) == expected


def test_snapshot_epochs_never_more_than_frames_plus_one():
    for epochs in range(1, 80):
        for frames in range(1, 30):
            at = snapshot_epochs(epochs, frames)
            assert at[0] == 0 and at[-1] == epochs
            assert (np.diff(at) > 0).all()
            assert len(at) <= frames + 1
            # Evenly spaced, but for the last interval, which may be shorter.
            k = -(-epochs // frames)
            assert set(np.diff(at)[:-1]) <= {k} and at[-1] - at[-2] <= k


@pytest.mark.parametrize(("epochs", "frames"), [(20, 5), (3, 20)])
def test_the_gif_has_one_frame_per_snapshot(moons, tmp_path, epochs, frames):
    X, y = moons
    out = plots.animate_training(
        _untrained("binary", 1),
        X,
        y,
        epochs=epochs,
        frames=frames,
        path=tmp_path / "run.gif",
        **TINY,
    )
    assert out == tmp_path / "run.gif"
    with Image.open(out) as gif:
        assert gif.n_frames == len(snapshot_epochs(epochs, frames))
        assert gif.n_frames <= frames + 1


def test_animate_training_trains_exactly_as_fit_does(moons, tmp_path):
    X, y = moons
    model, twin = _untrained("binary", 1), _untrained("binary", 1)
    plots.animate_training(
        model, X, y, epochs=12, frames=1, batch_size=16, path=tmp_path / "a", **TINY
    )
    twin.fit(X, y, epochs=12, batch_size=16)  # shuffled: the same draws, too
    _assert_same_bits(twin.get_weights(), model.get_weights())
    assert model.history.history == twin.history.history
    assert (tmp_path / "a.gif").exists()


@pytest.mark.parametrize("hidden", [0, 1, 2])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_loss_surface_renders_every_task_and_depth(task, hidden, moons, blobs):
    X, y = _data(task, moons, blobs)
    model = _untrained(task, hidden, lr=0.5 if task != "regression" else 0.05)
    params = [model.weight_names[0] + "[0,0]", model.weight_names[-1] + "[0]"]
    fig = plots.loss_surface(model, X, y, params, resolution=6, steps=2, title="t")
    assert fig.axes[0].get_title() == "t"
    FigureCanvasAgg(fig).draw()
    fig = plots.loss_surface(model, X, y, params[1], resolution=6, steps=2)
    FigureCanvasAgg(fig).draw()


# Each task once and each depth once: a GIF takes a while to render.
@pytest.mark.parametrize(
    ("task", "hidden"), [("binary", 0), ("multiclass", 1), ("regression", 2)]
)
def test_animate_training_renders_every_task_with_test_points(
    task, hidden, moons, blobs, tmp_path
):
    X, y = _data(task, moons, blobs)
    model = _untrained(task, hidden, lr=0.5 if task != "regression" else 0.05)
    out = plots.animate_training(
        model,
        X,
        y,
        epochs=2,
        frames=1,
        X_test=X[:10],
        y_test=y[:10],
        path=tmp_path / "run.gif",
        **TINY,
    )
    with Image.open(out) as gif:
        assert gif.n_frames == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"frames": 0}, ValueError, "frames"),
        ({"fps": 0}, ValueError, "fps"),
        ({"fps": -2.5}, ValueError, "fps"),
        ({"X": np.zeros((5, 3))}, ValueError, r"shape \(n_samples, 2\)"),
        ({"X": np.zeros(5)}, ValueError, r"shape \(n_samples, 2\)"),
        ({"path": "run.png"}, ValueError, ".gif"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"y_test": [0, 1]}, ValueError, "without X_test"),
        ({"X_test": np.zeros((2, 2)), "y_test": [0, 1, 1]}, ValueError, "y_test"),
    ],
)
def test_animate_training_refuses_bad_input_before_training(
    moons, tmp_path, kwargs, error, match
):
    X, y = moons
    model = _untrained("binary", 1)
    before = model.get_weights()
    args = {"X": X, "epochs": 3, "path": tmp_path / "run.gif", **kwargs}
    with pytest.raises(error, match=match):
        plots.animate_training(model, args.pop("X"), y, **args)
    _assert_same_bits(before, model.get_weights())
    assert model.optimizer.iterations == 0
    assert not list(tmp_path.iterdir())


def test_animate_training_needs_no_display_and_no_pyplot(tmp_path):
    gif = str(tmp_path / "a.gif")
    code = (
        "import sys, numpy as np, mlplab as ml\n"
        "from mlplab import plots\n"
        "X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])\n"
        "m = ml.Sequential([ml.Dense(1, activation='sigmoid')], input_dim=2)\n"
        "m.compile(loss='binary_crossentropy', optimizer='sgd')\n"
        f"plots.animate_training(m, X, [0, 1, 1, 1], epochs=2, path={gif!r},"
        " resolution=5, dpi=20)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (tmp_path / "a.gif").exists()
