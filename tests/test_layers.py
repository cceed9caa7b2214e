import numpy as np
import pytest

import mlplab as ml
from mlplab.gradcheck import numerical_gradient
from mlplab.layers import deserialize


def _dense(units=3, **kw):
    layer = ml.Dense(units, bias_initializer="plain", **kw)
    layer.build(4, np.random.default_rng(0))
    return layer


@pytest.mark.parametrize("act", ml.activations.names())
def test_dense_backward_matches_numerical_gradients(act, rng):
    layer = _dense(activation=act, kernel_regularizer=None)
    X = rng.normal(size=(5, 4))
    G = rng.normal(size=(5, 3))  # upstream gradient dL/dA for L = sum(G * A)

    def f():
        return float(np.sum(G * layer.forward(X)))

    layer.forward(X)
    dX = layer.backward(G).copy()
    dW, db = layer.grads["W"].copy(), layer.grads["b"].copy()
    np.testing.assert_allclose(
        dW, numerical_gradient(f, layer.params["W"]), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(
        db, numerical_gradient(f, layer.params["b"]), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(dX, numerical_gradient(f, X), rtol=1e-6, atol=1e-9)


def test_dense_forward_is_xw_plus_b(rng):
    layer = _dense(activation="relu")
    X = rng.normal(size=(6, 4))
    expected = np.maximum(X @ layer.params["W"] + layer.params["b"], 0)
    np.testing.assert_allclose(layer.forward(X), expected, rtol=1e-14)
    no_bias = _dense(use_bias=False)
    assert set(no_bias.params) == {"W"}


def test_activation_layer_equals_dense_with_activation(rng):
    X = rng.normal(size=(5, 2))
    fused = ml.Sequential([ml.Dense(3, activation="elu")], input_dim=2, seed=4)
    split = ml.Sequential([ml.Dense(3), ml.Activation("elu")], input_dim=2, seed=4)
    np.testing.assert_array_equal(fused.predict(X), split.predict(X))


def test_dropout_in_training_and_inference(rng):
    layer = ml.Dropout(0.25)
    layer.build(50, rng)
    X = np.ones((400, 50))
    np.testing.assert_array_equal(layer.forward(X), X)  # inference: identity
    A = layer.forward(X, training=True).copy()
    kept = A != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(A[kept], 1 / 0.75)  # inverted dropout scaling
    dX = layer.backward(np.full_like(X, 2.0))
    np.testing.assert_array_equal(dX != 0, kept)  # the same mask going back
    assert abs(A.mean() - 1.0) < 0.05  # expectation preserved


def test_dropout_rate_zero_and_invalid_rates(rng):
    layer = ml.Dropout(0.0)
    layer.build(3, rng)
    X = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(layer.forward(X, training=True), X)
    for bad in (1.0, -0.1, 2):
        with pytest.raises(ValueError, match=f"rate={bad}"):
            ml.Dropout(bad)


@pytest.mark.parametrize(
    "layer",
    [
        ml.Dense(
            4,
            activation=ml.activations.ELU(2.0),
            kernel_initializer="he_normal",
            kernel_regularizer=ml.L1L2(0.1, 0.2),
            use_bias=False,
        ),
        ml.Activation("leaky_relu"),
        ml.Dropout(0.3),
    ],
    ids=["dense", "activation", "dropout"],
)
def test_layer_config_round_trip(layer):
    clone = deserialize(layer.get_config())
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()


def test_deserialize_rejects_unknown_layers():
    with pytest.raises(ValueError, match="class_name"):
        deserialize({"class_name": "Conv2D"})


def test_buffers_survive_alternating_batch_sizes(rng):
    """Batch sizes come and go (mini-batches, a last short batch, validation);
    results must not depend on which buffers were reused."""
    model = ml.Sequential(
        [ml.Dense(5, activation="tanh"), ml.Dense(2)], input_dim=3, seed=0
    )
    X = rng.normal(size=(20, 3))
    expected = {n: model.predict(X[:n]) for n in (20, 7, 3, 11, 1)}
    for n in (3, 20, 1, 11, 7, 20, 3):
        np.testing.assert_allclose(model.predict(X[:n]), expected[n], rtol=1e-15)
