import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlplab import activations, losses
from mlplab.gradcheck import numerical_gradient

probs = arrays(np.float64, (5, 2), elements=st.sampled_from([0.0, 1.0, 0.5, 1e-300]))
labels = arrays(np.float64, (5, 2), elements=st.sampled_from([0.0, 1.0]))


def _one_hot(idx, k):
    Y = np.zeros((len(idx), k))
    Y[np.arange(len(idx)), idx] = 1
    return Y


@given(A=probs, Y=labels)
@settings(max_examples=60, deadline=None)
def test_binary_log_loss_finite_at_zero_and_one(A, Y):
    value = losses.get("binary_crossentropy")(Y, A)
    assert np.isfinite(value) and value >= 0
    assert np.isfinite(losses.get("binary_crossentropy").gradient(Y, A)).all()


@given(idx=st.lists(st.integers(0, 2), min_size=1, max_size=6), hot=st.booleans())
@settings(max_examples=40, deadline=None)
def test_categorical_log_loss_finite_at_zero_and_one(idx, hot):
    Y = _one_hot(idx, 3)
    A = Y.copy() if hot else 1.0 - Y  # certain and right, or certain and wrong
    A = A / A.sum(axis=1, keepdims=True)
    value = losses.get("categorical_crossentropy")(Y, A)
    assert np.isfinite(value) and value >= 0


def test_values_match_formulas_written_out(rng):
    Y = rng.integers(0, 2, size=(6, 2)).astype(float)
    A = rng.uniform(0.05, 0.95, size=(6, 2))
    bce = 0.0
    for i in range(6):
        for j in range(2):
            bce -= Y[i, j] * np.log(A[i, j]) + (1 - Y[i, j]) * np.log(1 - A[i, j])
    assert losses.get("binary_crossentropy")(Y, A) == pytest.approx(bce / 6, rel=1e-12)
    sq = sum((A[i, j] - Y[i, j]) ** 2 for i in range(6) for j in range(2))
    assert losses.get("squared_error")(Y, A) == pytest.approx(0.5 * sq / 12, rel=1e-12)
    assert losses.get("mse")(Y, A) == pytest.approx(sq / 12, rel=1e-12)
    Yc = _one_hot([0, 2, 1, 1, 0, 2], 3)
    Ac = rng.dirichlet(np.ones(3), size=6)
    cce = -sum(np.log(Ac[i, np.argmax(Yc[i])]) for i in range(6)) / 6
    assert losses.get("categorical_crossentropy")(Yc, Ac) == pytest.approx(cce)


def _away_from_kinks(A, rng, kinks=(0.0,)):
    """Targets Y whose residuals A - Y keep at least 0.2 from every ``|r|`` in
    ``kinks`` (where a loss is not twice differentiable), on both sides."""
    # |r| in [0.2, 0.8] + k for a random kink k, with a random sign: at least
    # 0.2 from that kink, and the kinks below are at least 1 apart.
    k = rng.choice(np.asarray(kinks), size=A.shape)
    size = rng.uniform(0.2, 0.8, size=A.shape) + k
    return A - rng.choice([-1.0, 1.0], size=A.shape) * size


def _targets_and_predictions(name, rng, shape=(5, 3)):
    """Targets in the loss's domain and predictions away from its kinks."""
    A = rng.uniform(0.1, 0.9, size=shape)
    if name == "categorical_crossentropy":
        Y = _one_hot(rng.integers(0, shape[1], size=shape[0]), shape[1])
    elif name == "binary_crossentropy":
        Y = rng.integers(0, 2, size=shape).astype(float)
    elif name == "poisson":  # counts, zeros included; predictions a > 0
        Y = rng.poisson(1.5, size=shape).astype(float)
        A = rng.uniform(0.2, 4.0, size=shape)
    elif name == "absolute_error":  # kink at a == y
        Y = _away_from_kinks(A, rng)
    elif name == "huber":  # r**2 / 2 meets delta (|r| - delta / 2) at |r| = 1
        Y = _away_from_kinks(A, rng, kinks=(0.0, 1.0))
    else:
        Y = rng.normal(size=shape)
    return Y, A


@pytest.mark.parametrize("name", losses.names())
def test_gradient_matches_centered_difference(name, rng):
    loss = losses.get(name)
    Y, A = _targets_and_predictions(name, rng)
    numeric = numerical_gradient(lambda: loss(Y, A), A, eps=1e-6)
    np.testing.assert_allclose(loss.gradient(Y, A), numeric, rtol=1e-6, atol=1e-10)


