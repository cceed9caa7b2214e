"""Memory: fit holds the data once plus one batch, does not grow from epoch to
epoch, and predict works through large inputs in chunks. Measured with
tracemalloc, which sees every NumPy allocation; sizes, not times."""

import tracemalloc

import numpy as np
import pytest

import mlplab as ml


@pytest.fixture
def traced():
    tracemalloc.start()
    yield
    tracemalloc.stop()


def _model(dtype: str = "float32") -> ml.Sequential:
    model = ml.Sequential(
        [ml.Dense(64, activation="relu"), ml.Dense(10, activation="softmax")],
        input_dim=200,
        seed=0,
        dtype=dtype,
    )
    model.compile("categorical_crossentropy", ml.SGD(0.01, momentum=0.9))
    return model


def test_fit_peak_is_data_plus_a_batch_and_does_not_grow(traced):
    rng = np.random.default_rng(0)
    X = rng.random((20_000, 200), dtype=np.float32)
    y = rng.integers(0, 10, 20_000)
    model = _model()
    bs, k, item = 128, 10, 4
    baseline = (
        X.nbytes
        + X.shape[0] * k * item  # one-hot targets
        + model.count_params() * item * 2  # weights and momentum
        + bs * (64 + k) * item * 2  # one batch's Z and A
    )
    peaks = []
    for epochs in (1, 4):
        tracemalloc.reset_peak()
        model.fit(X, y, epochs=epochs, batch_size=bs, seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
    assert peaks[0] <= 1.5 * baseline, (peaks[0], baseline)
    # four epochs need no more than one (History's few floats aside)
    assert peaks[1] <= peaks[0] + 64 * 1024, peaks


def test_fit_does_not_copy_data_already_in_the_model_dtype():
    X = np.random.default_rng(0).random((50, 200), dtype=np.float32)
    model = _model()
    assert np.shares_memory(model.check_inputs(X), X)


def test_predict_on_a_million_rows_works_in_chunks(traced):
    X, _ = ml.datasets.make_moons(1_000_000, noise=0.2, seed=0)
    model = ml.Sequential(
        [ml.Dense(16, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    out = model.predict(X)
    extra = tracemalloc.get_traced_memory()[1] - before
    assert out.shape == (1_000_000, 1)
    # the output itself plus a few chunk-sized buffers, nothing like (n, 16)
    assert extra <= out.nbytes + 4 * 2**20, extra
    np.testing.assert_allclose(out[:5], model.predict(X[:5]))
