"""mlplab.plots' Display objects: each plot is computed, then drawn.

The computed numbers are the model's own (its outputs on the grid, its weights,
its counts), ``plot`` draws those numbers and nothing else, and a Display
refuses bad input with the error its plotting function gives."""

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

import mlplab as ml
from mlplab import plots
from mlplab.plots._common import new_figure

RES = 12  # grid resolution: the numbers are compared exactly, at any size


# -- models and data: seeded, untrained (the numbers are what matter) -----------
def _model(output="sigmoid", units=1, hidden=(4,), first=()):
    layers = [*first, *(ml.Dense(u, activation="tanh") for u in hidden)]
    layers.append(ml.Dense(units, activation=output))
    return ml.Sequential(layers, input_dim=2, seed=0)


def _data(n=30, seed=0):
    X = np.random.default_rng(seed).uniform(-2.0, 2.0, size=(n, 2))
    return X, (X[:, 0] > X[:, 1]).astype(int)


def _grid(d):
    """The grid points of a display, row by row (x1 fastest)."""
    G1, G2 = np.meshgrid(d.x1, d.x2)
    return np.column_stack([G1.ravel(), G2.ravel()])


def _same_error(call_a, call_b):
    """Both calls raise the same exception type with the same message."""
    errors = []
    for call in (call_a, call_b):
        with pytest.raises(Exception) as info:
            call()
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]
    return errors[0]


# -- BoundaryDisplay -------------------------------------------------------------
@pytest.mark.parametrize(
    ("output", "units", "task"),
    [("sigmoid", 1, "binary"), ("softmax", 3, "multiclass"), (None, 1, "regression")],
)
def test_boundary_outputs_are_the_models_predictions_on_the_grid(output, units, task):
    model = _model(output, units)
    X, _ = _data()
    d = plots.BoundaryDisplay.from_model(model, X, resolution=RES, margin=0.25)
    assert d.task == task
    assert d.x1.shape == d.x2.shape == (RES,)
    assert d.outputs.shape == (RES, RES, units)
    np.testing.assert_array_equal(
        d.outputs.reshape(RES * RES, units), model.predict(_grid(d)).reshape(-1, units)
    )
    lo, hi = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    assert d.extent == (lo[0], hi[0], lo[1], hi[1])
    assert (d.x1[0], d.x1[-1], d.x2[0], d.x2[-1]) == d.extent


def test_boundary_marks_the_points_the_model_gets_wrong():
    model = _model()
    X, y = _data()
    X_test, y_test = _data(12, seed=1)
    d = plots.BoundaryDisplay.from_model(
        model, X, y, X_test=X_test, y_test=y_test, resolution=RES
    )
    assert d.y.dtype == np.int64
    np.testing.assert_array_equal(d.y, y)
    np.testing.assert_array_equal(
        d.misclassified, (model.predict(X)[:, 0] >= 0.5).astype(int) != y
    )
    np.testing.assert_array_equal(
        d.misclassified_test, (model.predict(X_test)[:, 0] >= 0.5) != y_test
    )
    assert d.n_classes == 2
    assert d.value_range == (0.0, 1.0)
    # Not asked for: not computed.
    quiet = plots.BoundaryDisplay.from_model(
        model, X, y, resolution=RES, misclassified=False
    )
    assert quiet.misclassified is None
    assert "misclassified" not in [
        t.get_text() for t in quiet.plot().axes[0].get_legend().get_texts()
    ]


def test_boundary_of_a_regression_has_a_value_range_and_no_classes():
    model = _model(None)
    X, _ = _data()
    y = 10.0 * X[:, 0]
    d = plots.BoundaryDisplay.from_model(model, X, y, resolution=RES)
    assert d.task == "regression"
    assert d.n_classes == 0
    assert d.misclassified is None
    values = np.concatenate([d.outputs.ravel(), y])
    assert d.value_range == (values.min(), values.max())


