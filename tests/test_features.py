"""Feature crosses by name, the Features layer and the Rescaling layer."""

import numpy as np
import pytest

import mlplab as ml
from mlplab.features import FeatureMap, parse, transform
from mlplab.gradcheck import numerical_gradient
from mlplab.layers import deserialize

# Each expression with the formula it must equal, written independently.
EXPRESSIONS = [
    ("x1", lambda a, b, c: a),
    ("x2*x3", lambda a, b, c: b * c),
    ("x1^2", lambda a, b, c: a**2),
    ("x1**3", lambda a, b, c: a**3),
    ("x1*x1*x2", lambda a, b, c: a * a * b),
    ("sin(x1)", lambda a, b, c: np.sin(a)),
    ("cos(x2)", lambda a, b, c: np.cos(b)),
    ("tanh(x1*x2)", lambda a, b, c: np.tanh(a * b)),
    ("exp(x3)", lambda a, b, c: np.exp(c)),
    ("abs(x1)", lambda a, b, c: np.abs(a)),
    ("(x1*x2)^2", lambda a, b, c: (a * b) ** 2),
    ("sin(x1)*x2^2", lambda a, b, c: np.sin(a) * b**2),
    (" X1 * X2 ", lambda a, b, c: a * b),
]


@pytest.mark.parametrize(
    ("expr", "formula"), EXPRESSIONS, ids=[e for e, _ in EXPRESSIONS]
)
def test_each_expression_computes_its_formula(expr, formula, rng):
    X = rng.normal(size=(7, 3))
    got = transform(X, [expr])
    np.testing.assert_allclose(got[:, 0], formula(*X.T), rtol=1e-14)


@pytest.mark.parametrize(
    ("expr", "formula"), EXPRESSIONS, ids=[e for e, _ in EXPRESSIONS]
)
def test_each_expression_has_an_exact_input_gradient(expr, formula, rng):
    layer = ml.Features([expr])
    layer.build(3)
    X = rng.normal(size=(6, 3)) + 0.05  # keep abs() away from its kink
    G = rng.normal(size=(6, 1))

    def f():
        return float(np.sum(G * layer.forward(X)))

    layer.forward(X)
    dX = layer.backward(G).copy()
    np.testing.assert_allclose(dX, numerical_gradient(f, X), rtol=1e-6, atol=1e-9)


def test_canonical_names_and_several_features():
    fm = FeatureMap("x1, x2 ,x1**2, X1*X2")
    assert fm.names == ["x1", "x2", "x1^2", "x1*x2"]
    assert fm.n_inputs == 2
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    np.testing.assert_array_equal(fm.transform(X), [[2, 3, 4, 6], [-1, 0.5, 1, -0.5]])
    assert str(parse("(x1*x2)^2")) == "(x1*x2)^2"


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        ("x1+x2", "'+'"),
        ("x0", "numbered from x1"),
        ("log(x1)", "unknown function 'log'"),
        ("x1^0", "power must be"),
        ("x1^", "expected 'int'"),
        ("sin x1", "expected '('"),
        ("(x1*x2", "expected ')'"),
        ("x1,", "non-empty"),
        ("", "non-empty"),
        ("x1, x1", "appears twice"),
        ("__import__('os')", "cannot read feature"),
    ],
)
def test_malformed_features_say_what_is_wrong(spec, shown):
    with pytest.raises(ValueError) as info:
        FeatureMap(spec)
    assert shown in str(info.value)


def test_features_needing_missing_inputs_are_refused():
    with pytest.raises(ValueError, match="x3 needs at least 3 input columns"):
        ml.Sequential([ml.Features("x1*x3"), ml.Dense(1)], input_dim=2)
    with pytest.raises(TypeError, match="received 3"):
        FeatureMap([3])


def test_a_single_neuron_learns_xor_with_the_cross():
    X, y = ml.datasets.logic_gate("xor")

    def train(layers):
        model = ml.Sequential(
            [*layers, ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0
        )
        model.compile("binary_crossentropy", ml.SGD(learning_rate=1.0), ["accuracy"])
        model.fit(X, y, epochs=3000)
        return model.evaluate(X, y)["accuracy"]

    assert train([]) < 1.0  # no line separates XOR
    assert train([ml.Features("x1, x2, x1*x2")]) == 1.0


def test_model_with_features_takes_original_inputs_and_round_trips(rng):
    model = ml.Sequential(
        [
            ml.Features("x1,x2,x1*x2,sin(x1)"),
            ml.Dense(3, activation="tanh"),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=0,
    )
    assert model.layers[0].output_dim == 4
    X = rng.normal(size=(5, 2))
    clone = ml.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))
    config = model.layers[0].get_config()
    assert deserialize(config).get_config() == config


def test_whole_model_gradient_check_through_features_and_rescaling(rng):
    X = rng.normal(size=(12, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = ml.Sequential(
        [
            ml.Rescaling([2.0, 0.5], offset=[0.1, -1.0]),
            ml.Features("x1, x2, x1*x2, x2^2"),
            ml.Dense(3, activation="tanh"),
            ml.Dense(1, activation="sigmoid"),
        ],
        seed=0,
    )
    model.compile("binary_crossentropy", "sgd")
    assert ml.gradcheck(model, X, y).max_relative_error < 1e-6


def test_rescaling_forward_backward_and_config(rng):
    layer = ml.Rescaling([2.0, -0.5, 1.0], offset=3.0)
    layer.build(3)
    X = rng.normal(size=(4, 3))
    np.testing.assert_allclose(layer.forward(X), X * [2.0, -0.5, 1.0] + 3.0)
    G = rng.normal(size=(4, 3))

    def f():
        return float(np.sum(G * layer.forward(X)))

    layer.forward(X)
    np.testing.assert_allclose(
        layer.backward(G), numerical_gradient(f, X), rtol=1e-6, atol=1e-9
    )
    assert deserialize(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize(
    ("kwargs", "error", "shown"),
    [
        ({"scale": [1.0, np.nan]}, ValueError, "finite"),
        ({"scale": "big"}, TypeError, "'big'"),
        ({"offset": [[1.0]]}, ValueError, "1-D"),
    ],
)
def test_rescaling_bad_values(kwargs, error, shown):
    with pytest.raises(error, match=shown):
        ml.Rescaling(**kwargs)


def test_rescaling_size_must_match_inputs():
    with pytest.raises(ValueError, match="2 scale values for 3 input features"):
        ml.Sequential([ml.Rescaling([1.0, 2.0]), ml.Dense(1)], input_dim=3)
