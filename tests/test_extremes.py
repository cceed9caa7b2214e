"""No overflow or underflow warning escapes at extreme inputs (the suite turns
every warning into an error), in float64 and float32: activations, their
backward passes, every loss, per-sample losses and whole training steps."""

import numpy as np
import pytest

import mlplab as ml

BIG = {
    "float64": [1e3, 1e300, np.finfo(np.float64).max],
    "float32": [1e2, 1e30, np.finfo(np.float32).max],
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ml.activations.names())
def test_activations_forward_and_backward_at_extremes(name, dtype):
    act = ml.activations.get(name)
    values = [v * s for v in BIG[dtype] for s in (1, -1)] + [0.0]
    Z = np.array([values, values[::-1]], dtype=dtype)
    A = act.forward(Z.copy())
    assert A.dtype == Z.dtype and not np.isnan(A).any()
    dZ = act.backward(np.ones_like(Z), Z, A)
    assert dZ.dtype == Z.dtype and not np.isnan(dZ).any()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ml.losses.names())
def test_losses_at_saturated_outputs(name, dtype):
    loss = ml.losses.get(name)
    tiny = np.finfo(dtype).tiny
    A = np.array([[tiny, 1.0 - np.finfo(dtype).eps], [1.0, 0.0]], dtype=dtype)
    Y = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    assert np.isfinite(loss(Y, A))
    assert np.isfinite(loss.gradient(Y, A)).all()
    assert np.isfinite(loss.per_sample(Y, A)).all()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("z", [-1e6, -800.0, -100.0, -20.0, 0.0, 30.0, 1e6])
def test_fused_binary_crossentropy_is_exact_at_any_logit(z, dtype):
    # -log(sigmoid(z)) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z),
    # also where the sigmoid's output is floored (z below -708, or -87).
    loss = ml.losses.get("binary_crossentropy")
    Z = np.full((1, 1), z, dtype=dtype)
    A = ml.activations.get("sigmoid").forward(Z)
    for y in (0.0, 1.0):
        Y = np.full((1, 1), y, dtype=dtype)
        expected = np.logaddexp(0.0, -z if y else z)  # in float64
        with np.errstate(all="raise"):
            got = loss.fused_value(Y, A, Z)
            each = loss.per_sample(Y, A, Z)
        # (1 - y) z and -log a cancel to within a few ulps of |z|
        eps = float(np.finfo(dtype).eps)
        assert got >= 0
        np.testing.assert_allclose(
            [got, each[0]], expected, rtol=4 * eps, atol=4 * eps * max(1.0, abs(z))
        )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    ("output", "loss", "units"),
    [
        ("sigmoid", "binary_crossentropy", 1),
        ("softmax", "categorical_crossentropy", 3),
        ("sigmoid", "squared_error", 1),
    ],
)
def test_a_step_on_huge_logits_stays_quiet(output, loss, units, dtype):
    model = ml.Sequential(
        [ml.Dense(units, activation=output)], input_dim=2, seed=0, dtype=dtype
    )
    big = 1e3 if dtype == "float64" else 1e2
    model.set_weights([np.full((2, units), big), np.zeros(units)])
    model.compile(loss, ml.SGD(1e-6))
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    y = [0, 1] if units == 1 else [2, 0]
    value = model.train_step(X, y)  # confidently wrong on both
    assert np.isfinite(value) and value > 0
    assert np.isfinite(model.evaluate(X, y, sample_weight=[1.0, 3.0])["loss"])


def test_the_divergence_message_names_the_remedies():
    model = ml.Sequential(
        [ml.Dense(8, activation="relu"), ml.Dense(1)], input_dim=2, seed=0
    )
    model.compile("mse", ml.SGD(10.0))
    X = np.random.default_rng(0).normal(size=(40, 2)) * 10
    with pytest.raises(ml.DivergenceError) as info:
        model.fit(X, X[:, 0] * 100, epochs=50)
    text = str(info.value)
    assert "lower learning rate" in text and "clipnorm" in text