def test_boundary_plot_draws_the_displays_numbers():
    model = _model()
    X, y = _data()
    d = plots.BoundaryDisplay.from_model(model, X, y, resolution=RES)
    # The picture follows the display, not the model.
    d.outputs = 1.0 - d.outputs
    d.misclassified = np.arange(len(X)) < 3
    fig = d.plot(title="t")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), d.outputs[:, :, 0])
    assert ax.get_xlim() == (d.extent[0], d.extent[1])
    assert ax.get_title() == "t"
    offsets = [np.asarray(c.get_offsets()) for c in ax.collections]
    assert any(o.shape == (3, 2) and np.array_equal(o, X[:3]) for o in offsets)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "misclassified (3)" in legend
    # Drawn into a given axes: that axes' figure comes back.
    fig2 = new_figure(4, 4)
    assert d.plot(fig2.add_subplot()) is fig2


def test_boundary_regions_are_the_most_probable_class():
    model = _model("softmax", 3)
    X, _ = _data()
    d = plots.BoundaryDisplay.from_model(model, X, resolution=RES)
    regions = d.plot().axes[0].images[0].get_array()
    np.testing.assert_array_equal(regions, d.outputs.argmax(axis=2))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"X": np.zeros((4, 3))},
        {"X": [["a", "b"]]},
        {"X": np.full((3, 2), np.nan)},
        {"y": [0, 1]},
        {"y": [0.5] * 30},
        {"y_test": [0, 1]},
        {"X_test": np.zeros((2, 2)), "y_test": [0, 1, 1]},
        {"resolution": 1},
        {"margin": -1.0},
        {"model": "not a model"},
    ],
)
def test_boundary_display_refuses_what_decision_boundary_refuses(kwargs):
    X, y = _data()
    args = {"model": _model(), "X": X, "y": y, "resolution": RES, **kwargs}
    model, X, y = args.pop("model"), args.pop("X"), args.pop("y")
    error, _ = _same_error(
        lambda: plots.decision_boundary(model, X, y, **args),
        lambda: plots.BoundaryDisplay.from_model(model, X, y, **args),
    )
    assert error in (TypeError, ValueError)


# -- SweepGridDisplay ------------------------------------------------------------
def test_sweep_grid_shares_colours_and_lays_out_the_panels():
    X, y = _data()
    panels = [
        {"model": _model(), "X": X, "y": y, "title": "binary"},
        {"model": _model("softmax", 3), "X": X, "y": np.arange(30) % 4},
        {"model": _model(None), "X": X, "y": 5.0 * X[:, 0]},
        {"predict": lambda P: 3.0 * P[:, 1] - 9.0, "X": X},
    ]
    d = plots.SweepGridDisplay.from_panels(panels, ncols=3, resolution=RES)
    assert (d.nrows, d.ncols) == (2, 3)
    assert [p.task for p in d.panels] == [
        "binary",
        "multiclass",
        "regression",
        "regression",
    ]
    assert d.titles == ["binary", None, None, None]
    assert d.n_classes == 4  # the labels 0..3 of the second panel
    ranges = [p.value_range for p in d.panels[2:]]
    assert d.value_range == (min(r[0] for r in ranges), max(r[1] for r in ranges))
    for p, panel in zip(d.panels, panels, strict=True):
        f = panel.get("model")
        f = f.predict if f is not None else panel["predict"]
        np.testing.assert_array_equal(p.outputs.ravel(), np.ravel(f(_grid(p))))
    fig = d.plot(title="T")
    assert [ax.get_title() for ax in fig.axes[:1]] == ["binary"]
    assert fig.get_suptitle() == "T"


@pytest.mark.parametrize(
    "panels", [[], {"X": 1}, "abc", [{"X": np.zeros((2, 2))}], [{"model": 1}]]
)
def test_sweep_grid_display_refuses_what_sweep_grid_refuses(panels):
    _same_error(
        lambda: plots.sweep_grid(panels, resolution=RES),
        lambda: plots.SweepGridDisplay.from_panels(panels, resolution=RES),
    )