def test_huber_gradient_with_another_delta_in_both_regions(rng):
    loss = losses.Huber(delta=0.3)
    A = rng.uniform(-1, 1, size=(6, 4))
    k = rng.choice([0.0, 0.3, 1.0], size=A.shape)  # small, linear, far
    Y = A - rng.choice([-1.0, 1.0], size=A.shape) * (k + rng.uniform(0.05, 0.25))
    R = A - Y
    assert (np.abs(R) < 0.3).any() and (np.abs(R) > 0.3).any()
    numeric = numerical_gradient(lambda: loss(Y, A), A, eps=1e-6)
    grad = loss.gradient(Y, A)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(grad, np.clip(R, -0.3, 0.3) / R.size, rtol=1e-14)


FUSED = [name for name in losses.names() if losses.get(name).fused_activation]


def test_the_fused_losses():
    assert {n: losses.get(n).fused_activation for n in FUSED} == {
        "binary_crossentropy": "sigmoid",
        "categorical_crossentropy": "softmax",
        "poisson": "exp",
    }


@pytest.mark.parametrize("name", FUSED)
def test_fused_gradient_equals_the_chain_rule(name, rng):
    loss = losses.get(name)
    act = activations.get(loss.fused_activation)
    Z = rng.normal(size=(6, 3))
    A = act(Z)
    Y, _ = _targets_and_predictions(name, rng, shape=(6, 3))
    chain = act.backward(loss.gradient(Y, A), Z, A)
    fused = loss.fused_gradient(Y, A)
    np.testing.assert_allclose(fused, chain, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fused, (A - Y) / 6, rtol=1e-14)


@pytest.mark.parametrize("name", FUSED)
def test_fused_value_equals_the_value(name, rng):
    loss = losses.get(name)
    Z = rng.normal(size=(6, 3))
    A = activations.get(loss.fused_activation)(Z)
    Y, _ = _targets_and_predictions(name, rng, shape=(6, 3))
    assert loss.fused_value(Y, A, Z) == pytest.approx(loss(Y, A), rel=1e-12)


@pytest.mark.parametrize("name", losses.names())
def test_losses_keep_float32(name):
    Y = np.array([[1.0, 0.0]], dtype=np.float32)
    A = np.array([[0.7, 0.3]], dtype=np.float32)
    loss = losses.get(name)
    assert loss.gradient(Y, A).dtype == np.float32
    assert loss.fused_gradient(Y, A).dtype == np.float32
    assert loss.per_sample(Y, A).dtype == np.float32
    out = np.full_like(A, np.nan)
    assert loss.gradient(Y, A, out=out) is out
    np.testing.assert_allclose(out, loss.gradient(Y, A).astype(np.float64))


def test_new_regression_losses_match_formulas_written_out(rng):
    Y = rng.normal(size=(6, 2))
    A = rng.normal(size=(6, 2)) * 2
    absolute = huber = huber2 = 0.0
    for i in range(6):
        for j in range(2):
            r = abs(A[i, j] - Y[i, j])
            absolute += r
            huber += 0.5 * r * r if r <= 1.0 else r - 0.5
            huber2 += 0.5 * r * r if r <= 2.0 else 2.0 * (r - 1.0)
    assert losses.get("absolute_error")(Y, A) == pytest.approx(absolute / 12)
    assert losses.get("huber")(Y, A) == pytest.approx(huber / 12, rel=1e-12)
    assert losses.Huber(2.0)(Y, A) == pytest.approx(huber2 / 12, rel=1e-12)
    # A huge delta is squared_error; a tiny one delta times absolute_error.
    assert losses.Huber(1e6)(Y, A) == pytest.approx(
        losses.get("squared_error")(Y, A), rel=1e-12
    )
    assert losses.Huber(1e-9)(Y, A) == pytest.approx(
        1e-9 * losses.get("absolute_error")(Y, A), rel=1e-6
    )
    # Poisson: half the deviance, summed over outputs, y log y = 0 at y = 0
    C = np.array([[0.0, 3.0], [1.0, 0.0], [7.0, 2.0]])
    P = np.array([[0.5, 2.0], [1.0, 0.1], [5.0, 4.0]])
    dev = 0.0
    for y, a in zip(C.ravel(), P.ravel(), strict=True):
        dev += (y * np.log(y / a) if y > 0 else 0.0) - y + a
    assert losses.get("poisson")(C, P) == pytest.approx(dev / 3, rel=1e-12)
    assert losses.get("poisson")(C, C + (C == 0)) == pytest.approx(
        np.count_nonzero(C == 0) / 3  # a = y costs nothing, a = 1 at y = 0 costs 1
    )


