"""Sample weights in fit and evaluate: a weighted mean of per-sample losses."""

import numpy as np
import pytest

import mlplab as ml


def _model(output="sigmoid", loss="binary_crossentropy", units=1, seed=0):
    m = ml.Sequential(
        [ml.Dense(4, activation="tanh"), ml.Dense(units, activation=output)],
        input_dim=2,
        seed=seed,
    )
    m.compile(loss, ml.SGD(0.3))
    return m


@pytest.mark.parametrize("name", ml.losses.names())
def test_per_sample_losses_average_to_the_loss(name, rng):
    loss = ml.losses.get(name)
    A = rng.uniform(0.05, 0.95, size=(7, 3))
    A /= A.sum(axis=1, keepdims=True) if name == "categorical_crossentropy" else 1
    Y = np.eye(3)[rng.integers(0, 3, size=7)]
    if name == "poisson":
        Y *= rng.integers(1, 5, size=(7, 1))  # counts
    elif name == "huber":
        Y *= rng.choice([1.0, 3.0], size=(7, 1))  # residuals inside and beyond 1
    per = loss.per_sample(Y, A)
    assert per.shape == (7,)
    assert np.mean(per) == pytest.approx(loss(Y, A), rel=1e-12)
    # each sample's value is the loss of that sample alone
    for i in (0, 6):
        assert per[i] == pytest.approx(loss(Y[i : i + 1], A[i : i + 1]), rel=1e-12)
    fused = loss.fused_activation
    if fused is not None and fused != "softmax":  # per_sample from the logits
        Z = rng.normal(size=(7, 3))
        A = ml.activations.get(fused)(Z)
        np.testing.assert_allclose(loss.per_sample(Y, A, Z), loss.per_sample(Y, A))


def test_fused_per_sample_binary_crossentropy_matches_the_plain_one(rng):
    Z = rng.normal(size=(6, 2))
    A = 1 / (1 + np.exp(-Z))
    Y = rng.integers(0, 2, size=(6, 2)).astype(float)
    loss = ml.losses.get("binary_crossentropy")
    np.testing.assert_allclose(
        loss.per_sample(Y, A, Z), loss.per_sample(Y, A), rtol=1e-10
    )


@pytest.mark.parametrize(
    ("output", "loss", "units", "labels"),
    [
        ("sigmoid", "binary_crossentropy", 1, "binary"),
        ("softmax", "categorical_crossentropy", 3, "multiclass"),
        ("linear", "mse", 1, "regression"),
        ("sigmoid", "squared_error", 1, "binary"),
        ("linear", "absolute_error", 1, "regression"),
        ("linear", "huber", 1, "regression"),
        ("exp", "poisson", 1, "counts"),
    ],
)
def test_weight_two_is_the_same_as_a_duplicated_sample(
    output, loss, units, labels, rng
):
    X = rng.normal(size=(40, 2))
    y = {
        "binary": (X[:, 0] > 0).astype(int),
        "multiclass": rng.integers(0, 3, size=40),
        "regression": X[:, 0] - X[:, 1],
        "counts": rng.poisson(np.exp(X[:, 0] / 2)),
    }[labels]
    w = np.ones(40)
    w[:7] = 2.0
    weighted = _model(output, loss, units)
    weighted.fit(X, y, epochs=30, sample_weight=w)  # full batch
    duplicated = _model(output, loss, units)
    duplicated.fit(np.vstack([X, X[:7]]), np.concatenate([y, y[:7]]), epochs=30)
    np.testing.assert_allclose(
        weighted.predict(X), duplicated.predict(X), rtol=1e-9, atol=1e-12
    )
    assert weighted.evaluate(X, y, sample_weight=w)["loss"] == pytest.approx(
        duplicated.evaluate(np.vstack([X, X[:7]]), np.concatenate([y, y[:7]]))["loss"],
        rel=1e-9,
    )


def test_zero_weight_removes_a_sample(rng):
    X = rng.normal(size=(30, 2))
    y = (X[:, 1] > 0).astype(int)
    w = np.ones(30)
    w[20:] = 0.0
    a = _model()
    a.fit(X, y, epochs=20, sample_weight=w)
    b = _model()
    b.fit(X[:20], y[:20], epochs=20)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], rtol=1e-9)


def test_weights_also_work_in_shuffled_mini_batches(rng):
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    w = np.where(y == 1, 5.0, 1.0)  # class 1 counts five times
    m = _model()
    m.fit(X, y, epochs=40, batch_size=8, sample_weight=w)
    plain = _model()
    plain.fit(X, y, epochs=40, batch_size=8)
    # weighting class 1 up raises the predicted probability of class 1
    assert m.predict(X).mean() > plain.predict(X).mean()


def test_uniform_weights_change_nothing(rng):
    X = rng.normal(size=(25, 2))
    y = (X[:, 0] > 0).astype(int)
    a, b = _model(), _model()
    a.fit(X, y, epochs=10, batch_size=5, sample_weight=np.full(25, 3.0))
    b.fit(X, y, epochs=10, batch_size=5)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], rtol=1e-12)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones(5), "5 values for 10 samples"),
        (-np.ones(10), "non-negative"),
        (np.zeros(10), "all zero"),
        (np.full(10, np.nan), "NaN"),
        (np.ones((10, 1)), "1-dimensional"),
    ],
)
def test_bad_sample_weights(weights, match, rng):
    X = rng.normal(size=(10, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=match):
        _model().fit(X, y, sample_weight=weights)
