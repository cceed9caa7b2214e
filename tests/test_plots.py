"""mlplab.plots: every plot renders for every kind of model, and shows what it
should (colours at known places, diverged runs, one axes per panel)."""

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import mlplab as ml
from mlplab import plots

LOW_RES = 30  # grid resolution where the picture's detail does not matter


# -- data and models, trained once per module ------------------------------------
@pytest.fixture(scope="module")
def moons():
    X, y = ml.datasets.make_moons(200, noise=0.1, seed=0)
    X_test, y_test = ml.datasets.make_moons(40, noise=0.1, seed=1)
    return X, y, X_test, y_test


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 3.5]])
    X = np.vstack([c + rng.normal(scale=0.5, size=(40, 2)) for c in centers])
    return X, np.repeat([0, 1, 2], 40), centers


def _model(hidden, output, loss, X, y, epochs, lr=0.5):
    layers = [ml.Dense(8, activation="tanh") for _ in range(hidden)] + [output]
    model = ml.Sequential(layers, input_dim=2, seed=0)
    model.compile(loss=loss, optimizer=ml.SGD(learning_rate=lr))
    model.fit(X, y, epochs=epochs)
    return model


def _trained(task, hidden, moons, blobs, epochs=20):
    if task == "multiclass":
        Xb, yb, _ = blobs
        out = ml.Dense(3, activation="softmax")
        return _model(hidden, out, "categorical_crossentropy", Xb, yb, epochs), Xb, yb
    X, y, _, _ = moons
    if task == "binary":
        out = ml.Dense(1, activation="sigmoid")
        return _model(hidden, out, "binary_crossentropy", X, y, epochs), X, y
    yr = np.sin(2 * X[:, 0]) + X[:, 1]
    return _model(hidden, ml.Dense(1), "mse", X, yr, epochs, lr=0.05), X, yr


@pytest.fixture(scope="module")
def moons_model(moons):
    """A 2-8-1 tanh network that separates the two moons."""
    X, y, _, _ = moons
    out = ml.Dense(1, activation="sigmoid")
    return _model(1, out, "binary_crossentropy", X, y, epochs=500)


