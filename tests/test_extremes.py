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
@pytest.mark.parametrize("z", [-1e6, -800.0, -100.0, -20.0, 0.0, 30.0, 80.0])
@pytest.mark.parametrize("y", [0.0, 1.0, 7.0, 1e4])
def test_poisson_from_the_logits_is_exact_at_any_logit(z, y, dtype):
    # Half the deviance y log(y / a) - y + a with log a = z, also where exp(z)
    # underflows to 0 (below -745, or -104 in float32): then it is y (log y - z) - y.
    loss = ml.losses.get("poisson")
    Z = np.full((1, 1), z, dtype=dtype)
    Y = np.full((1, 1), y, dtype=dtype)
    # An underflow to 0 is no error (NumPy's default, and exactly what the
    # fused value is built for); overflow, invalid values and 1/0 are.
    with np.errstate(all="raise", under="ignore"):
        A = ml.activations.get("exp").forward(Z)
        got = loss.fused_value(Y, A, Z)
        each = loss.per_sample(Y, A, Z)
        grad = loss.fused_gradient(Y, A)
        dZ = ml.activations.get("exp").backward(np.ones_like(Z), Z, A)
    expected = (y * (np.log(y) - z) if y else 0.0) - y + np.exp(np.float64(z))
    eps = float(np.finfo(dtype).eps)
    scale = max(1.0, abs(y * z), y * np.log(max(y, 1.0)), np.exp(np.float64(z)))
    assert got >= 0 or got == pytest.approx(0.0, abs=8 * eps * scale)
    np.testing.assert_allclose([got, each[0]], expected, rtol=0, atol=8 * eps * scale)
    assert grad.dtype == dZ.dtype == A.dtype == np.dtype(dtype)
    assert np.isfinite(grad).all() and np.isfinite(dZ).all()
    np.testing.assert_allclose(grad, A - Y, rtol=4 * eps)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_exp_and_poisson_stay_quiet_at_huge_and_tiny_values(dtype):
    info = np.finfo(dtype)
    values = [info.max, 1e30, 800.0, 1.0, info.tiny, 0.0, -info.max, -1e30, -800.0]
    Z = np.array([values], dtype=dtype)
    exp = ml.activations.get("exp")
    loss = ml.losses.get("poisson")
    with np.errstate(all="raise", under="ignore"):
        A = exp.forward(Z.copy())
        assert A.dtype == Z.dtype and np.isfinite(A).all() and (A >= 0).all()
        assert A[0, 0] == A[0, 1] == A[0, 2] > info.max / 2  # capped, not inf
        assert A[0, -1] == A[0, -2] == A[0, -3] == 0.0  # underflows quietly
        assert np.isfinite(exp.backward(np.ones_like(Z), Z, A)).all()
        # Counts and predictions from 0 to huge, called directly.
        Y = np.array([[0.0, 1.0, 3.0, 1e6]], dtype=dtype)
        for a in (0.0, info.tiny, 1.0, 1e30):
            P = np.full_like(Y, a)
            assert np.isfinite(loss(Y, P)) and loss(Y, P) >= 0
            assert np.isfinite(loss.gradient(Y, P)).all()
            assert np.isfinite(loss.per_sample(Y, P)).all()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    ("output", "loss", "units"),
    [
        ("sigmoid", "binary_crossentropy", 1),
        ("softmax", "categorical_crossentropy", 3),
        ("sigmoid", "squared_error", 1),
        ("exp", "poisson", 1),
        ("linear", "huber", 2),
        ("linear", "absolute_error", 1),
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
    if output == "linear":
        y = np.array([[0.0, 1.0], [1.0, 0.0]])[:, :units]
    value = model.train_step(X, y)  # confidently wrong on both
    assert np.isfinite(value) and value > 0
    after = model.evaluate(X, y, sample_weight=[1.0, 3.0])["loss"]
    if loss == "poisson":
        # A confidently wrong count costs exp(z), here beyond the float range
        # after the step: the loss says so (inf), quietly.
        assert after > 0
    else:
        assert np.isfinite(after)


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
