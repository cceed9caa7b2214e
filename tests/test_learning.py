"""The networks of the classic tutorials learn what they should."""

import numpy as np
import pytest

import mlplab as ml

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xor_with_a_2_3_1_sigmoid_network(seed):
    model = ml.Sequential(
        [ml.Dense(3, activation="sigmoid"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=seed,
    )
    model.compile(
        loss="squared_error", optimizer=ml.SGD(learning_rate=1.0), metrics=["accuracy"]
    )
    y = np.array([0, 1, 1, 0])
    history = model.fit(XOR_X, y, epochs=5000)
    assert len(history.history["loss"]) == 5000
    np.testing.assert_array_equal(model.predict_classes(XOR_X), y)
    assert model.evaluate(XOR_X, y)["accuracy"] == 1.0


def test_xor_is_beyond_a_single_neuron():
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    model.compile(
        loss="squared_error", optimizer=ml.SGD(learning_rate=1.0), metrics=["accuracy"]
    )
    model.fit(XOR_X, [0, 1, 1, 0], epochs=2000)
    assert model.evaluate(XOR_X, [0, 1, 1, 0])["accuracy"] <= 0.75


def test_a_single_sigmoid_neuron_learns_or():
    y = np.array([0, 1, 1, 1])
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    model.compile(
        loss="binary_crossentropy",
        optimizer=ml.SGD(learning_rate=1.0),
        metrics=["accuracy"],
    )
    model.fit(XOR_X, y, epochs=1000)
    np.testing.assert_array_equal(model.predict_classes(XOR_X), y)
    assert model.predict(XOR_X)[0, 0] < 0.2


def test_moons_hidden_layer_beats_logistic_regression():
    X, y = ml.datasets.make_moons(500, noise=0.2, seed=0)

    def train(hidden):
        layers = [ml.Dense(hidden, activation="tanh")] if hidden else []
        model = ml.Sequential(
            [*layers, ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0
        )
        model.compile(
            loss="binary_crossentropy",
            optimizer=ml.SGD(learning_rate=0.3),
            metrics=["accuracy"],
        )
        model.fit(X, y, epochs=5000)
        return model.evaluate(X, y)["accuracy"]

    network, logistic = train(5), train(0)
    assert network >= 0.95
    assert logistic < 0.90


def test_softmax_network_learns_three_blobs(rng):
    centers = np.array([[0, 3], [3, -2], [-3, -2]])
    labels = rng.integers(0, 3, size=300)
    X = centers[labels] + rng.normal(scale=0.7, size=(300, 2))
    model = ml.Sequential(
        [ml.Dense(8, activation="relu"), ml.Dense(3, activation="softmax")],
        input_dim=2,
        seed=0,
    )
    model.compile(
        loss="categorical_crossentropy", optimizer=ml.Adam(0.01), metrics=["accuracy"]
    )
    model.fit(X, labels, epochs=60, batch_size=32)
    assert model.evaluate(X, labels)["accuracy"] > 0.95


def test_regression_fits_a_smooth_curve(rng):
    X = rng.uniform(-2, 2, size=(200, 1))
    y = np.sin(X[:, 0])
    model = ml.Sequential(
        [ml.Dense(16, activation="tanh"), ml.Dense(1)], input_dim=1, seed=0
    )
    model.compile(loss="mse", optimizer=ml.Adam(0.01), metrics=["mae"])
    model.fit(X, y, epochs=300, batch_size=50)
    assert model.evaluate(X, y)["mae"] < 0.05
