import numpy as np
import pytest

import mlplab as ml


@pytest.fixture
def data():
    return ml.datasets.make_moons(100, noise=0.2, seed=1)


def _model(seed=0):
    model = ml.Sequential(
        [ml.Dense(6, activation="tanh"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=seed,
    )
    model.compile(
        loss="binary_crossentropy", optimizer=ml.SGD(0.5), metrics=["accuracy"]
    )
    return model


class Recorder(ml.Callback):
    def __init__(self):
        super().__init__()
        self.events, self.weights = [], []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(f"batch {batch}")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")
        self.weights.append(self.model.get_weights())

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_hooks_are_called_in_order(data):
    X, y = data
    rec = Recorder()
    _model().fit(X, y, epochs=2, batch_size=50, callbacks=[rec])
    assert rec.events == [
        "train_begin",
        "epoch_begin 0",
        "batch 0",
        "batch 1",
        "epoch_end 0",
        "epoch_begin 1",
        "batch 0",
        "batch 1",
        "epoch_end 1",
        "train_end",
    ]
    assert rec.params["epochs"] == 2 and rec.params["batch_size"] == 50


def test_a_callback_can_stop_training(data):
    X, y = data

    class StopAt(ml.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 3:
                self.model.stop_training = True

    history = _model().fit(X, y, epochs=50, callbacks=[StopAt()])
    assert history.epoch == [0, 1, 2, 3]


def test_early_stopping_restores_the_best_weights(data):
    X, y = data
    # Validation labels are the training labels flipped, so the validation
    # loss gets worse as training gets better: the best epoch is an early one.
    rec = Recorder()
    stop = ml.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    model = _model()
    history = model.fit(
        X, y, epochs=200, validation_data=(X, 1 - y), callbacks=[stop, rec]
    )
    val = history.history["val_loss"]
    assert len(val) < 200 and stop.stopped_epoch == len(val) - 1
    assert stop.best_epoch == int(np.argmin(val))
    assert len(val) == stop.best_epoch + 1 + 3  # three epochs of patience
    for w, best in zip(model.get_weights(), rec.weights[stop.best_epoch], strict=True):
        np.testing.assert_array_equal(w, best)
    assert not np.array_equal(rec.weights[-1][0], rec.weights[stop.best_epoch][0])


def test_early_stopping_without_restoring_keeps_the_last_weights(data):
    X, y = data
    rec = Recorder()
    model = _model()
    model.fit(
        X,
        y,
        epochs=200,
        validation_data=(X, 1 - y),
        callbacks=[ml.EarlyStopping(patience=2), rec],
    )
    np.testing.assert_array_equal(model.get_weights()[0], rec.weights[-1][0])


def test_early_stopping_min_delta_and_mode(data):
    X, y = data
    # Accuracy is maximized; with a min_delta of 1 nothing counts as progress.
    stop = ml.EarlyStopping(monitor="accuracy", min_delta=1.0, patience=2)
    assert stop.mode == "max"
    history = _model().fit(X, y, epochs=50, callbacks=[stop])
    assert len(history.epoch) == 3


def test_early_stopping_names_missing_keys(data):
    X, y = data
    with pytest.raises(
        ValueError, match=r"'val_loss'.*available: \['accuracy', 'loss'\]"
    ):
        _model().fit(X, y, epochs=3, callbacks=[ml.EarlyStopping()])


def test_learning_rate_scheduler(data):
    X, y = data
    model = _model()
    sched = ml.LearningRateScheduler(lambda epoch, lr: 0.5 * 0.5**epoch)
    history = model.fit(X, y, epochs=4, callbacks=[sched])
    assert history.history["learning_rate"] == [0.5, 0.25, 0.125, 0.0625]
    one_arg = ml.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(X, y, epochs=2, callbacks=[one_arg])
    assert history.history["learning_rate"] == [0.1, 0.05]
    bad = ml.LearningRateScheduler(lambda epoch, lr: -1.0)
    with pytest.raises(ValueError, match=r"learning_rate=-1\.0"):
        model.fit(X, y, epochs=1, callbacks=[bad])


def test_callbacks_must_be_callbacks(data):
    X, y = data
    with pytest.raises(TypeError, match="Callback instances"):
        _model().fit(X, y, callbacks=[print])


def test_verbose_progress(data, capsys):
    X, y = data
    _model().fit(X, y, epochs=3, verbose=1, validation_split=0.2)
    err = capsys.readouterr().err
    assert "3/3" in err and "val_loss" in err
    _model().fit(X, y, epochs=2, verbose=2)
    err = capsys.readouterr().err
    assert "Epoch 1/2 - loss:" in err and "Epoch 2/2" in err
    _model().fit(X, y, epochs=2)
    assert capsys.readouterr().err == ""


def test_learning_rate_scheduler_refuses_to_replace_a_schedule(data):
    X, y = data
    model = _model()
    model.compile(
        loss="binary_crossentropy",
        optimizer=ml.SGD(ml.schedules.ExponentialDecay(0.1, 10, 0.5)),
    )
    with pytest.raises(ValueError, match="ExponentialDecay"):
        model.fit(X, y, callbacks=[ml.LearningRateScheduler(lambda e, lr: lr)])
