import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlplab import activations

NAMES = activations.names()
ELEMENTWISE = [n for n in NAMES if n != "softmax"]
KINKED = {"relu", "leaky_relu"}  # not differentiable at 0

# Independent reference formulas, written naively on moderate inputs.
REFERENCE = {
    "linear": lambda z: z,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: z * (z > 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
    "exp": lambda z: np.e**z,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}

moderate = arrays(np.float64, (4, 3), elements=st.floats(-8, 8))
logits = arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(1, 6)),
    elements=st.floats(-1e4, 1e4),
)


@pytest.mark.parametrize("name", NAMES)
@given(Z=moderate)
@settings(max_examples=30, deadline=None)
def test_forward_matches_reference(name, Z):
    np.testing.assert_allclose(
        activations.get(name)(Z), REFERENCE[name](Z), rtol=1e-12, atol=1e-15
    )


@given(Z=logits)
@settings(max_examples=60, deadline=None)
def test_softmax_rows_sum_to_one_and_stay_finite(Z):
    A = activations.get("softmax")(Z)
    assert np.isfinite(A).all()
    assert (A >= 0).all()
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(Z=moderate)
@settings(max_examples=40, deadline=None)
def test_derivative_matches_centered_difference(name, Z):
    act = activations.get(name)
    if name in KINKED:
        Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)
    h = 1e-6
    numeric = (act(Z + h) - act(Z - h)) / (2 * h)
    A = act(Z)
    np.testing.assert_allclose(act.derivative(Z, A), numeric, rtol=1e-6, atol=1e-8)
    dA = np.linspace(-1, 1, Z.size).reshape(Z.shape)
    np.testing.assert_allclose(
        act.backward(dA, Z, A), dA * numeric, rtol=1e-6, atol=1e-8
    )


@given(Z=moderate)
@settings(max_examples=40, deadline=None)
def test_softmax_backward_is_the_jacobian_vector_product(Z):
    act = activations.get("softmax")
    dA = np.cos(np.arange(Z.size)).reshape(Z.shape)
    # d/dZ of sum(dA * softmax(Z)), by centered differences, entry by entry.
    numeric = np.zeros_like(Z)
    h = 1e-6
    for idx in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[idx] += h
        Zm[idx] -= h
        numeric[idx] = (np.sum(dA * act(Zp)) - np.sum(dA * act(Zm))) / (2 * h)
    np.testing.assert_allclose(
        act.backward(dA, Z, act(Z)), numeric, rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_no_overflow_at_extreme_inputs(name, dtype):
    # filterwarnings=error turns any overflow / invalid warning into a failure.
    Z = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 1e4]], dtype=dtype)
    act = activations.get(name)
    A = act(Z)
    assert A.dtype == dtype
    assert np.isfinite(A).all()
    dZ = act.backward(np.ones_like(Z), Z, A)
    assert dZ.dtype == dtype
    assert np.isfinite(dZ).all()
    if name != "softmax":
        assert np.isfinite(act.derivative(Z, A)).all()


def test_saturated_values():
    Z = np.array([[-1000.0, 1000.0]])
    np.testing.assert_allclose(activations.get("sigmoid")(Z), [[0.0, 1.0]], atol=1e-308)
    np.testing.assert_array_equal(activations.get("tanh")(Z), [[-1.0, 1.0]])
    np.testing.assert_array_equal(activations.get("elu")(Z), [[-1.0, 1000.0]])
    # exp stops at the largest float instead of overflowing to inf
    top = activations.get("exp")(Z)
    assert top[0, 0] == 0.0 and np.isfinite(top[0, 1])
    assert top[0, 1] > np.finfo(np.float64).max / 2
    top32 = activations.get("exp")(Z.astype(np.float32))
    assert top32.dtype == np.float32 and np.isfinite(top32[0, 1])
    assert top32[0, 1] > np.finfo(np.float32).max / 2
    # sigmoid keeps relative precision far into the negative tail
    assert activations.get("sigmoid")(np.array([[-700.0]]))[0, 0] == pytest.approx(
        np.exp(-700.0), rel=1e-12
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_out_buffers_are_filled_and_returned(name, dtype):
    act = activations.get(name)
    Z = np.array([[-2.0, 0.5, 3.0], [1.0, -0.25, 0.0]], dtype=dtype)
    expected = act(Z)
    buf = np.full_like(Z, np.nan)
    assert act.forward(Z, out=buf) is buf
    np.testing.assert_array_equal(buf, expected)
    dA = np.linspace(-1, 1, Z.size, dtype=dtype).reshape(Z.shape)
    dZ = np.full_like(Z, np.nan)
    got = act.backward(dA, Z, buf, out=dZ)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, act.backward(dA, Z, expected), rtol=1e-6)


def test_parametrized_activations():
    Z = np.array([[-1.0, 2.0]])
    np.testing.assert_allclose(
        activations.ELU(alpha=2.0)(Z), [[2.0 * (np.exp(-1.0) - 1.0), 2.0]]
    )
    np.testing.assert_allclose(activations.LeakyReLU(alpha=0.2)(Z), [[-0.2, 2.0]])
    assert activations.get({"name": "elu", "alpha": 2.0}) == activations.ELU(2.0)
    assert activations.get("leaky_relu").alpha == 0.01
    assert activations.get("elu").alpha == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_get_round_trips_through_config(name):
    act = activations.get(name)
    assert activations.get(act) is act
    assert activations.get(act.get_config()) == act
    assert activations.get(name.upper()) == act


def test_none_is_linear_and_unknown_names_list_valid_ones():
    assert activations.get(None).name == "linear"
    with pytest.raises(ValueError, match=r"unknown activation 'relu6'.*'sigmoid'"):
        activations.get("relu6")
    with pytest.raises(TypeError, match="received 3"):
        activations.get(3)
    with pytest.raises(ValueError, match="alpha=-1"):
        activations.ELU(alpha=-1)
