"""plots.computation_graph: one step's nodes with their values and gradients."""

import numpy as np
import pytest

import mlplab as ml
from mlplab import plots


def _xor_model(loss="squared_error", hidden=3):
    layers = [ml.Dense(hidden, activation="sigmoid")] if hidden else []
    m = ml.Sequential([*layers, ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    m.compile(loss, ml.SGD(1.0))
    return m


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_nodes_carry_the_steps_values_and_gradients():
    X, y = ml.datasets.logic_gate("xor")
    model = _xor_model()
    twin = _xor_model()
    before = model.get_weights()
    fig = plots.computation_graph(model, X, y, example=1)
    # the model is not trained by drawing it
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # independently: the forward pass by hand for example 1
    W1, b1, W2, b2 = twin.get_weights()
    z1 = X[1] @ W1 + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ W2 + b2
    a2 = 1 / (1 + np.exp(-z2))
    texts = _texts(fig)
    for u in range(3):
        assert any(
            t.startswith(f"z1.{u + 1} ") and f"= {z1[u]:.3g}\n" in t for t in texts
        ), (u, z1[u])
        assert any(
            t.startswith(f"a1.{u + 1} ") and f"= {a1[u]:.3g}\n" in t for t in texts
        )
    # dL/dz2 for squared error with n = 4: (a - y) * a * (1 - a) / 4
    dz2 = (a2[0] - y[1]) * a2[0] * (1 - a2[0]) / 4
    assert any(t.startswith("z2.1 ") and f"∂L/∂z = {dz2:.3g}" in t for t in texts)
    loss = 0.5 * np.mean(
        (1 / (1 + np.exp(-((1 / (1 + np.exp(-(X @ W1 + b1)))) @ W2 + b2))) - y[:, None])
        ** 2
    )
    assert f"L = {loss:.3g}\nsquared_error" in texts


def test_edges_are_labelled_with_weights_for_a_small_network():
    X, y = ml.datasets.logic_gate("or")
    model = _xor_model(hidden=0)
    fig = plots.computation_graph(model, X, y)
    W = model.get_weights()[0]
    labels = [t for t in _texts(fig) if t.startswith("w=")]
    assert len(labels) == 2
    assert {t.split("\n")[0] for t in labels} == {f"w={w:.3g}" for w in W.ravel()}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"example": 4}, ValueError, "example=4"),
        ({"example": -1}, ValueError, "example=-1"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    X, y = ml.datasets.logic_gate("xor")
    with pytest.raises(error, match=match):
        plots.computation_graph(_xor_model(), X, y, **kwargs)


def test_an_uncompiled_model_is_refused():
    m = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    with pytest.raises(ValueError, match="compile"):
        plots.computation_graph(m, [[0.0, 1.0]], [1])


def test_a_model_not_built_yet_is_built_by_its_first_inputs():
    X, y = ml.datasets.make_moons(10, seed=0)
    m = ml.Sequential(
        [ml.Dense(2, activation="tanh"), ml.Dense(1, activation="sigmoid")], seed=0
    )
    m.compile("binary_crossentropy", "sgd")
    plots.computation_graph(m, X, y)
    assert m.built and m.input_dim == 2
    assert m.optimizer.iterations == 0  # the step was taken on a copy