# -- curves ----------------------------------------------------------------------
def test_learning_curves_display_holds_the_history_and_its_metrics():
    h = {"loss": [0.7, 0.5], "val_loss": [0.8, 0.6], "val_f1": [0.2, 0.3], "lr": [1, 1]}
    d = plots.LearningCurvesDisplay.from_history(h)
    assert d.metrics == ["f1"]
    assert set(d.history) == set(h)
    np.testing.assert_array_equal(d.history["val_loss"], [0.8, 0.6])
    fig = d.plot(log=True, title="t")
    loss_ax, metric_ax = fig.axes
    assert loss_ax.get_yscale() == "log"
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_ydata(), d.history["loss"])
    np.testing.assert_array_equal(metric_ax.get_lines()[0].get_ydata(), [0.2, 0.3])


@pytest.mark.parametrize("history", [[1, 2], {"accuracy": [0.5]}, {"loss": [[1, 2]]}])
def test_learning_curves_display_refuses_what_learning_curves_refuses(history):
    _same_error(
        lambda: plots.learning_curves(history),
        lambda: plots.LearningCurvesDisplay.from_history(history),
    )


def test_loss_curves_display_holds_each_curve_with_its_x():
    d = plots.LossCurvesDisplay.from_curves({"a": [1.0, 0.5, np.nan], 7: [2.0]})
    assert d.labels == ["a", "7"]
    assert d.epochs
    np.testing.assert_array_equal(d.x[0], [1.0, 2.0, 3.0])
    timed = plots.LossCurvesDisplay.from_curves({"a": [1.0, 0.5]}, x={"a": [0.1, 0.3]})
    assert not timed.epochs
    line = timed.plot(xlabel="s").axes[0].get_lines()[0]
    np.testing.assert_array_equal(line.get_xdata(), [0.1, 0.3])
    np.testing.assert_array_equal(line.get_ydata(), [1.0, 0.5])


@pytest.mark.parametrize(
    ("curves", "x"),
    [
        ([1.0], None),
        ({}, None),
        ({"a": [1.0]}, {"b": [1.0]}),
        ({"a": [1.0, 2.0]}, {"a": [1.0]}),
        ({"a": "xyz"}, None),
    ],
)
def test_loss_curves_display_refuses_what_loss_curves_refuses(curves, x):
    _same_error(
        lambda: plots.loss_curves(curves, x=x),
        lambda: plots.LossCurvesDisplay.from_curves(curves, x=x),
    )


# -- GraphDisplay ----------------------------------------------------------------
def _compiled(hidden=3):
    model = _model("sigmoid", 1, hidden=(hidden,))
    model.compile("binary_crossentropy", ml.SGD(0.5))
    return model


def test_graph_weights_and_gradients_are_the_steps():
    X, y = ml.datasets.logic_gate("xor")
    model = _compiled()
    before = model.get_weights()
    d = plots.GraphDisplay.from_model(model, X, y, example=2)
    step = ml.explain.trace(_compiled(), X, y).steps[0]  # on a twin: trace trains
    W1, _, W2, _ = before
    for k, (W, rec) in enumerate(zip((W1, W2), step.layers, strict=True)):
        np.testing.assert_array_equal(d.weights[k], W)
        np.testing.assert_array_equal(d.weight_grads[k], rec["dW"])
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the model is not trained
    assert [len(c) for c in d.nodes] == [2, 3, 3, 1, 1, 1]
    assert [kind for _, kind in d.nodes[1]] == ["z"] * 3
    assert d.headers == [
        "inputs",
        "layer 1: linear",
        "layer 1: tanh",
        "layer 2: linear",
        "layer 2: sigmoid",
        "loss",
    ]
    assert d.note.startswith("values of example 3 of 4")
    assert [x for x, _ in d.positions[3]] == [3.0]
    assert d.nodes[-1][0][0].startswith(f"L = {step.loss_before:.3g}")


