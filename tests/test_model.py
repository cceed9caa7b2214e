import numpy as np
import pytest

import mlplab as ml


def _net(seed=0, dtype="float64", reg=None, dropout=0.0, input_dim=2):
    layers = [
        ml.Dense(
            5, activation="tanh", kernel_initializer="he_normal", kernel_regularizer=reg
        )
    ]
    if dropout:
        layers.append(ml.Dropout(dropout))
    layers.append(ml.Dense(1, activation="sigmoid", kernel_regularizer=reg))
    return ml.Sequential(layers, input_dim=input_dim, seed=seed, dtype=dtype)


@pytest.fixture
def moons():
    return ml.datasets.make_moons(120, noise=0.2, seed=3)


def _textbook(weights, X, Y, l2):
    """The same 2-5-1 network, forward and backward, written the tutorial way."""
    W1, b1, W2, b2 = weights
    n = X.shape[0]
    A1 = np.tanh(X @ W1 + b1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    loss = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    loss += l2 * (np.sum(W1**2) + np.sum(W2**2))
    dZ2 = (A2 - Y) / n
    dW2 = A1.T @ dZ2 + 2 * l2 * W2
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2.T) * (1 - A1**2)
    dW1 = X.T @ dZ1 + 2 * l2 * W1
    db1 = dZ1.sum(axis=0)
    return loss, [dW1, db1, dW2, db2]


def test_loss_and_gradients_equal_the_textbook_formulas(moons):
    X, y = moons
    model = _net(reg=ml.L2(0.01))
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    weights = model.get_weights()
    loss, grads = model.loss_and_gradients(X, y)
    ref_loss, ref_grads = _textbook(weights, X, y.reshape(-1, 1), 0.01)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for g, r in zip(grads, ref_grads, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-15)
    # nothing was updated
    for w0, w1 in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_training_matches_a_textbook_loop(moons):
    """Mini-batch SGD with momentum, five epochs, against a flat loop."""
    X, y = moons
    Y = y.reshape(-1, 1).astype(float)
    model = _net(reg=ml.L2(0.001))
    model.compile(
        loss="binary_crossentropy", optimizer=ml.SGD(learning_rate=0.5, momentum=0.9)
    )
    weights = model.get_weights()
    velocity = [np.zeros_like(w) for w in weights]
    losses = []
    for _ in range(5):
        batch_losses = []
        for start in range(0, 120, 32):
            Xb, Yb = X[start : start + 32], Y[start : start + 32]
            loss, grads = _textbook(weights, Xb, Yb, 0.001)
            batch_losses.append(loss * len(Xb))
            for w, v, g in zip(weights, velocity, grads, strict=True):
                v *= 0.9
                v -= 0.5 * g
                w += v
        losses.append(sum(batch_losses) / 120)
    history = model.fit(X, y, epochs=5, batch_size=32, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-12)
    for w, r in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_allclose(w, r, rtol=1e-12, atol=1e-14)


def test_train_step_is_one_update_and_returns_the_loss_before(moons):
    X, y = moons
    model = _net()
    model.compile(loss="binary_crossentropy", optimizer=ml.SGD(learning_rate=0.1))
    loss, grads = model.loss_and_gradients(X, y)
    before = model.get_weights()
    assert model.train_step(X, y) == pytest.approx(loss, rel=1e-15)
    for w0, g, w1 in zip(before, grads, model.get_weights(), strict=True):
        np.testing.assert_allclose(w1, w0 - 0.1 * g, rtol=1e-14, atol=1e-16)
    assert model.optimizer.iterations == 1


def test_predict_is_x_at_w_plus_b(moons):
    X, _ = moons
    model = _net()
    W1, b1, W2, b2 = model.get_weights()
    assert W1.shape == (2, 5) and b1.shape == (5,)
    expected = 1 / (1 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-13)
    # chunked prediction gives the same numbers
    np.testing.assert_allclose(model.predict(X, batch_size=7), expected, rtol=1e-13)


def test_predict_returns_fresh_arrays(moons):
    X, _ = moons
    model = _net()
    first = model.predict(X)
    keep = first.copy()
    model.predict(X[::-1].copy())
    np.testing.assert_array_equal(first, keep)