def test_absolute_error_gradient_is_zero_at_the_target():
    Y = np.array([[1.0, 2.0, -3.0]])
    A = np.array([[1.0, 2.5, -4.0]])
    np.testing.assert_array_equal(
        losses.get("absolute_error").gradient(Y, A), [[0.0, 1 / 3, -1 / 3]]
    )


def test_poisson_matches_scikit_learn():
    from sklearn.metrics import mean_poisson_deviance
    from sklearn.neural_network._base import poisson_loss

    rng = np.random.default_rng(3)
    Y = rng.poisson(2.0, size=(40, 2)).astype(float)
    A = rng.uniform(0.1, 5.0, size=(40, 2))
    loss = losses.get("poisson")
    assert loss(Y, A) == pytest.approx(poisson_loss(Y, A), rel=1e-12)
    assert 2 * loss(Y[:, :1], A[:, :1]) == pytest.approx(
        mean_poisson_deviance(Y[:, 0], A[:, 0]), rel=1e-12
    )


def test_poisson_direct_call_floors_predictions_and_flags_negative_targets():
    loss = losses.get("poisson")
    Y = np.array([[2.0, 0.0]])
    A = np.array([[0.0, 0.0]])
    tiny = np.finfo(np.float64).tiny
    # a = 0 is floored at tiny: 2 log(2 / tiny) - 2 + tiny
    assert loss(Y, A) == pytest.approx(2 * np.log(2 / tiny) - 2, rel=1e-12)
    assert np.isfinite(loss.gradient(Y, A)).all()
    # outside the domain: NaN, as scikit-learn's, and no warning
    assert np.isnan(loss(np.array([[-1.0, 1.0]]), np.array([[1.0, 1.0]])))


@pytest.mark.parametrize("delta", [0, -1.0, np.inf, np.nan])
def test_huber_delta_must_be_positive_and_finite(delta):
    with pytest.raises(ValueError, match=re.escape(f"delta={delta!r}")):
        losses.Huber(delta)
    with pytest.raises(ValueError, match="delta"):
        losses.get({"name": "huber", "delta": delta})
    with pytest.raises(TypeError, match="delta='2'"):
        losses.Huber("2")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", losses.names())
def test_configs_round_trip(name):
    loss = losses.get(name)
    again = losses.get(loss.get_config())
    assert type(again) is type(loss) and again.get_config() == loss.get_config()


def test_huber_delta_round_trips_through_config_and_repr():
    loss = losses.get({"name": "huber", "delta": 2.0})
    assert loss.delta == 2.0 and loss.get_config() == {"name": "huber", "delta": 2.0}
    assert losses.get(loss.get_config()).delta == 2.0
    assert repr(loss) == "Huber(delta=2.0)" and repr(losses.get("mse")) == (
        "MeanSquaredError()"
    )
    assert losses.get("huber").delta == 1.0


def test_get_accepts_aliases_and_lists_names():
    assert losses.get("mean_squared_error").name == "mse"
    assert losses.get("MAE").name == losses.get("mean_absolute_error").name
    assert losses.get("mae").name == "absolute_error"
    assert losses.get(losses.get("mse").get_config()).name == "mse"
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'.*'squared_error'"):
        losses.get("hinge")


@pytest.mark.parametrize("name", losses.names())
def test_check_targets_accepts_what_the_loss_is_defined_for(name):
    loss = losses.get(name)
    Y = np.array([[0.0], [1.0], [2.0]])
    refuses_two = name == "binary_crossentropy"
    if refuses_two:
        with pytest.raises(ValueError, match=r"needs y of 0/1 labels.*\[2\.0\]"):
            loss.check_targets(Y, "y")
    else:
        assert loss.check_targets(Y, "y") is None
    negative = np.array([[-1.0], [1.0]])
    if name in ("poisson", "binary_crossentropy"):
        with pytest.raises(ValueError, match="y_val"):
            loss.check_targets(negative, "y_val")
    else:
        assert loss.check_targets(negative, "y_val") is None