def test_graph_plot_writes_the_displays_nodes_where_they_are():
    X, y = ml.datasets.logic_gate("xor")
    d = plots.GraphDisplay.from_model(_compiled(), X, y)
    texts = {t.get_text(): t.get_position() for t in d.plot().axes[0].texts}
    for column, positions in zip(d.nodes, d.positions, strict=True):
        for (text, _), xy in zip(column, positions, strict=True):
            assert texts[text] == xy
    assert all(h in texts for h in d.headers)


def test_graph_cuts_wide_layers_to_max_units():
    X, y = ml.datasets.logic_gate("xor")
    d = plots.GraphDisplay.from_model(_compiled(hidden=6), X, y, max_units=4)
    assert [w.shape for w in d.weights] == [(2, 4), (4, 1)]
    assert d.cut == [False, True, True, False, False, False]
    assert d.labelled  # 2 x 4 and 4 x 1 edges drawn: few enough to label


@pytest.mark.parametrize("example", [4, -1, True, 1.0])
def test_graph_display_refuses_what_computation_graph_refuses(example):
    X, y = ml.datasets.logic_gate("xor")
    model = _compiled()
    _same_error(
        lambda: plots.computation_graph(model, X, y, example=example),
        lambda: plots.GraphDisplay.from_model(model, X, y, example=example),
    )
    uncompiled = _model()
    _same_error(
        lambda: plots.computation_graph(uncompiled, X, y),
        lambda: plots.GraphDisplay.from_model(uncompiled, X, y),
    )


# -- NeuronMapsDisplay -----------------------------------------------------------
def test_neuron_maps_are_each_layers_outputs_on_the_grid():
    model = _model("softmax", 3, hidden=(5, 2))
    X, y = _data()
    d = plots.NeuronMapsDisplay.from_model(model, X, y, resolution=RES, max_units=4)
    assert [m.shape for m in d.maps] == [(RES, RES, 4), (RES, RES, 2), (RES, RES, 3)]
    outputs = model.layer_outputs(_grid(d))
    for m, layer in zip(d.maps, (0, 1, 2), strict=True):
        k = m.shape[2]
        np.testing.assert_array_equal(m.reshape(-1, k), outputs[layer][:, :k])
    assert d.activations == ["tanh", "tanh", "softmax"]
    assert d.row_labels[0] == "layer 1: tanh, first 4 of 5 units"
    assert d.unit_titles[2] == [f"output: P(class {c})" for c in range(3)]
    assert d.cmaps == ["mlplab_diverging", "mlplab_diverging", "cividis"]
    assert d.limits == [(-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0)]
    np.testing.assert_array_equal(d.y, y)
    only_second = plots.NeuronMapsDisplay.from_model(
        model, X, layers=[2], resolution=RES
    )
    assert only_second.activations == ["tanh", "softmax"]
    assert only_second.y is None


def test_neuron_maps_of_relu_units_span_their_largest_value():
    model = ml.Sequential(
        [ml.Dense(3, activation="relu"), ml.Dense(1)], input_dim=2, seed=0
    )
    d = plots.NeuronMapsDisplay.from_model(model, _data()[0], resolution=RES)
    assert d.cmaps[0] == "mlplab_positive"
    assert d.limits[0] == (0.0, float(d.maps[0].max()))


def test_neuron_maps_plot_draws_the_displays_maps():
    d = plots.NeuronMapsDisplay.from_model(_model(), _data()[0], resolution=RES)
    d.maps[0] = -d.maps[0]
    panels = [ax for ax in d.plot(title="t").axes if ax.images]
    assert [ax.get_title() for ax in panels] == [t for ts in d.unit_titles for t in ts]
    for u, ax in enumerate(panels[:4]):
        np.testing.assert_array_equal(ax.images[0].get_array(), d.maps[0][:, :, u])
        assert ax.images[0].get_extent() == list(d.extent)