@pytest.mark.parametrize("batch_size", [None, 1, 16])
def test_same_seed_same_bits(moons, batch_size):
    X, y = moons

    def run(seed):
        model = _net(seed=seed, dropout=0.3)
        model.compile(loss="binary_crossentropy", optimizer=ml.Adam(0.01))
        model.fit(X, y, epochs=3, batch_size=batch_size)
        return model.get_weights()

    a, b, c = run(7), run(7), run(8)
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert any(not np.array_equal(wa, wc) for wa, wc in zip(a, c, strict=True))


def test_fit_seed_fixes_shuffling_and_dropout(moons):
    X, y = moons

    def run(fit_seed):
        model = _net(seed=0, dropout=0.3)
        model.compile(loss="binary_crossentropy", optimizer="sgd")
        model.fit(X, y, epochs=2, batch_size=10, seed=fit_seed)
        return np.concatenate([w.ravel() for w in model.get_weights()])

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_batch_sizes_set_the_number_of_steps(moons):
    X, y = moons
    for batch_size, steps in [(None, 1), (1, 120), (50, 3), (500, 1)]:
        model = _net()
        model.compile(loss="binary_crossentropy", optimizer="sgd")
        model.fit(X, y, epochs=2, batch_size=batch_size)
        assert model.optimizer.iterations == 2 * steps


def test_history_and_validation(moons):
    X, y = moons
    model = _net()
    model.compile(
        loss="binary_crossentropy", optimizer=ml.SGD(0.5), metrics=["accuracy", "mse"]
    )
    history = model.fit(X, y, epochs=4, validation_split=0.25)
    assert history is model.history
    assert set(history.history) == {
        "loss",
        "accuracy",
        "mse",
        "val_loss",
        "val_accuracy",
        "val_mse",
    }
    assert all(len(v) == 4 for v in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    # validation_split holds out the last quarter, before shuffling
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(X[90:], y[90:])["loss"]
    )
    history2 = model.fit(X[:90], y[:90], epochs=2, validation_data=(X[90:], y[90:]))
    assert history2.history["val_loss"][-1] == pytest.approx(
        model.evaluate(X[90:], y[90:])["loss"]
    )


def test_loss_includes_regularization(moons):
    X, y = moons
    model = _net(reg=ml.L1L2(l1=0.01, l2=0.02))
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    W1, _, W2, _ = model.get_weights()
    penalty = 0.01 * (np.abs(W1).sum() + np.abs(W2).sum()) + 0.02 * (
        (W1**2).sum() + (W2**2).sum()
    )
    data = ml.losses.get("binary_crossentropy")(y.reshape(-1, 1), model.predict(X))
    assert model.evaluate(X, y)["loss"] == pytest.approx(data + penalty, rel=1e-12)
    assert model.loss_and_gradients(X, y)[0] == pytest.approx(data + penalty)


def test_float32_stays_float32(moons):
    X, y = moons
    sched = ml.schedules.ExponentialDecay(0.01, decay_steps=10, decay_rate=0.9)
    model = _net(dtype="float32", reg=ml.L2(0.01), dropout=0.2)
    model.compile(
        loss="binary_crossentropy", optimizer=ml.Adam(sched), metrics=["accuracy"]
    )
    model.fit(X, y, epochs=3, batch_size=16, validation_split=0.2)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(X).dtype == np.float32
    _, grads = model.loss_and_gradients(X, y)
    assert all(g.dtype == np.float32 for g in grads)
    assert all(
        s.dtype == np.float32
        for slots in model.optimizer._slots
        for s in slots.values()
    )
    assert np.isfinite(model.history.history["loss"]).all()


def test_label_formats_are_equivalent(moons):
    X, y = moons
    model = _net()
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    assert model.evaluate(X, y) == model.evaluate(X, y.reshape(-1, 1).astype(float))
    soft = ml.Sequential([ml.Dense(3, activation="softmax")], input_dim=2, seed=0)
    soft.compile(loss="categorical_crossentropy", optimizer="sgd")
    labels = np.arange(120) % 3
    one_hot = np.eye(3)[labels]
    assert soft.evaluate(X, labels) == soft.evaluate(X, one_hot)
    np.testing.assert_array_equal(soft.predict_classes(X), soft.predict(X).argmax(1))


