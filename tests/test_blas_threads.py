"""BLAS on one thread while the NumPy engine trains small products
(``mlplab.training.BLAS_ONE_THREAD_BELOW``): the same bits either way, the
threads given back after, the switch off and on."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import mlplab as ml
from mlplab import training


def _blas_threads() -> list[int]:
    """The thread counts of NumPy's BLAS (of every BLAS if none is NumPy's)."""
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    numpys = [i for i in blas if "numpy" in i["filepath"]]
    return [i["num_threads"] for i in numpys or blas]


class _Probe(ml.callbacks.Callback):
    """Records BLAS's thread counts at each epoch's end."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[int]] = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(_blas_threads())


def _fit(n_in, units, n, batch_size, limit, epochs=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, n_in))
    y = rng.integers(0, 3, n)
    model = ml.Sequential(
        [ml.Dense(units, activation="tanh"), ml.Dense(3, activation="softmax")],
        input_dim=n_in,
        seed=0,
    )
    model.compile("categorical_crossentropy", ml.SGD(0.05, momentum=0.9))
    probe = _Probe()
    trainer = training.Trainer(
        model, X, y, batch_size=batch_size, limit_blas=limit, callbacks=[probe]
    )
    trainer.fit(epochs)
    return model.get_weights(), probe.seen


# (inputs, units, samples, batch): below the rule's threshold, and above it
SIZES = [(2, 5, 500, None), (64, 64, 300, 32), (300, 200, 400, None)]
# below the threshold, close to it too
SMALL = [SIZES[0], SIZES[1], (100, 40, 500, 64), (512, 100, 10, 5)]


@pytest.mark.parametrize(("n_in", "units", "n", "batch_size"), SMALL)
def test_one_blas_thread_gives_the_same_bits(n_in, units, n, batch_size):
    assert n_in * units * (batch_size or n) < training.BLAS_ONE_THREAD_BELOW
    one, _ = _fit(n_in, units, n, batch_size, True)
    default, _ = _fit(n_in, units, n, batch_size, False)
    for a, b in zip(one, default, strict=True):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    ("limit", "size", "limited"),
    [(None, 0, True), (None, 2, False), (True, 2, True), (False, 0, False)],
)
def test_the_size_rule_and_the_switch(limit, size, limited):
    before = _blas_threads()
    _, seen = _fit(*SIZES[size], limit, epochs=2)
    assert _blas_threads() == before  # given back
    assert seen == [[1] * len(before) if limited else before] * 2


def test_the_module_switch_turns_the_rule_off(monkeypatch):
    before = _blas_threads()
    monkeypatch.setattr(training, "BLAS_ONE_THREAD_BELOW", 0)
    _, seen = _fit(*SIZES[0], None, epochs=1)
    assert seen == [before]


def test_limit_blas_must_be_a_bool_or_none():
    model = ml.Sequential([ml.Dense(1)], input_dim=1)
    model.compile("mse", "sgd")
    with pytest.raises(TypeError, match="limit_blas must be None, True or False"):
        training.Trainer(model, np.zeros((2, 1)), np.zeros(2), limit_blas=1)