@pytest.mark.parametrize(
    ("kwargs", "model"),
    [
        ({"X": np.zeros((3, 3))}, None),
        ({"layers": [2]}, None),
        ({"max_units": 0}, None),
        ({"resolution": 1}, None),
        ({"y": [0, 1]}, None),
        ({}, "not a model"),
        ({}, ml.Sequential([ml.Dense(1)], input_dim=3)),
    ],
)
def test_neuron_maps_display_refuses_what_neuron_maps_refuses(kwargs, model):
    model = _model() if model is None else model
    args = {"X": _data()[0], "resolution": RES, **kwargs}
    _same_error(
        lambda: plots.neuron_maps(model, **args),
        lambda: plots.NeuronMapsDisplay.from_model(model, **args),
    )


# -- NetworkDiagramDisplay -------------------------------------------------------
def test_network_diagram_edges_are_the_models_weights():
    model = _model("softmax", 3, hidden=(5,))
    W1, b1, W2, b2 = model.get_weights()
    d = plots.NetworkDiagramDisplay.from_model(model, show_bias=True)
    assert d.n_units == [2, 5, 3]
    assert d.weights[0] is None
    np.testing.assert_array_equal(d.weights[1], W1)
    np.testing.assert_array_equal(d.weights[2], W2)
    np.testing.assert_array_equal(d.biases[1], b1)
    np.testing.assert_array_equal(d.biases[2], b2)
    largest = max(
        np.abs(W1).max(), np.abs(W2).max(), np.abs(b1).max(), np.abs(b2).max()
    )
    assert d.scale == largest
    assert d.names[2] == ["P(class 0)", "P(class 1)", "P(class 2)"]
    np.testing.assert_array_equal(d.y[1], [2.0, 1.0, 0.0, -1.0, -2.0])
    # The display keeps its own copy of the weights.
    model.set_weights([W1 + 1.0, b1, W2, b2])
    np.testing.assert_array_equal(d.weights[1], W1)
    assert plots.NetworkDiagramDisplay.from_model(model).biases == [None] * 3


def test_network_diagram_plot_draws_the_displays_edges():
    model = _model(hidden=(5,))
    d = plots.NetworkDiagramDisplay.from_model(model, max_units=3)
    assert [len(y) for y in d.y] == [2, 3, 1]
    assert d.weights[1].shape == (2, 3)
    assert "first 3 of 5 shown" in d.labels[1]
    ax = d.plot(title="t").axes[0]
    edges = {
        str(c.get_gid()): c for c in ax.collections if isinstance(c, LineCollection)
    }
    np.testing.assert_allclose(
        edges["weights 1"].get_linewidths(),
        d.width_per_weight * np.abs(d.weights[1].ravel()),
    )
    segments = edges["weights 2"].get_segments()
    assert [tuple(s[0]) for s in segments] == [(1.0, y) for y in d.y[1]]
    assert [t.get_text() for t in ax.get_xticklabels()] == d.labels