def test_model_builds_on_first_fit(moons):
    X, y = moons
    model = ml.Sequential(
        [ml.Dense(4, activation="relu"), ml.Dense(1, activation="sigmoid")], seed=0
    )
    assert not model.built
    with pytest.raises(ValueError, match="not built"):
        model.get_weights()
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    model.fit(X, y, epochs=1)
    assert model.built and model.input_dim == 2
    assert [w.shape for w in model.get_weights()] == [(2, 4), (4,), (4, 1), (1,)]
    built_first = ml.Sequential(
        [ml.Dense(4, activation="relu"), ml.Dense(1, activation="sigmoid")],
        input_dim=2,
        seed=0,
    )
    # The same seed gives the same initial weights, built early or late.
    fresh = ml.Sequential(
        [ml.Dense(4, activation="relu"), ml.Dense(1, activation="sigmoid")], seed=0
    )
    fresh.build(2)
    for a, b in zip(built_first.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_weights_round_trip(moons):
    X, _ = moons
    a, b = _net(seed=1), _net(seed=2)
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    ws = a.get_weights()
    ws[0][0, 0] += 1.0  # get_weights returns copies
    assert a.get_weights()[0][0, 0] != ws[0][0, 0]


def test_use_bias_false_and_weight_names():
    model = ml.Sequential([ml.Dense(3, use_bias=False), ml.Dense(1)], input_dim=2)
    assert model.weight_names == ["dense/W", "dense_1/W", "dense_1/b"]
    assert model.count_params() == 2 * 3 + 3 + 1


def test_summary_lists_layers_and_parameter_counts(capsys):
    model = _net(dropout=0.5)
    model.summary()
    out = capsys.readouterr().out
    assert "dense (Dense)" in out and "dropout (Dropout)" in out
    assert "(None, 5)" in out and "tanh" in out and "sigmoid" in out
    assert f"Total params: {2 * 5 + 5 + 5 * 1 + 1}" in out
    unbuilt = ml.Sequential([ml.Dense(2)])
    unbuilt.summary()
    assert "not built" in capsys.readouterr().out


def test_config_round_trip():
    model = _net(reg=ml.L1L2(0.1, 0.2), dropout=0.25)
    clone = ml.Sequential.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    for a, b in zip(model.get_weights(), clone.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # same seed, same initial weights


def test_divergence_raises_and_keeps_finite_weights(rng):
    X = rng.normal(scale=100.0, size=(50, 3))
    y = X @ np.array([1.0, -2.0, 3.0])
    model = ml.Sequential(
        [ml.Dense(8, activation="relu"), ml.Dense(1)], input_dim=3, seed=0
    )
    model.compile(loss="mse", optimizer=ml.SGD(learning_rate=1.0))
    with pytest.raises(ml.DivergenceError, match="lower learning rate") as info:
        model.fit(X, y, epochs=100)
    err = info.value
    assert isinstance(err.epoch, int) and 0 < err.epoch < 100
    assert not np.isfinite(err.loss)
    assert err.learning_rate == 1.0
    assert all(np.isfinite(w).all() for w in model.get_weights())
    # the kept weights are the last ones that gave a finite loss
    assert np.isfinite(model.evaluate(X, y)["loss"])
    assert isinstance(err, FloatingPointError)


def test_train_step_raises_on_divergence_too():
    model = ml.Sequential([ml.Dense(1)], input_dim=1, seed=0)
    model.compile(loss="mse", optimizer="sgd")
    model.set_weights([np.array([[1e200]]), np.array([0.0])])
    with pytest.raises(ml.DivergenceError):
        model.train_step(np.array([[1e200]]), np.array([0.0]))
    assert model.get_weights()[0][0, 0] == 1e200


def test_a_deep_copy_trains_like_the_original(moons):
    import copy
    import pickle

    X, y = moons
    model = _net()
    model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    model.fit(X, y, epochs=2)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        clone.fit(X, y, epochs=20)
        model_copy = copy.deepcopy(model)
        model_copy.fit(X, y, epochs=20)
        np.testing.assert_array_equal(
            clone.get_weights()[0], model_copy.get_weights()[0]
        )
        assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
        assert np.shares_memory(clone.layers[0].params["W"], clone._flat_params)
        assert any(np.any(g) for g in clone.loss_and_gradients(X, y)[1])


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copy_of_a_used_model_predicts_from_fresh_work_arrays(moons, how):
    import copy
    import pickle

    X, y = moons
    model = _net()
    model.compile(loss="binary_crossentropy", optimizer=ml.SGD(0.5))
    model.fit(X, y, epochs=2)
    model.predict(X[:7])  # work arrays for 7 rows, with transposed views
    clone = (
        copy.deepcopy(model) if how == "deepcopy" else pickle.loads(pickle.dumps(model))
    )
    assert all(not layer._bufs for layer in clone.layers)  # nothing carried over
    X2 = X[7:14] * 2.0  # the same number of rows, other values
    np.testing.assert_array_equal(clone.predict(X2), model.predict(X2))


def test_fit_never_returns_infinite_weights():
    X = np.array([[1.0], [2.0]])
    model = ml.Sequential([ml.Dense(1)], input_dim=1, seed=0)
    model.compile(loss="mse", optimizer=ml.SGD(learning_rate=1e308))
    with pytest.raises(ml.DivergenceError, match="in epoch 1:"):
        model.fit(X, np.array([1e10, -1e10]), epochs=1)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_divergence_resets_the_optimizer_moments(rng):
    X = rng.normal(scale=100.0, size=(50, 3))
    y = X @ np.array([1.0, -2.0, 3.0])
    model = ml.Sequential([ml.Dense(1)], input_dim=3, seed=0)
    opt = ml.SGD(learning_rate=0.1, momentum=0.9)
    model.compile(loss="mse", optimizer=opt)
    with pytest.raises(ml.DivergenceError):
        model.fit(X, y, epochs=500)
    assert opt._slots is None and opt.iterations > 0
    opt.learning_rate = 1e-5
    history = model.fit(X, y, epochs=20)  # starts afresh from finite weights
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_non_finite_validation_loss_is_divergence(moons):
    X, y = moons
    model = ml.Sequential([ml.Dense(1)], input_dim=2, seed=0)
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ml.DivergenceError, match="in epoch 1:"):
        model.fit(X, y, epochs=2, validation_data=(X * 1e200, y * 1e200))


def test_compile_starts_the_optimizer_afresh(moons):
    X, y = moons
    opt = ml.Adam(0.01)
    a, b = _net(seed=1), _net(seed=1)
    a.compile(loss="binary_crossentropy", optimizer=opt)
    a.fit(X, y, epochs=3)
    b.compile(loss="binary_crossentropy", optimizer=opt)
    assert opt.iterations == 0 and opt._slots is None


def test_set_weights_refuses_values_that_overflow_float32():
    model = ml.Sequential([ml.Dense(1)], input_dim=1, seed=0, dtype="float32")
    with pytest.raises(ValueError, match="dense/W must be finite"):
        model.set_weights([np.array([[1e39]]), np.array([0.0])])


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_predict_batch_size_must_be_positive(moons, bad):
    X, _ = moons
    with pytest.raises((ValueError, TypeError), match=f"batch_size={bad}"):
        _net().predict(X, batch_size=bad)


def test_buffers_are_kept_for_the_sizes_in_use(moons):
    """Mini-batches of 32 on 103 rows (32, 7) plus chunked validation (4096,
    904): every size keeps its buffers from one epoch to the next."""
    X = np.tile(moons[0], (50, 1))[:5103]
    y = np.tile(moons[1], 50)[:5103]
    model = _net()
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    model.fit(
        X[:103], y[:103], epochs=1, batch_size=32, validation_data=(X[103:], y[103:])
    )
    cached = {n: b["Z"] for n, b in model.layers[0]._buffers._by_n.items()}
    assert set(cached) == {32, 7, 4096, 904}
    model.fit(
        X[:103], y[:103], epochs=2, batch_size=32, validation_data=(X[103:], y[103:])
    )
    for n, b in model.layers[0]._buffers._by_n.items():
        assert b["Z"] is cached[n]
