import numpy as np
import pytest

from mlplab import initializers

SHAPE = (300, 200)
FAN_IN, FAN_OUT = SHAPE
EXPECTED_STD = {
    "zeros": 0.0,
    "plain": 0.01,
    "glorot_uniform": np.sqrt(2 / (FAN_IN + FAN_OUT)),
    "glorot_normal": np.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he_uniform": np.sqrt(2 / FAN_IN),
    "he_normal": np.sqrt(2 / FAN_IN),
    "lecun_normal": np.sqrt(1 / FAN_IN),
}


def test_every_initializer_is_covered():
    assert set(initializers.names()) == set(EXPECTED_STD)


@pytest.mark.parametrize("name", initializers.names())
def test_scale_shape_dtype_and_determinism(name):
    init = initializers.get(name)
    W = init(SHAPE, np.random.default_rng(0))
    assert W.shape == SHAPE and W.dtype == np.float64
    assert W.std() == pytest.approx(EXPECTED_STD[name], rel=0.03, abs=1e-12)
    assert abs(W.mean()) <= 4 * EXPECTED_STD[name] / np.sqrt(W.size)  # centered
    np.testing.assert_array_equal(W, init(SHAPE, np.random.default_rng(0)))
    assert init(SHAPE, np.random.default_rng(0), np.float32).dtype == np.float32
    if "uniform" in name:
        limit = np.sqrt(3) * EXPECTED_STD[name]
        assert np.abs(W).max() <= limit


@pytest.mark.parametrize("name", initializers.names())
def test_get_round_trip(name):
    init = initializers.get(name)
    assert initializers.get(init) is init
    assert type(initializers.get(init.get_config())) is type(init)


def test_aliases_and_unknown_names():
    assert initializers.get("xavier").name == "glorot_normal"
    assert initializers.get("He").name == "he_normal"
    with pytest.raises(ValueError, match=r"unknown initializer 'orthogonal'.*'plain'"):
        initializers.get("orthogonal")