def test_network_diagram_links_features_to_their_inputs():
    model = ml.Sequential(
        [ml.Features("x1, x2, x1*x2"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    d = plots.NetworkDiagramDisplay.from_model(model)
    assert d.links == [None, [(0, 0), (1, 1), (0, 2), (1, 2)], None]
    assert d.names[1] == ["x1", "x2", "x1*x2"]


@pytest.mark.parametrize(
    "model",
    [
        "not a model",
        ml.Sequential([ml.Dense(1)]),
        ml.Sequential([ml.Activation("tanh")], input_dim=2),
    ],
)
def test_network_diagram_display_refuses_what_network_diagram_refuses(model):
    _same_error(
        lambda: plots.network_diagram(model),
        lambda: plots.NetworkDiagramDisplay.from_model(model),
    )
    _same_error(
        lambda: plots.network_diagram(_model(), max_units=0),
        lambda: plots.NetworkDiagramDisplay.from_model(_model(), max_units=0),
    )


# -- ActivationGalleryDisplay ----------------------------------------------------
def test_activation_gallery_values_are_the_activations():
    d = plots.ActivationGalleryDisplay.from_names(["tanh", "leaky_relu", "softmax"])
    assert d.z.shape == (801,) and 0.0 in d.z
    assert d.values.shape == d.derivatives.shape == (3, 801)
    np.testing.assert_array_equal(d.values[0], np.tanh(d.z))
    act = ml.activations.get("leaky_relu")
    np.testing.assert_array_equal(d.values[1], act.forward(d.z[:, None])[:, 0])
    np.testing.assert_allclose(d.values[2], 1 / (1 + np.exp(-d.z)), rtol=1e-12)
    assert d.titles[1].startswith("leaky_relu (")
    assert d.titles[2] == "softmax (2-class form)"
    lines = d.plot().axes[0].get_lines()[-2:]  # after the two zero lines
    np.testing.assert_array_equal(lines[0].get_ydata(), d.values[0])
    np.testing.assert_array_equal(lines[1].get_ydata(), d.derivatives[0])


@pytest.mark.parametrize(
    ("names", "z"), [(["nope"], (-4, 4)), ([], (-4, 4)), (None, (1, 1)), (None, "ab")]
)
def test_activation_gallery_display_refuses_what_the_gallery_refuses(names, z):
    _same_error(
        lambda: plots.activation_gallery(names=names, z=z),
        lambda: plots.ActivationGalleryDisplay.from_names(names, z=z),
    )


# -- ConfusionMatrixDisplay ------------------------------------------------------
def test_confusion_matrix_counts_are_the_models():
    model = _model("softmax", 3)
    X, _ = _data()
    y = np.arange(30) % 3
    d = plots.ConfusionMatrixDisplay.from_model(model, X, y, labels=list("abcd"))
    expected = ml.metrics.confusion_matrix(y, model.predict_classes(X), n_classes=4)
    np.testing.assert_array_equal(d.counts, expected)
    np.testing.assert_array_equal(d.values, expected.astype(float))
    assert d.class_names == ["a", "b", "c", "d"]
    assert d.texts == [[str(v) for v in row] for row in expected]
    assert d.value_range == (0.0, float(expected.max()))
    normalized = plots.ConfusionMatrixDisplay.from_model(model, X, y, normalize=True)
    totals = normalized.values.sum(axis=1)
    np.testing.assert_allclose(totals[totals > 0], 1.0)
    assert normalized.value_range == (0.0, 1.0)


def test_confusion_matrix_plot_writes_the_displays_texts():
    d = plots.ConfusionMatrixDisplay.from_model(
        lambda X: (X[:, 0] > 0).astype(int), np.array([[-1.0], [1.0]]), [0, 0]
    )
    d.texts = [["a", "b"], ["c", "d"]]
    fig = d.plot(title="t")
    assert isinstance(fig, Figure)
    assert [t.get_text() for t in fig.axes[0].texts] == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), d.values)


@pytest.mark.parametrize(
    ("model", "y"),
    [
        (None, [0, 1]),
        (None, [-1] * 30),
        ("regression", None),
        ("not callable", None),
        (None, np.arange(30) % 3),  # labels= names too few classes, below
    ],
)
def test_confusion_matrix_display_refuses_what_confusion_matrix_refuses(model, y):
    X, y0 = _data()
    model = {None: _model(), "regression": _model(None)}.get(model, model)
    y = y0 if y is None else y
    _same_error(
        lambda: plots.confusion_matrix(model, X, y, labels=["a", "b"]),
        lambda: plots.ConfusionMatrixDisplay.from_model(model, X, y, labels=["a", "b"]),
    )
