"""mlplab.plots inside a model: neuron maps, network diagram, activation gallery
and confusion matrix render for every kind of model and show what they should
(a unit's map where its weights put it, edge colours and widths from the
weights, derivatives, counts)."""

import itertools

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

import mlplab as ml
from mlplab import plots

LOW_RES = 16  # grid resolution where the picture's detail does not matter
HIDDEN = (4, 3)  # units of the hidden layers, for models of 0, 1 or 2 of them
OUTPUT = {
    "binary": ("sigmoid", 1),
    "multiclass": ("softmax", 3),
    "regression": (None, 1),
}


# -- models and data: built with a seed, untrained (the weights are what matter) --
def _model(task, hidden, first=()):
    activation, units = OUTPUT[task]
    layers = [*first]
    layers += [ml.Dense(u, activation="tanh") for u in HIDDEN[:hidden]]
    layers.append(ml.Dense(units, activation=activation))
    return ml.Sequential(layers, input_dim=2, seed=0)


def _data(task, n=40):
    X = np.random.default_rng(0).uniform(-2.5, 2.5, size=(n, 2))
    if task == "regression":
        return X, X[:, 0] - X[:, 1]
    k = 3 if task == "multiclass" else 2
    return X, np.arange(n) % k


def _tanh_model():
    """2-3-1 whose hidden units are tanh(x1), tanh(x2) and tanh(x1 - x2)."""
    model = ml.Sequential(
        [ml.Dense(3, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    W1 = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]])
    model.set_weights([W1, np.zeros(3), np.array([[1.0], [-1.0], [0.5]]), [0.0]])
    return model


