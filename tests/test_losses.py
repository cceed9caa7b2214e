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


@pytest.mark.parametrize("name", losses.names())
def test_gradient_matches_centered_difference(name, rng):
    loss = losses.get(name)
    if name == "categorical_crossentropy":
        Y = _one_hot(rng.integers(0, 3, size=5), 3)
    else:
        Y = rng.integers(0, 2, size=(5, 3)).astype(float)
    A = rng.uniform(0.1, 0.9, size=(5, 3))
    numeric = numerical_gradient(lambda: loss(Y, A), A, eps=1e-6)
    np.testing.assert_allclose(loss.gradient(Y, A), numeric, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
def test_fused_gradient_equals_the_chain_rule(name, rng):
    loss = losses.get(name)
    act = activations.get(loss.fused_activation)
    Z = rng.normal(size=(6, 3))
    A = act(Z)
    if name == "categorical_crossentropy":
        Y = _one_hot(rng.integers(0, 3, size=6), 3)
    else:
        Y = rng.integers(0, 2, size=(6, 3)).astype(float)
    chain = act.backward(loss.gradient(Y, A), Z, A)
    fused = loss.fused_gradient(Y, A)
    np.testing.assert_allclose(fused, chain, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fused, (A - Y) / 6, rtol=1e-14)


@pytest.mark.parametrize("name", losses.names())
def test_losses_keep_float32(name):
    Y = np.array([[1.0, 0.0]], dtype=np.float32)
    A = np.array([[0.7, 0.3]], dtype=np.float32)
    loss = losses.get(name)
    assert loss.gradient(Y, A).dtype == np.float32
    assert loss.fused_gradient(Y, A).dtype == np.float32


def test_get_accepts_aliases_and_lists_names():
    assert losses.get("mean_squared_error").name == "mse"
    assert losses.get(losses.get("mse").get_config()).name == "mse"
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'.*'squared_error'"):
        losses.get("hinge")
