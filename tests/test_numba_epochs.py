"""The compiled engine's epoch kernel: many epochs per call give the bits of
the same steps taken one call at a time, whatever the batch size, order,
optimizer, schedule, metric, validation or dtype; callbacks see what the
step-by-step loop shows them; divergence and stopping behave as there."""

from __future__ import annotations

import numpy as np
import pytest

import mlplab as ml
from mlplab import engine, training
from mlplab.callbacks import Callback

pytestmark = pytest.mark.skipif(
    not engine.numba_available(),
    reason="Numba is not installed (pip install mlplab[fast])",
)


class _BatchHook(Callback):
    """Any batch hook sends the compiled engine step by step (one kernel call
    per step, the metrics and the validation computed by NumPy)."""

    def on_train_batch_end(self, batch, logs=None):
        pass


class _EpochWatcher(Callback):
    """Reads the weights at each epoch's end: the kernel then runs one epoch
    per call."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.flat_params.copy())


def _data(task, n=90):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 3))
    if task == "binary":
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
    elif task == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])
    else:
        y = np.stack([np.sin(X[:, 0]), 0.3 * X[:, 1] * X[:, 2]], axis=1)
    return X, y


HEADS = {
    "binary": (1, "sigmoid", "binary_crossentropy", ["accuracy"]),
    "multiclass": (3, "softmax", "categorical_crossentropy", ["accuracy"]),
    "regression": (2, "linear", "mse", ["mse", "mae"]),
}
OPTIMIZERS = {
    "sgd": lambda: ml.SGD(0.1),
    "nesterov": lambda: ml.SGD(0.05, momentum=0.8, nesterov=True),
    "adam": lambda: ml.Adam(0.01),
    "adam-schedule": lambda: ml.Adam(ml.schedules.ExponentialDecay(0.02, 10, 0.9)),
    "rmsprop-schedule": lambda: ml.RMSprop(
        ml.schedules.StepDecay(0.003, 7, 0.5), epsilon=0.01
    ),
}


def _model(task, opt, dtype="float64", seed=2):
    units, out, loss, metrics = HEADS[task]
    model = ml.Sequential(
        [ml.Dense(6, activation="tanh"), ml.Dense(units, activation=out)],
        input_dim=3,
        seed=seed,
        dtype=dtype,
        engine="numba",
    )
    model.compile(loss, OPTIMIZERS[opt](), metrics=metrics)
    return model


def _fit_both(task, opt, epochs=25, dtype="float64", **fit):
    X, y = _data(task)
    a, b = _model(task, opt, dtype), _model(task, opt, dtype)
    ha = a.fit(X, y, epochs=epochs, **fit)
    hb = b.fit(X, y, epochs=epochs, callbacks=[_BatchHook()], **fit)
    return a, b, ha.history, hb.history


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("task", sorted(HEADS))
@pytest.mark.parametrize(
    "fit",
    [
        {},
        {"batch_size": 16},  # a smaller last batch, shuffled
        {"batch_size": 30, "shuffle": False},  # even batches in order
        {"batch_size": 1},
    ],
    ids=["full", "16-shuffled", "30-ordered", "sgd-1"],
)
def test_epochs_per_call_give_the_bits_of_steps_one_by_one(task, opt, fit):
    epochs = 4 if fit.get("batch_size") == 1 else 25
    a, b, ha, hb = _fit_both(task, opt, epochs=epochs, **fit)
    assert a.flat_params.tobytes() == b.flat_params.tobytes()
    assert a.optimizer.iterations == b.optimizer.iterations
    assert a.train_rng.bit_generator.state == b.train_rng.bit_generator.state
    assert ha["loss"] == hb["loss"]  # the same sum, in the same order
    if task != "regression":
        assert ha["accuracy"] == hb["accuracy"]  # counts: exact
    else:  # NumPy's pairwise sums against the kernel's: round-off apart
        for key in ("mse", "mae"):
            np.testing.assert_allclose(ha[key], hb[key], rtol=1e-12)
    for slot_a, slot_b in zip(
        a.optimizer.get_state()["slots"][0].values(),
        b.optimizer.get_state()["slots"][0].values(),
        strict=True,
    ):
        assert slot_a.tobytes() == slot_b.tobytes()


@pytest.mark.parametrize("task", sorted(HEADS))
def test_validation_in_the_kernel_agrees_with_evaluate(task):
    a, b, ha, hb = _fit_both(task, "adam", batch_size=20, validation_split=0.25)
    assert a.flat_params.tobytes() == b.flat_params.tobytes()
    assert list(ha) == list(hb)  # the same keys, in the same order
    val_keys = [k for k in ha if k.startswith("val_")]
    assert len(val_keys) == 1 + len(HEADS[task][3])
    for key in val_keys:
        np.testing.assert_allclose(ha[key], hb[key], rtol=1e-12, atol=1e-15)


def test_sample_weights_and_float32_full_batch():
    X, y = _data("binary")
    sw = np.random.default_rng(4).uniform(0.1, 3.0, size=X.shape[0])
    for dtype in ("float64", "float32"):
        a, b = _model("binary", "adam", dtype), _model("binary", "adam", dtype)
        ha = a.fit(X, y, epochs=30, sample_weight=sw).history
        hb = b.fit(X, y, epochs=30, sample_weight=sw, callbacks=[_BatchHook()]).history
        assert a.flat_params.dtype == np.dtype(dtype)
        assert a.flat_params.tobytes() == b.flat_params.tobytes()
        assert ha["loss"] == hb["loss"]


def test_the_piece_size_changes_no_bit(monkeypatch):
    X, y = _data("multiclass")
    big = _model("multiclass", "nesterov")
    hist_big = big.fit(X, y, epochs=40, batch_size=16).history
    monkeypatch.setattr(training, "COMPILED_PIECE", 1)  # one epoch per call
    small = _model("multiclass", "nesterov")
    trainer = training.Trainer(small, X, y, batch_size=16)
    hist_small = trainer.fit(40).history
    assert trainer._piece == 1
    assert big.flat_params.tobytes() == small.flat_params.tobytes()
    assert hist_big == hist_small


def test_a_callback_that_reads_weights_sees_every_epoch():
    X, y = _data("binary")
    watched, plain = _model("binary", "sgd"), _model("binary", "sgd")
    watcher = _EpochWatcher()
    watched.fit(X, y, epochs=6, batch_size=32, callbacks=[watcher])
    for epoch, weights in enumerate(watcher.weights):
        plain_again = _model("binary", "sgd")
        plain_again.fit(X, y, epochs=epoch + 1, batch_size=32)
        assert weights.tobytes() == plain_again.flat_params.tobytes()
    plain.fit(X, y, epochs=6, batch_size=32)
    assert watched.flat_params.tobytes() == plain.flat_params.tobytes()


class _StopAt(Callback):
    reads_logs_only = True

    def __init__(self, epoch):
        super().__init__()
        self.epoch, self.seen = epoch, []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(epoch)
        if epoch == self.epoch:
            self.model.stop_training = True


def test_a_stop_asked_by_a_log_reader_ends_its_piece(monkeypatch):
    X, y = _data("binary")
    model = _model("binary", "sgd")
    work = X.shape[0] * model.count_params()
    monkeypatch.setattr(training, "COMPILED_PIECE", 5 * work)  # 5 epochs a call
    stop = _StopAt(epoch=6)
    trainer = training.Trainer(model, X, y, callbacks=[stop])
    trainer.fit(100)
    assert trainer._piece == 5
    # the stop came at epoch 6, in the piece of epochs 5-9: it ends there
    assert stop.seen == list(range(10))
    assert trainer.epoch == 10 and len(trainer.history.history["loss"]) == 10
    same = _model("binary", "sgd")
    same.fit(X, y, epochs=10)
    assert model.flat_params.tobytes() == same.flat_params.tobytes()


@pytest.mark.parametrize("batch_size", [None, 16])
def test_divergence_inside_a_piece_is_the_step_by_step_divergence(batch_size):
    X, y = _data("regression")
    X = X * 30.0  # diverges in epoch 5 (full batch) or 1 (batches of 16)
    results = []
    for hooks in ([], [_BatchHook()]):
        model = ml.Sequential(
            [ml.Dense(8, activation="relu"), ml.Dense(2)],
            input_dim=3,
            seed=0,
            engine="numba",
        )
        model.compile("mse", ml.SGD(0.01), metrics=["mae"])
        with pytest.raises(ml.DivergenceError) as info:
            model.fit(X, y, epochs=200, batch_size=batch_size, callbacks=hooks)
        results.append((info.value.epoch, model, model.history.history["loss"]))
    (epoch_a, a, loss_a), (epoch_b, b, loss_b) = results
    assert epoch_a == epoch_b >= 1
    assert a.optimizer.iterations == b.optimizer.iterations
    assert a.flat_params.tobytes() == b.flat_params.tobytes()
    assert np.isfinite(a.flat_params).all()
    assert loss_a == loss_b and len(loss_a) == epoch_a


def test_a_sweep_run_calls_the_kernel_once_per_piece(monkeypatch):
    """The callbacks of a run (its clock, its stop on a signal) only read the
    logs: a whole short run is one kernel call."""
    from mlplab import runs
    from mlplab.config import RunConfig

    calls = []
    original = engine.CompiledStep.epochs

    def counted(self, *args):
        calls.append(args[-1])  # n_epochs
        return original(self, *args)

    monkeypatch.setattr(engine.CompiledStep, "epochs", counted)
    config = RunConfig(dataset="moons", samples=200, hidden=(4,), epochs=50)
    result = runs.train(config.replace(engine="numba"))
    assert calls == [50]
    assert len(result.metrics["loss_history"]) == 50


def test_a_numba_sweep_loads_its_kernels_before_any_run_starts():
    """The first runs of a numba sweep would otherwise count the kernels'
    load (or compilation) in their seconds."""
    import subprocess
    import sys

    script = (
        "from mlplab import _numba_kernels as K, sweep\n"
        "from mlplab.config import RunConfig\n"
        "from mlplab.rundata import load_data\n"
        "c = RunConfig(dataset='moons', samples=60, hidden=(3,), engine='numba')\n"
        "before = len(K.train_epochs.signatures)\n"
        "sweep._load_kernels(c, load_data(c))\n"
        "print(before, len(K.train_epochs.signatures))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "1"]


@pytest.mark.parametrize("batch_size", [None, 16])
def test_read_only_data_trains_as_writable_data(batch_size):
    """A memory map opened read-only (scikit-learn's checks do it) trains
    with the kernels compiled for writable arrays, to the same bits."""
    X, y = ml.datasets.make_moons(80, seed=0)
    y = y.astype(float)
    models = []
    for read_only in (False, True):
        Xc, yc = X.copy(), y.copy()
        if read_only:
            Xc.setflags(write=False)
            yc.setflags(write=False)
        model = ml.Sequential(
            [ml.Dense(4, activation="tanh"), ml.Dense(1)],
            input_dim=2,
            seed=0,
            engine="numba",
        )
        model.compile("mse", ml.SGD(0.1), metrics=["mae"])
        model.fit(Xc, yc, epochs=3, batch_size=batch_size, validation_data=(Xc, yc))
        model.loss_and_gradients(Xc, yc)
        models.append(model)
    assert models[0].flat_params.tobytes() == models[1].flat_params.tobytes()