# -- helpers -------------------------------------------------------------------
def _render(fig):
    """The figure as an (height, width, 4) uint8 RGBA array."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _pixel(ax, image, xy):
    """RGB (0..1) of the rendered figure at data coordinates ``xy`` of ``ax``:
    the median of a 5x5 block, so antialiased edges do not matter."""
    px, py = ax.transData.transform(xy)
    row = image.shape[0] - round(py)  # the buffer's rows run top-down
    col = round(px)
    block = image[row - 2 : row + 3, col - 2 : col + 3, :3].reshape(-1, 3)
    return np.median(block, axis=0) / 255


def _hide_points(ax):
    """Hide the scattered points, to look at the shading underneath."""
    for artist in ax.collections:
        if type(artist) is PathCollection:
            artist.set_visible(False)


def _nearest(rgb, candidates):
    return int(np.argmin([np.linalg.norm(rgb - np.asarray(c)[:3]) for c in candidates]))


def _legend_texts(ax_or_legend):
    legend = getattr(ax_or_legend, "get_legend", lambda: ax_or_legend)()
    return [t.get_text() for t in legend.get_texts()]


# -- decision_boundary ---------------------------------------------------------
@pytest.mark.parametrize("hidden", [0, 1, 2])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_decision_boundary_renders_every_task_and_depth(task, hidden, moons, blobs):
    model, X, y = _trained(task, hidden, moons, blobs)
    fig = plots.decision_boundary(model, X, y, resolution=LOW_RES, title="t")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x1", "x2", "t")
    # A colorbar for probabilities and values; class regions need none.
    assert len(fig.axes) == (1 if task == "multiclass" else 2)
    if task != "multiclass":
        label = "P(class 1)" if task == "binary" else "prediction"
        assert fig.axes[1].get_ylabel() == label
    assert "train" in _legend_texts(ax)
    _render(fig)


def test_decision_boundary_covers_the_data_plus_margin(moons, moons_model):
    X, y, X_test, y_test = moons
    fig = plots.decision_boundary(
        moons_model, X, y, X_test=X_test, y_test=y_test, margin=0.25, resolution=10
    )
    ax = fig.axes[0]
    both = np.vstack([X, X_test])
    np.testing.assert_allclose(
        ax.get_xlim(), [both[:, 0].min() - 0.25, both[:, 0].max() + 0.25]
    )
    np.testing.assert_allclose(
        ax.get_ylim(), [both[:, 1].min() - 0.25, both[:, 1].max() + 0.25]
    )
    texts = _legend_texts(ax)
    assert texts[:2] == ["class 0", "class 1"]
    assert {"train", "test", "decision boundary"} <= set(texts)
    assert any(t.startswith("misclassified (") for t in texts)


def test_decision_boundary_shades_each_moon_in_its_class_colour(moons, moons_model):
    X, y, _, _ = moons
    inside = {0: [(0.0, 1.0), (-0.7, 0.7)], 1: [(1.0, -0.5), (1.7, -0.2)]}
    p = moons_model.predict(np.array(inside[0] + inside[1]))[:, 0]
    assert (p[:2] < 0.1).all() and (p[2:] > 0.9).all()  # the model is sure there

    fig = plots.decision_boundary(moons_model, X, y, resolution=200)
    ax = fig.axes[0]
    _hide_points(ax)
    image = _render(fig)
    shading = ax.images[0]
    ends = [shading.cmap(0.0), shading.cmap(1.0)]  # p = 0 and p = 1
    assert np.linalg.norm(np.subtract(ends[0][:3], ends[1][:3])) > 0.3
    for label, points in inside.items():
        for xy in points:
            assert _nearest(_pixel(ax, image, xy), ends) == label, (label, xy)


def test_decision_boundary_colours_each_class_region(blobs):
    X, y, centers = blobs
    model, _, _ = _trained("multiclass", 1, None, blobs, epochs=200)
    assert (model.predict_classes(centers) == [0, 1, 2]).all()
    fig = plots.decision_boundary(model, X, y, resolution=80)
    ax = fig.axes[0]
    _hide_points(ax)
    image = _render(fig)
    regions = ax.images[0]
    colours = [regions.cmap(regions.norm(c)) for c in range(3)]
    assert len({tuple(np.round(c, 3)) for c in colours}) == 3
    for c, xy in enumerate(centers):
        assert _nearest(_pixel(ax, image, xy), colours) == c


def test_decision_boundary_counts_and_marks_misclassified_points(moons):
    X, y, _, _ = moons

    def always_class_0(P):
        return np.full(len(P), 0.3)  # no 0.5 contour: nothing to draw, no warning

    fig = plots.decision_boundary(always_class_0, X, y, resolution=LOW_RES)
    ax = fig.axes[0]
    n_wrong = int((y == 1).sum())
    assert f"misclassified ({n_wrong})" in _legend_texts(ax)
    assert "decision boundary" not in _legend_texts(ax)
    crosses = [c for c in ax.collections if isinstance(c, PathCollection)][-1]
    assert len(crosses.get_offsets()) == n_wrong
    fig = plots.decision_boundary(
        always_class_0, X, y, resolution=LOW_RES, show_misclassified=False
    )
    assert not any("misclassified" in t for t in _legend_texts(fig.axes[0]))


@pytest.mark.parametrize("shape", ["(n,)", "(n, 1)"])
def test_decision_boundary_takes_a_plain_callable(moons, shape):
    X, y, _, _ = moons

    def p(P):  # P(class 1) rises across x2 = 0.25
        out = 1 / (1 + np.exp(-8 * (0.25 - P[:, 1])))
        return out if shape == "(n,)" else out[:, None]

    fig = plots.decision_boundary(p, X, y, resolution=LOW_RES)
    assert fig.axes[1].get_ylabel() == "P(class 1)"
    assert "decision boundary" in _legend_texts(fig.axes[0])


def test_a_callable_with_k_columns_is_multiclass_and_one_outside_0_1_regression(
    blobs,
):
    X, y, centers = blobs

    def softmax_of_distance(P):
        d = -((P[:, None, :] - centers[None]) ** 2).sum(axis=2)
        e = np.exp(d - d.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    fig = plots.decision_boundary(softmax_of_distance, X, y, resolution=LOW_RES)
    assert len(fig.axes) == 1  # class regions, no colorbar
    fig = plots.decision_boundary(lambda P: 3 * P[:, 0], X, resolution=LOW_RES)
    assert fig.axes[1].get_ylabel() == "prediction"


def test_a_regression_model_is_shaded_as_values_even_within_0_1(moons):
    X, _, _, _ = moons
    model = ml.Sequential([ml.Dense(1)], input_dim=2, seed=0)
    model.set_weights([np.zeros((2, 1)), np.array([0.5])])  # predicts 0.5 everywhere
    fig = plots.decision_boundary(model, X, np.full(len(X), 0.5), resolution=10)
    assert fig.axes[1].get_ylabel() == "prediction"


def test_decision_boundary_draws_into_a_given_axes(moons, moons_model):
    X, y, _, _ = moons
    fig = Figure()
    ax, other = fig.subplots(1, 2)
    out = plots.decision_boundary(moons_model, X, y, ax=ax, resolution=LOW_RES)
    assert out is fig
    assert len(ax.images) == 1 and not other.images
    assert len(fig.axes) == 3  # the two given axes and the colorbar


def test_decision_boundary_points_without_labels(moons, moons_model):
    X, _, X_test, _ = moons
    fig = plots.decision_boundary(moons_model, X, X_test=X_test, resolution=LOW_RES)
    texts = _legend_texts(fig.axes[0])
    assert "test" in texts
    assert not any(t.startswith(("class", "misclassified")) for t in texts)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.zeros((5, 3))}, ValueError, r"2-D input plane.*\(5, 3\)"),
        ({"X": np.zeros(5)}, ValueError, r"shape \(n_samples, 2\)"),
        ({"X_test": np.zeros((4, 3))}, ValueError, "X_test"),
        ({"y": np.zeros(3)}, ValueError, r"one value per sample, shape \(10,\)"),
        ({"y": np.full(10, 0.5)}, ValueError, "class labels"),
        ({"y_test": np.zeros(10)}, ValueError, "y_test was given without X_test"),
        ({"resolution": 1}, ValueError, "resolution"),
        ({"margin": -1.0}, ValueError, "margin"),
        ({"model": "not a model"}, TypeError, "predict"),
        ({"model": lambda P: np.zeros((3, 1))}, ValueError, "one row per input"),
        (
            {"model": ml.Sequential([ml.Dense(2)], input_dim=2, seed=0)},
            ValueError,
            "2 regression outputs",
        ),
    ],
)
def test_decision_boundary_refuses_bad_input(kwargs, error, match):
    args = {
        "model": lambda P: 1 / (1 + np.exp(-P[:, 0])),
        "X": np.random.default_rng(0).normal(size=(10, 2)),
        "y": np.arange(10) % 2,
        "resolution": 5,
    } | kwargs
    model = args.pop("model")
    with pytest.raises(error, match=match):
        plots.decision_boundary(model, **args)


# -- learning_curves -----------------------------------------------------------
@pytest.fixture(scope="module")
def history(moons):
    X, y, X_test, y_test = moons
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    model.compile(
        loss="binary_crossentropy", optimizer=ml.SGD(0.5), metrics=["accuracy"]
    )
    return model.fit(X, y, epochs=15, validation_data=(X_test, y_test))


def test_learning_curves_loss_beside_metrics(history):
    fig = plots.learning_curves(history, title="run")
    loss_ax, metric_ax = fig.axes
    assert (loss_ax.get_xlabel(), loss_ax.get_ylabel()) == ("epoch", "loss")
    assert metric_ax.get_ylabel() == "accuracy"
    train, val = loss_ax.get_lines()
    assert train.get_xdata()[0] == 1 and len(train.get_xdata()) == 15
    np.testing.assert_allclose(train.get_ydata(), history.history["loss"])
    assert (train.get_linestyle(), val.get_linestyle()) == ("-", "--")
    assert _legend_texts(loss_ax) == ["train", "validation"]
    assert fig.get_suptitle() == "run"


def test_learning_curves_from_a_dict_with_several_metrics_and_log_scale():
    h = {
        "loss": [1.0, 0.5, 0.2],
        "mae": [0.9, 0.6, 0.3],
        "mse": [1.0, 0.4, 0.1],
        "val_mse": [1.1, 0.5, 0.2],
        "learning_rate": [0.1, 0.1, 0.05],
    }
    fig = plots.learning_curves(h, log=True)
    assert fig.axes[0].get_yscale() == "log"
    assert fig.axes[1].get_ylabel() == "metric"
    assert _legend_texts(fig.axes[1]) == [
        "mae (train)",
        "mse (train)",
        "mse (validation)",
    ]


def test_learning_curves_without_metrics_is_one_axes():
    fig = plots.learning_curves({"loss": [0.5, 0.4]}, title="t")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "t"


def test_learning_curves_into_an_axes_draws_only_the_loss(history):
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.learning_curves(history, ax=ax) is fig
    assert len(fig.axes) == 1 and len(ax.get_lines()) == 2


@pytest.mark.parametrize(
    ("history", "error"),
    [({"accuracy": [0.5]}, ValueError), ([0.5, 0.4], TypeError)],
)
def test_learning_curves_refuses_a_history_without_loss(history, error):
    with pytest.raises(error, match=r"loss|dict of lists"):
        plots.learning_curves(history)


# -- loss_curves ---------------------------------------------------------------
def test_loss_curves_cuts_and_marks_a_diverging_run():
    curves = {
        "lr=0.1": [0.7, 0.6, 0.5, 0.45],
        "lr=10": [0.7, 5.0, 80.0, float("inf"), float("nan")],
    }
    fig = plots.loss_curves(curves, title="rates")
    ax = fig.axes[0]
    assert _legend_texts(ax) == ["lr=0.1", "lr=10 (diverged)"]
    ok, diverged = ax.get_lines()
    assert ok.get_marker() in ("None", None, "")
    assert list(diverged.get_ydata()) == [0.7, 5.0, 80.0]  # cut at the infinity
    assert diverged.get_marker() == "x" and diverged.get_markevery() == [2]
    assert np.isfinite(ax.get_ylim()).all()
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "epoch",
        "loss",
        "rates",
    )
    _render(fig)


def test_loss_curves_against_given_x_in_log_scale_into_an_axes():
    fig = Figure()
    ax = fig.add_subplot()
    curves = {"a": [1.0, 0.1, 0.01], "b": [1.0, 0.5]}
    x = {"a": [0.0, 0.5, 1.0], "b": [0.0, 2.0]}
    out = plots.loss_curves(curves, x=x, ax=ax, log=True, xlabel="seconds")
    assert out is fig
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "seconds"
    assert list(ax.get_lines()[1].get_xdata()) == [0.0, 2.0]


def test_loss_curves_a_run_that_diverges_at_once():
    fig = plots.loss_curves({"bad": [float("nan")], "good": [1.0, 0.5]})
    assert _legend_texts(fig.axes[0]) == ["bad (diverged)", "good"]
    _render(fig)


@pytest.mark.parametrize(
    ("curves", "x", "match"),
    [
        ({}, None, "empty"),
        ({"a": [1.0, 0.5]}, {"b": [0, 1]}, "no values for the curves"),
        ({"a": [1.0, 0.5]}, {"a": [0, 1, 2]}, "has 2 values but"),
        ({"a": [[1.0], [0.5]]}, None, "flat list"),
    ],
)
def test_loss_curves_refuses_bad_input(curves, x, match):
    with pytest.raises(ValueError, match=match):
        plots.loss_curves(curves, x=x)


# -- sweep_grid ----------------------------------------------------------------
def test_sweep_grid_one_axes_per_panel_and_one_shared_colorbar(moons, blobs):
    X, y, X_test, y_test = moons
    panels = []
    for hidden in (0, 1, 2):
        model, _, _ = _trained("binary", hidden, moons, blobs, epochs=5)
        panels.append(
            {
                "model": model,
                "X": X,
                "y": y,
                "X_test": X_test,
                "y_test": y_test,
                "title": f"hidden={hidden}",
            }
        )
    panels.append(
        {
            "predict": lambda P: 1 / (1 + np.exp(-P[:, 0])),
            "X": X,
            "y": y,
            "title": "callable",
        }
    )
    panels.append(dict(panels[0], title="again"))
    fig = plots.sweep_grid(panels, title="sweep", resolution=20)
    # 5 panels in a 4-column grid (the 3 empty cells removed) + 1 colorbar.
    assert len(fig.axes) == 5 + 1
    titles = [ax.get_title() for ax in fig.axes[:5]]
    assert titles == ["hidden=0", "hidden=1", "hidden=2", "callable", "again"]
    assert fig.axes[5].get_ylabel() == "P(class 1)"
    assert fig.get_suptitle() == "sweep"
    assert "misclassified" in _legend_texts(fig.legends[0])
    _render(fig)
    rows = {round(ax.get_position().y0, 3) for ax in fig.axes[:5]}
    assert len(rows) == 2  # two rows of panels


def test_sweep_grid_mixes_tasks_with_one_colorbar_per_scale(moons, blobs):
    panels = []
    tasks = ("multiclass", "regression", "binary", "regression")
    for hidden, task in zip((0, 1, 2, 0), tasks, strict=True):
        model, X, y = _trained(task, hidden, moons, blobs, epochs=5)
        panels.append({"model": model, "X": X, "y": y, "title": task})
    fig = plots.sweep_grid(panels, ncols=2, resolution=20)
    assert len(fig.axes) == 4 + 2  # probability and regression colorbars
    assert {ax.get_ylabel() for ax in fig.axes[4:]} | {
        ax.get_xlabel() for ax in fig.axes[4:]
    } >= {"P(class 1)", "prediction"}
    # The regression panels share one colour scale.
    reg = [ax.images[0] for ax in (fig.axes[1], fig.axes[3])]
    assert reg[0].norm.vmin == reg[1].norm.vmin and reg[0].norm.vmax == reg[1].norm.vmax
    assert "class 2" in _legend_texts(fig.legends[0])
    _render(fig)


def test_sweep_grid_of_class_regions_has_no_colorbar(blobs):
    X, y, centers = blobs
    panels = [
        {"predict": lambda P: -((P[:, None] - centers) ** 2).sum(2), "X": X, "y": y}
    ] * 2
    fig = plots.sweep_grid(panels, resolution=10)
    assert len(fig.axes) == 2


@pytest.mark.parametrize(
    ("panels", "error", "match"),
    [
        ([], ValueError, "empty"),
        ([{"X": np.zeros((2, 2))}], ValueError, "exactly one of 'model' or 'predict'"),
        ([{"model": abs, "X": np.zeros((2, 2)), "titel": "x"}], ValueError, "titel"),
        ([{"model": abs}], ValueError, "no 'X'"),
        ([{"model": abs, "X": np.zeros((2, 3))}], ValueError, "2-D input plane"),
        ({"model": abs}, TypeError, "list of dicts"),
        (["panel"], TypeError, r"panels\[0\]"),
    ],
)
def test_sweep_grid_refuses_bad_panels(panels, error, match):
    with pytest.raises(error, match=match):
        plots.sweep_grid(panels)


# -- save ----------------------------------------------------------------------
def test_save_creates_folders_and_picks_the_format(tmp_path):
    fig = plots.loss_curves({"a": [1.0, 0.5]})
    png = plots.save(fig, tmp_path / "a" / "b" / "loss")
    assert png == tmp_path / "a" / "b" / "loss.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plots.save(fig, str(tmp_path / "loss.svg"))
    assert b"<svg" in svg.read_bytes()[:500]
    with pytest.raises(TypeError, match="Figure"):
        plots.save(Axes, tmp_path / "x.png")


def test_a_model_on_feature_crosses_is_drawn_in_the_original_plane():
    """A single neuron on x1, x2, x1*x2 learns XOR; its boundary is drawn over
    x1 and x2, with each quadrant in the colour of its class."""
    X, y = ml.datasets.make_xor(200, noise=0.0, seed=0)
    model = ml.Sequential(
        [ml.Features("x1, x2, x1*x2"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    model.compile("binary_crossentropy", ml.SGD(learning_rate=2.0), ["accuracy"])
    model.fit(X, y, epochs=500)
    assert model.evaluate(X, y)["accuracy"] == 1.0
    fig = plots.decision_boundary(model, X, y, resolution=150)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    _hide_points(ax)
    image = _render(fig)
    ends = [ax.images[0].cmap(0.0), ax.images[0].cmap(1.0)]
    quadrants = {(0.6, 0.6): 0, (-0.6, -0.6): 0, (-0.6, 0.6): 1, (0.6, -0.6): 1}
    for xy, label in quadrants.items():
        assert _nearest(_pixel(ax, image, xy), ends) == label, xy


def test_sweep_grid_takes_sweep_results_as_they_are():
    base = ml.RunConfig(samples=60, epochs=5, test_size=0.25)
    results = ml.sweep.run(base, {"hidden": ["1", "4"]})
    fig = plots.sweep_grid(results, resolution=10)
    titles = [ax.get_title() for ax in fig.axes[:2]]
    for title, r in zip(titles, results, strict=True):
        assert title.startswith(f"hidden={r.config.hidden[0]}")
        assert f"test acc {100 * r.metrics['test_accuracy']:.1f}%" in title
