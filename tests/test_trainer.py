"""The Trainer: training driven epoch by epoch gives the bits of one fit."""

from __future__ import annotations

import numpy as np
import pytest

import mlplab as ml
from mlplab.training import Trainer

X, y = ml.datasets.make_moons(120, noise=0.2, seed=0)


def make(opt="adam", seed=0):
    model = ml.Sequential(
        [
            ml.Dense(6, activation="tanh"),
            ml.Dropout(0.1),
            ml.Dense(1, activation="sigmoid"),
        ],
        input_dim=2,
        seed=seed,
    )
    model.compile("binary_crossentropy", opt, metrics=["accuracy"])
    return model


class Recorder(ml.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("begin")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(epoch)

    def on_train_end(self, logs=None):
        self.calls.append("end")


@pytest.mark.parametrize("opt", ["sgd", "adam", "rmsprop"])
@pytest.mark.parametrize("batch_size", [None, 16, 1])
@pytest.mark.parametrize("chunks", [(1, 1, 1, 1, 1), (2, 3), (5,)])
def test_run_in_pieces_gives_the_bits_of_one_fit(opt, batch_size, chunks):
    epochs = sum(chunks)
    whole = make(opt)
    hist = whole.fit(X, y, epochs=epochs, batch_size=batch_size, validation_split=0.2)
    pieces = make(opt)
    trainer = Trainer(pieces, X, y, batch_size=batch_size, validation_split=0.2)
    for n in chunks:
        trainer.run(n)
    trainer.finish()
    assert trainer.epoch == epochs
    for a, b in zip(whole.get_weights(), pieces.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert trainer.history.history == hist.history


def test_callbacks_begin_once_and_end_at_finish():
    model = make()
    rec = Recorder()
    trainer = Trainer(model, X, y, callbacks=[rec], epochs=4)
    trainer.run(2)
    assert rec.calls == ["begin", 0, 1]
    trainer.run(2)
    assert rec.calls == ["begin", 0, 1, 2, 3]
    assert rec.params["epochs"] == 4
    trainer.finish()
    assert rec.calls[-1] == "end" and rec.calls.count("end") == 1
    assert model.history is trainer.history


def test_a_stopped_trainer_trains_no_more():
    model = make()
    trainer = Trainer(model, X, y)
    trainer.run(1)
    model.stop_training = True  # as a callback would
    before = model.get_weights()
    trainer.run(3)
    assert trainer.stopped and trainer.epoch == 1
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_fit_is_a_trainer():
    a, b = make(seed=3), make(seed=3)
    a.fit(X, y, epochs=7, batch_size=10, seed=5)
    Trainer(b, X, y, batch_size=10, seed=5).fit(7)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            dict(batch_size=0),
            ValueError,
            "batch_size must be >= 1; received batch_size=0",
        ),
        (dict(batch_size=2.5), TypeError, "batch_size must be an integer"),
        (dict(verbose=3), ValueError, "verbose must be 0, 1 or 2"),
        (dict(seed=-1), ValueError, "seed must be >= 0"),
        (dict(validation_split=1.0), ValueError, "validation_split must be in"),
    ],
)
def test_bad_arguments_are_refused_at_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        Trainer(make(), X, y, **kwargs)


def test_run_checks_its_epochs_and_a_model_must_be_compiled():
    trainer = Trainer(make(), X, y)
    with pytest.raises(ValueError, match="epochs must be >= 1; received epochs=0"):
        trainer.run(0)
    raw = ml.Sequential([ml.Dense(1, activation="sigmoid")], input_dim=2)
    with pytest.raises(
        ValueError, match=r"call model.compile\(loss=..., optimizer=...\) before fit"
    ):
        Trainer(raw, X, y)


def test_divergence_counts_epochs_across_runs():
    model = ml.Sequential([ml.Dense(1)], input_dim=2, seed=0)
    model.compile("mse", ml.SGD(1.0))  # too large: diverges after some epochs
    trainer = Trainer(model, X * 3, y)
    with pytest.raises(ml.DivergenceError) as err:
        for _ in range(500):
            trainer.run(1)
    assert err.value.epoch == trainer.epoch > 10
    assert np.isfinite(model.flat_params).all()  # the last finite weights