# -- helpers -------------------------------------------------------------------
def _render(fig):
    """Draw ``fig`` (the layout runs); return the (height, width, 4) RGBA pixels."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _pixel(ax, image, xy):
    """RGB (0..1) at data coordinates ``xy`` of ``ax``: the median of a 3x3 block."""
    px, py = ax.transData.transform(xy)
    row, col = image.shape[0] - round(py), round(px)
    block = image[row - 1 : row + 2, col - 1 : col + 2, :3].reshape(-1, 3)
    return np.median(block, axis=0) / 255


def _is_colorbar(ax):
    return getattr(ax, "_colorbar", None) is not None


def _panels(fig):
    """The neuron-map panels: every axes but the colorbars, in order."""
    return [ax for ax in fig.axes if not _is_colorbar(ax)]


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _edges(ax, prefix="weights"):
    return [
        c
        for c in ax.collections
        if isinstance(c, LineCollection) and str(c.get_gid()).startswith(prefix)
    ]


# -- neuron_maps -----------------------------------------------------------------
@pytest.mark.parametrize("hidden", [0, 1, 2])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_neuron_maps_one_panel_per_unit_and_one_colorbar_per_row(task, hidden):
    model = _model(task, hidden)
    X, y = _data(task)
    fig = plots.neuron_maps(model, X, y, resolution=LOW_RES, title="t")
    _render(fig)
    units = list(HIDDEN[:hidden])
    n_out = OUTPUT[task][1]
    panels = _panels(fig)
    assert len(panels) == sum(units) + n_out
    assert all(len(ax.images) == 1 for ax in panels)
    assert sum(_is_colorbar(ax) for ax in fig.axes) == hidden + 1
    expected = [
        f"layer {layer + 1}, unit {u + 1}"
        for layer, n in enumerate(units)
        for u in range(n)
    ]
    expected += {
        "binary": ["output: P(class 1)"],
        "multiclass": [f"output: P(class {c})" for c in range(3)],
        "regression": ["output"],
    }[task]
    assert [ax.get_title() for ax in panels] == expected
    # The data, faintly on top of every panel.
    assert all(len(ax.collections[0].get_offsets()) > 0 for ax in panels)
    assert fig.get_suptitle() == "t"


def test_neuron_maps_shade_a_hand_set_unit_where_its_weights_put_it():
    model = _tanh_model()
    X = np.array([[-2.5, -2.5], [2.5, 2.5]])
    fig = plots.neuron_maps(model, X, resolution=120, margin=0.0)
    image = _render(fig)
    by_title = {ax.get_title(): ax for ax in _panels(fig)}
    unit1, unit2 = by_title["layer 1, unit 1"], by_title["layer 1, unit 2"]
    shading = unit1.images[0]
    low, high = (np.asarray(shading.cmap(v)[:3]) for v in (0.0, 1.0))
    assert np.linalg.norm(low - high) > 0.5
    # unit 1 is tanh(x1): the low end at x1 = -2, the high end at x1 = +2.
    for ax, left, right in [(unit1, (-2, 0), (2, 0)), (unit2, (0, -2), (0, 2))]:
        for xy, end in [(left, low), (right, high)]:
            rgb = _pixel(ax, image, xy)
            assert np.abs(rgb - end).max() < 0.08, (ax.get_title(), xy, rgb, end)
    # And the numbers under the picture: tanh(x1) over the grid, rows along x2.
    Z = np.asarray(shading.get_array())
    x = np.linspace(-2.5, 2.5, 120)
    np.testing.assert_allclose(Z, np.tile(np.tanh(x), (120, 1)), atol=1e-12)
    assert shading.get_extent() == [-2.5, 2.5, -2.5, 2.5]


def test_neuron_maps_colour_scales_follow_the_activation():
    X, _ = _data("binary")
    model = ml.Sequential(
        [
            ml.Dense(2, activation="tanh"),
            ml.Dense(2, activation="relu"),
            ml.Dense(2),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    fig = plots.neuron_maps(model, X, resolution=LOW_RES)
    panels = _panels(fig)
    norms = [(ax.images[0].norm.vmin, ax.images[0].norm.vmax) for ax in panels]
    assert norms[0] == (-1.0, 1.0)  # tanh
    assert norms[2][0] == 0.0 and norms[2][1] > 0  # relu: from 0
    assert norms[4][0] == -norms[4][1]  # linear: centred at 0
    assert norms[6] == (0.0, 1.0)  # sigmoid
    # tanh, relu and linear are on one diverging map (white at 0); sigmoid is not.
    maps = [ax.images[0].cmap for ax in panels]
    white = np.array([0.97, 0.97, 0.97])
    assert np.abs(np.asarray(maps[0](0.5)[:3]) - white).max() < 0.02
    assert np.abs(np.asarray(maps[2](0.0)[:3]) - white).max() < 0.02
    assert maps[6].name != maps[0].name


def test_neuron_maps_over_the_original_plane_through_rescaling_and_features():
    model = ml.Sequential(
        [
            ml.Rescaling(0.5),
            ml.Features("x1, x2, x1*x2"),
            ml.Dense(1, activation="tanh"),
            ml.Activation("linear"),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    model.set_weights([[[0.0], [0.0], [1.0]], [0.0], [[1.0]], [0.0]])
    X = np.array([[-2.0, -1.0], [2.0, 1.0]])
    fig = plots.neuron_maps(model, X, resolution=5, margin=0.0)
    unit = _panels(fig)[0]
    assert unit.get_title() == "layer 1, unit 1"
    G1, G2 = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 1, 5))
    # The layer's output after its Activation: tanh((x1 / 2) * (x2 / 2)).
    np.testing.assert_allclose(unit.images[0].get_array(), np.tanh(G1 * G2 / 4))
    assert unit.images[0].get_extent() == [-2.0, 2.0, -1.0, 1.0]


def test_neuron_maps_cut_wide_layers_and_pick_layers():
    X, y = _data("binary")
    model = ml.Sequential(
        [
            ml.Dense(20, activation="relu"),
            ml.Dense(3, activation="tanh"),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    fig = plots.neuron_maps(model, X, y, max_units=5, resolution=LOW_RES)
    assert len(_panels(fig)) == 5 + 3 + 1
    assert "layer 1: relu, first 5 of 20 units" in _texts(fig)
    assert "layer 2: tanh, 3 units" in _texts(fig)
    assert {"class 0", "class 1"} <= set(_texts(fig))  # the points' legend
    fig = plots.neuron_maps(model, X, layers=[2], resolution=LOW_RES)
    titles = [ax.get_title() for ax in _panels(fig)]
    assert titles == [f"layer 2, unit {u}" for u in (1, 2, 3)] + ["output: P(class 1)"]
    _render(fig)


@pytest.mark.parametrize(
    ("model", "kwargs", "error", "match"),
    [
        (None, {"X": np.zeros((5, 3))}, ValueError, r"need two inputs.*\(5, 3\)"),
        (None, {"X": np.zeros(5)}, ValueError, "need two inputs"),
        (
            ml.Sequential([ml.Dense(1)], input_dim=3, seed=0),
            {},
            ValueError,
            "need two inputs.*input_dim=3",
        ),
        (ml.Sequential([ml.Dense(1)]), {}, ValueError, "not built"),
        (None, {"layers": [3]}, ValueError, r"hidden layers among \[1\]"),
        (None, {"resolution": 1}, ValueError, "resolution"),
        (None, {"max_units": 0}, ValueError, "max_units"),
        (None, {"y": [0, 1]}, ValueError, "one value per sample"),
        ("not a model", {}, TypeError, "Sequential"),
    ],
)
def test_neuron_maps_refuse_bad_input(model, kwargs, error, match):
    args = {"X": _data("binary")[0], "resolution": 5} | kwargs
    with pytest.raises(error, match=match):
        plots.neuron_maps(_model("binary", 1) if model is None else model, **args)


# -- network_diagram ---------------------------------------------------------------
@pytest.mark.parametrize("hidden", [0, 1, 2])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_network_diagram_one_edge_per_weight_and_a_label_per_layer(task, hidden):
    model = _model(task, hidden)
    fig = plots.network_diagram(model, title="net")
    _render(fig)
    ax = fig.axes[0]
    activation, n_out = OUTPUT[task]
    widths = [2, *HIDDEN[:hidden], n_out]
    edges = _edges(ax)
    assert [c.get_gid() for c in edges] == [
        f"weights {k + 1}" for k in range(len(edges))
    ]
    assert [len(c.get_segments()) for c in edges] == [
        a * b for a, b in itertools.pairwise(widths)
    ]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    expected = ["input (2)", *(f"tanh ({u})" for u in HIDDEN[:hidden])]
    expected.append(f"{activation or 'linear'} ({n_out})")
    assert labels == expected
    assert {"x1", "x2"} <= set(_texts(fig))
    assert {"positive weight", "negative weight"} <= set(_texts(fig))
    assert ax.get_title() == "net"


def test_network_diagram_edge_colour_is_the_sign_and_width_the_size():
    model = _tanh_model()
    W1 = np.array([[0.5, -2.0, 1.0], [-0.25, 3.0, -1.5]])
    W2 = np.array([[-1.25], [0.75], [2.5]])
    model.set_weights([W1, np.zeros(3), W2, [0.0]])
    fig = plots.network_diagram(model)
    _render(fig)
    legend = fig.legends[0]
    colour = {
        t.get_text(): np.array(to_rgb(h.get_color()))
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    pos, neg = colour["positive weight"], colour["negative weight"]
    assert np.linalg.norm(pos - neg) > 0.5
    w = np.concatenate([W1.ravel(), W2.ravel()])  # edge i * n + j is W[i, j]
    edges = _edges(fig.axes[0])
    rgb = np.vstack([c.get_colors()[:, :3] for c in edges])
    assert len(rgb) == w.size
    for colour_of_edge, weight in zip(rgb, w, strict=True):
        assert np.allclose(colour_of_edge, pos if weight > 0 else neg), weight
    lw = np.concatenate([c.get_linewidths() for c in edges])
    order = np.argsort(np.abs(w))
    assert (np.diff(lw[order]) > 0).all()  # ordered like |w|
    np.testing.assert_allclose(lw / np.abs(w), lw[0] / 0.5)  # and proportional
    # Each edge's segment runs from its source node to its target node.
    first = edges[0].get_segments()
    assert first[1][0][1] == first[0][0][1] and first[3][0][1] < first[0][0][1]
    assert "width ∝ |w|, widest |w| = 3" in _texts(fig)


def test_network_diagram_shows_features_biases_and_other_layers():
    model = ml.Sequential(
        [
            ml.Features("x1, x2, x1*x2"),
            ml.Dense(3),
            ml.Activation("relu"),
            ml.Dropout(0.5),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    fig = plots.network_diagram(model, show_bias=True)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [
        "input (2)",
        "features (3)",
        "linear → relu (3)\ndropout 0.5",
        "sigmoid (1)",
    ]
    assert {"x1*x2", "P(class 1)", "+1"} <= set(_texts(fig))
    # Grey lines from each input to the features it uses: x1, x2 and x1*x2.
    (used,) = _edges(ax, "features")
    assert len(used.get_segments()) == 1 + 1 + 2
    assert [len(c.get_segments()) for c in _edges(ax)] == [3 * 3, 3 * 1]
    assert [len(c.get_segments()) for c in _edges(ax, "bias")] == [3, 1]
    _render(fig)


def test_network_diagram_cuts_wide_layers_and_draws_into_an_axes():
    model = ml.Sequential(
        [ml.Dense(40, activation="relu"), ml.Dense(2, activation="softmax")],
        input_dim=2,
        seed=0,
    )
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.network_diagram(model, ax=ax, max_units=10) is fig
    assert [len(c.get_segments()) for c in _edges(ax)] == [2 * 10, 10 * 2]
    assert "relu (40)\nfirst 10 of 40 shown" in [
        t.get_text() for t in ax.get_xticklabels()
    ]
    assert "⋮" in _texts(fig)
    assert ax.get_legend() is not None and not fig.legends
    _render(fig)


def test_network_diagram_refuses_a_model_without_weights():
    with pytest.raises(ValueError, match="not built"):
        plots.network_diagram(ml.Sequential([ml.Dense(2), ml.Dense(1)]))
    with pytest.raises(ValueError, match="max_units"):
        plots.network_diagram(_model("binary", 1), max_units=0)
    with pytest.raises(TypeError, match="Sequential"):
        plots.network_diagram(object())


# -- activation_gallery -------------------------------------------------------------
def _curve(ax, label):
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return np.asarray(line.get_xdata()), np.asarray(line.get_ydata()), line


def test_activation_gallery_one_panel_per_activation_with_its_derivative():
    fig = plots.activation_gallery()
    _render(fig)
    names = ml.activations.names()
    assert len(fig.axes) == len(names)
    for ax, name in zip(fig.axes, names, strict=True):
        assert ax.get_title().startswith(name)
        z, f, solid = _curve(ax, "f(z)")
        z2, df, dashed = _curve(ax, "f′(z)")
        assert (solid.get_linestyle(), dashed.get_linestyle()) == ("-", "--")
        assert z[0] == -4 and z[-1] == 4 and (z == z2).all()
        assert ax.get_legend() is not None
        # The derivative is the slope of the function (away from ReLU's kink).
        # Second-order differences at the ends too, and a relative margin for
        # exp's steep end (where f = f' = 54.6).
        smooth = np.abs(z) > 0.05
        slope = np.gradient(f, z, edge_order=2)
        np.testing.assert_allclose(
            df[smooth], slope[smooth], rtol=1e-3, atol=2e-3, err_msg=name
        )
    by_name = dict(zip(names, fig.axes, strict=True))
    z, df, _ = _curve(by_name["sigmoid"], "f′(z)")
    assert df.max() == pytest.approx(0.25) and z[np.argmax(df)] == 0.0
    z, df, _ = _curve(by_name["tanh"], "f′(z)")
    assert df.max() == pytest.approx(1.0) and z[np.argmax(df)] == 0.0
    assert any("not elementwise" in t for t in _texts(fig))


def test_activation_gallery_chosen_names_range_and_one_axes():
    fig = plots.activation_gallery(names=["relu", "elu"], z=(-1, 2))
    assert [ax.get_title() for ax in fig.axes] == ["relu", "elu (alpha=1)"]
    z, f, _ = _curve(fig.axes[0], "f(z)")
    assert (z[0], z[-1]) == (-1, 2)
    np.testing.assert_allclose(f, np.maximum(z, 0))
    assert not any("not elementwise" in t for t in _texts(fig))

    fig = Figure()
    ax = fig.add_subplot()
    assert plots.activation_gallery(names=["sigmoid", "tanh"], ax=ax) is fig
    curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in curves] == [
        "sigmoid",
        "derivative of sigmoid",
        "tanh",
        "derivative of tanh",
    ]
    _render(fig)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"names": ["tanh", "swish"]}, ValueError, "among.*'sigmoid'"),
        ({"names": []}, ValueError, "names"),
        ({"z": (1, 1)}, ValueError, "low < high"),
        ({"z": (0, float("inf"))}, ValueError, "finite"),
        ({"z": "ab"}, TypeError, "pair of numbers"),
    ],
)
def test_activation_gallery_refuses_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.activation_gallery(**kwargs)


# -- confusion_matrix ---------------------------------------------------------------
def _cells(ax):
    """The numbers written in the cells, as a (k, k) array of strings."""
    k = len(ax.get_xticks())
    cells = np.full((k, k), "", dtype=object)
    for t in ax.texts:
        x, y = t.get_position()
        cells[round(y), round(x)] = t.get_text()
    return cells


def test_confusion_matrix_writes_the_counts_of_a_hand_made_case():
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 0, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 0, 2, 1, 0, 2, 2])
    counts = np.zeros((3, 3), dtype=int)
    for t, p in zip(y_true, y_pred, strict=True):
        counts[t, p] += 1
    fig = plots.confusion_matrix(lambda X: y_pred, np.zeros((10, 1)), y_true)
    _render(fig)
    ax = fig.axes[0]
    assert (_cells(ax) == counts.astype(str)).all()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert fig.axes[1].get_ylabel() == "count"
    # Dark cells get white text, light cells black.
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert (colours["3"], colours["0"]) == ("white", "black")

    fig = plots.confusion_matrix(
        lambda X: y_pred,
        np.zeros((10, 1)),
        y_true,
        normalize=True,
        labels=["a", "b", "c"],
        title="t",
    )
    ax = fig.axes[0]
    fractions = counts / counts.sum(axis=1, keepdims=True)
    expected = np.vectorize(lambda v: f"{v:.2f}")(fractions)
    assert (_cells(ax) == expected).all()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == "t"
    assert fig.axes[1].get_ylabel() == "fraction of the true class"


@pytest.mark.parametrize("hidden", [0, 1, 2])
@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_confusion_matrix_of_a_model_counts_its_predictions(task, hidden):
    model = _model(task, hidden)
    X, y = _data(task)
    fig = plots.confusion_matrix(model, X, y)
    _render(fig)
    k = 3 if task == "multiclass" else 2
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (y, model.predict_classes(X)), 1)
    assert (_cells(fig.axes[0]) == C.astype(str)).all()


def test_confusion_matrix_draws_into_an_axes_and_takes_one_hot_labels():
    fig = Figure()
    ax, other = fig.subplots(1, 2)
    y = np.eye(2)[[0, 1, 1, 0]]
    out = plots.confusion_matrix(lambda X: np.array([0, 1, 0, 0]), X=None, y=y, ax=ax)
    assert out is fig and not other.texts
    assert (_cells(ax) == [["2", "0"], ["1", "1"]]).all()


@pytest.mark.parametrize(
    ("model", "y", "kwargs", "error", "match"),
    [
        ("regression", [0, 1, 0, 1], {}, ValueError, "regression"),
        (lambda X: [0, 1, 1], [0, 1, 0, 1], {}, ValueError, "4 labels but.*3"),
        (lambda X: [0, 1, 1, 0], [0, -1, 0, 1], {}, ValueError, "class labels"),
        (lambda X: [0, 1, 1, 0.5], [0, 1, 0, 1], {}, ValueError, "class labels"),
        (lambda X: [0, 2, 1, 0], [0, 1, 0, 1], {"labels": ["a", "b"]}, ValueError, "3"),
        ("text", [0, 1, 0, 1], {}, TypeError, "classifier"),
    ],
)
def test_confusion_matrix_refuses_bad_input(model, y, kwargs, error, match):
    if model == "regression":
        model = _model("regression", 1)
    elif model == "text":
        model = "not a model"
    with pytest.raises(error, match=match):
        plots.confusion_matrix(model, np.zeros((4, 2)), y, **kwargs)
