"""Sparse inputs (scipy.sparse): the same training as on the dense matrix, up
to round-off, without ever densifying the matrix; layers that cannot take one
refuse it."""

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import mlplab as ml

FORMATS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix]
LOSSES = {
    "binary_crossentropy": ("sigmoid", 1),
    "categorical_crossentropy": ("softmax", 3),
    "mse": ("linear", 2),
}
BATCH_SIZES = [None, 5, 1]


def _sparse_data(rng, n=40, d=12, density=0.3, loss="binary_crossentropy"):
    """A dense matrix with mostly zeros, and targets for ``loss``."""
    X = rng.normal(size=(n, d)) * (rng.random((n, d)) < density)
    score = X @ rng.normal(size=(d, 3))
    if loss == "binary_crossentropy":
        y = (score[:, 0] > 0).astype(int)
    elif loss == "categorical_crossentropy":
        y = score.argmax(axis=1)
    else:
        y = score[:, :2]
    return X, y


def _model(loss="binary_crossentropy", optimizer="adam", seed=0, hidden=5):
    activation, units = LOSSES[loss]
    model = ml.Sequential(
        [ml.Dense(hidden, activation="tanh"), ml.Dense(units, activation=activation)],
        seed=seed,
    )
    model.compile(loss, optimizer, metrics=["mse"])
    return model


def _fit_both(X, y, fmt, loss="binary_crossentropy", **fit_kwargs):
    """The same model trained on the dense ``X`` and on ``fmt(X)``."""
    models = []
    for data in (X, fmt(X)):
        model = _model(loss)
        history = model.fit(data, y, **fit_kwargs)
        models.append((model, history.history))
    return models


def _assert_same_weights(a, b, rtol=1e-10):
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wb, wa, rtol=rtol, atol=1e-13)


def _forbid_densifying(monkeypatch, *matrices):
    """Make ``toarray`` and ``todense`` raise on the classes of ``matrices``
    and of their CSR forms (and every class they inherit them from)."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("the sparse matrix was densified")

    for matrix in matrices:
        for cls in (*type(matrix).__mro__, *type(matrix.tocsr()).__mro__):
            for name in ("toarray", "todense"):
                if name in vars(cls):
                    monkeypatch.setattr(cls, name, refuse)


# -- the same numbers as on the dense matrix ----------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_training_on_a_sparse_matrix_gives_the_weights_of_the_dense_one(
    fmt, loss, batch_size, rng
):
    X, y = _sparse_data(rng, loss=loss)
    epochs = 2 if batch_size == 1 else 6
    (dense, hd), (sparse, hs) = _fit_both(
        X, y, fmt, loss, epochs=epochs, batch_size=batch_size
    )
    _assert_same_weights(dense, sparse)
    for key in hd:
        np.testing.assert_allclose(hs[key], hd[key], rtol=1e-10)
    np.testing.assert_allclose(
        sparse.predict(fmt(X)), dense.predict(X), rtol=1e-10, atol=1e-14
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_wide_mini_batches_that_use_few_features(fmt, optimizer, rng):
    # Each batch of 8 uses about a tenth of the 300 features: the first
    # layer's gradient is then computed on those features only.
    X, y = _sparse_data(rng, n=64, d=300, density=0.015)
    models = []
    for data in (X, fmt(X)):
        model = _model(optimizer=optimizer)
        model.fit(data, y, epochs=4, batch_size=8)
        models.append(model)
    _assert_same_weights(*models)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unshuffled_batches_are_slices_of_the_rows(fmt, rng):
    X, y = _sparse_data(rng, n=23)
    (dense, hd), (sparse, hs) = _fit_both(
        X, y, fmt, epochs=3, batch_size=4, shuffle=False
    )
    _assert_same_weights(dense, sparse)
    np.testing.assert_allclose(hs["loss"], hd["loss"], rtol=1e-10)


@pytest.mark.parametrize("used", [0.05, 0.9])
def test_dense_layer_gradients_and_dX_from_a_sparse_batch(used, rng):
    # A Dense layer on its own: dW = X.T @ dZ and db as for the dense batch,
    # and dX = dZ @ W.T, whose work array a sparse forward pass does not make.
    X = rng.normal(size=(6, 40)) * (rng.random((6, 40)) < used)
    dA = rng.normal(size=(6, 3))
    results = []
    for data in (X, sp.csr_matrix(X)):
        layer = ml.Dense(3, activation="tanh")
        layer.build(40, np.random.default_rng(0))
        A = layer.forward(data).copy()
        dX = layer.backward(dA).copy()
        results.append((A, dX, layer.grads["W"].copy(), layer.grads["b"].copy()))
    for dense, sparse in zip(*results, strict=True):
        np.testing.assert_allclose(sparse, dense, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_weights_with_sparse_input(fmt, rng):
    X, y = _sparse_data(rng)
    sw = rng.uniform(0.1, 3.0, size=len(y))
    for batch_size in (None, 7):
        (dense, _), (sparse, _) = _fit_both(
            X, y, fmt, epochs=4, batch_size=batch_size, sample_weight=sw
        )
        _assert_same_weights(dense, sparse)
        np.testing.assert_allclose(
            sparse.evaluate(fmt(X), y, sample_weight=sw)["loss"],
            dense.evaluate(X, y, sample_weight=sw)["loss"],
            rtol=1e-12,
        )


@pytest.mark.parametrize("fmt", FORMATS)
def test_sparse_validation_data_and_validation_split(fmt, rng):
    X, y = _sparse_data(rng, n=50)
    Xv, yv = _sparse_data(rng, n=20)
    for kwargs in ({"validation_split": 0.2}, {}):
        models = []
        for data in (X, fmt(X)):
            model = _model()
            extra = kwargs or {
                "validation_data": (fmt(Xv) if data is not X else Xv, yv)
            }
            history = model.fit(data, y, epochs=3, batch_size=10, **extra)
            models.append((model, history.history))
        (dense, hd), (sparse, hs) = models
        _assert_same_weights(dense, sparse)
        np.testing.assert_allclose(hs["val_loss"], hd["val_loss"], rtol=1e-10)
        np.testing.assert_allclose(hs["val_mse"], hd["val_mse"], rtol=1e-10)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("batch_size", [None, 7, 1])
def test_predict_and_evaluate_in_chunks_of_sparse_rows(fmt, batch_size, rng):
    X, y = _sparse_data(rng, n=30)
    model = _model()
    model.fit(X, y, epochs=3)
    expected = model.predict(X)
    got = model.predict(fmt(X), batch_size=batch_size)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    dense_logs = model.evaluate(X, y)
    sparse_logs = model.evaluate(fmt(X), y, batch_size=batch_size)
    for key, value in dense_logs.items():
        assert sparse_logs[key] == pytest.approx(value, rel=1e-12)
    np.testing.assert_array_equal(
        model.predict_classes(fmt(X)), model.predict_classes(X)
    )
    for a, b in zip(model.layer_outputs(fmt(X)), model.layer_outputs(X), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("fmt", FORMATS)
def test_train_step_and_loss_and_gradients_take_sparse_batches(fmt, rng):
    X, y = _sparse_data(rng, n=12)
    dense, sparse = _model(), _model()
    dense.build(X.shape[1])
    sparse.build(X.shape[1])
    ld, gd = dense.loss_and_gradients(X, y)
    ls, gs = sparse.loss_and_gradients(fmt(X), y)
    assert ls == pytest.approx(ld, rel=1e-12)
    for a, b in zip(gd, gs, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15)
    assert sparse.train_step(fmt(X), y) == pytest.approx(dense.train_step(X, y))
    _assert_same_weights(dense, sparse)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_gradient_check_on_a_sparse_batch(loss, rng):
    X, y = _sparse_data(rng, n=8, d=6, loss=loss)
    model = _model(loss, hidden=3)
    model.build(6)
    report = ml.gradcheck(model, sp.csr_matrix(X), y)
    assert report.passed(1e-7), str(report)
    dense = ml.gradcheck(model, X, y)
    for name, grad in dense.analytic.items():
        np.testing.assert_allclose(report.analytic[name], grad, rtol=1e-10)


def test_a_float32_model_casts_the_stored_values(rng):
    X, y = _sparse_data(rng)
    models = []
    for data in (X, sp.csr_matrix(X)):
        model = ml.Sequential(
            [ml.Dense(4, activation="tanh"), ml.Dense(1, activation="sigmoid")],
            seed=0,
            dtype="float32",
        )
        model.compile("binary_crossentropy", "adam")
        model.fit(data, y, epochs=3, batch_size=8)
        models.append(model)
    assert models[1].check_inputs(sp.csr_matrix(X)).dtype == np.float32
    assert models[1].predict(sp.csr_matrix(X)).dtype == np.float32
    _assert_same_weights(*models, rtol=1e-4)


@pytest.mark.parametrize(
    "convert",
    [sp.coo_matrix, sp.coo_array, sp.lil_matrix, sp.dok_matrix, sp.csc_array],
    ids=lambda f: f.__name__,
)
def test_other_formats_are_converted_to_csr(convert, rng):
    X, y = _sparse_data(rng)
    model = _model()
    model.build(X.shape[1])
    checked = model.check_inputs(convert(X))
    assert sp.issparse(checked) and checked.format == "csr"
    np.testing.assert_array_equal(checked.toarray(), X)
    (dense, _), (sparse, _) = _fit_both(X, y, convert, epochs=3, batch_size=9)
    _assert_same_weights(dense, sparse)


def test_a_csr_matrix_of_the_model_dtype_is_used_as_is(rng):
    X, y = _sparse_data(rng)
    Xs = sp.csr_matrix(X)
    before = (Xs.data.copy(), Xs.indices.copy(), Xs.indptr.copy())
    model = _model()
    assert model.check_inputs(Xs) is Xs  # neither copied nor converted
    model.fit(Xs, y, epochs=2, batch_size=6)
    for a, b in zip(before, (Xs.data, Xs.indices, Xs.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


def test_unsorted_indices_and_duplicate_entries(rng):
    # Entries stored out of order, and one entry stored twice (whose values
    # add up): the products see the matrix they mean.
    X = np.zeros((4, 5))
    X[0, 3], X[0, 1], X[2, 4], X[3, 0] = 1.0, -2.0, 3.0, 0.5
    data = np.array([1.0, -2.0, 1.0, 2.0, 0.5])
    indices = np.array([3, 1, 4, 4, 0])
    indptr = np.array([0, 2, 2, 4, 5])
    Xs = sp.csr_matrix((data, indices, indptr), shape=(4, 5))
    y = np.array([1, 0, 1, 0])
    (dense, _), (sparse, _) = _fit_both(X, y, lambda _: Xs, epochs=3)
    _assert_same_weights(dense, sparse)


# -- nothing densifies the matrix ---------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_fit_predict_evaluate_never_densify(fmt, batch_size, monkeypatch, rng):
    X, y = _sparse_data(rng, n=20)
    Xs, Xv = fmt(X), fmt(X[:6])
    _forbid_densifying(monkeypatch, Xs)
    with pytest.raises(AssertionError, match="densified"):
        Xs.toarray()  # the guard itself works
    model = _model()
    model.fit(Xs, y, epochs=2, batch_size=batch_size, validation_data=(Xv, y[:6]))
    model.fit(Xs, y, epochs=1, batch_size=batch_size, validation_split=0.25)
    model.predict(Xs, batch_size=7)
    model.evaluate(Xs, y, batch_size=7)
    model.train_step(Xs, y)
    model.loss_and_gradients(Xs, y)


@pytest.mark.parametrize("batch_size", [None, 50])
def test_no_array_of_the_dense_shape_is_made(batch_size):
    # 500 x 20,000 (80 MB dense): training and predicting take a few MB,
    # not even an uninitialized work array of X's shape or of a batch's.
    Xs = sp.random(500, 20_000, density=0.001, format="csr", random_state=0)
    row_sums = np.asarray(Xs.sum(axis=1)).ravel()
    y = (row_sums > np.median(row_sums)).astype(int)
    dense_bytes = Xs.shape[0] * Xs.shape[1] * 8
    model = ml.Sequential(
        [ml.Dense(2, activation="tanh"), ml.Dense(1, activation="sigmoid")], seed=0
    )
    model.compile("binary_crossentropy", "adam")
    tracemalloc.start()
    try:
        model.fit(Xs, y, epochs=2, batch_size=batch_size)
        model.predict(Xs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < dense_bytes / 20, f"peak {peak / 1e6:.1f} MB"


def test_import_mlplab_does_not_import_scipy():
    code = "import sys, mlplab; assert 'scipy' not in sys.modules, 'scipy'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "advice"),
    [
        (ml.Rescaling(0.5), "MaxAbsScaler"),
        (ml.layers.Dropout(0.5), "Dense layer first"),
        (ml.layers.Activation("tanh"), "Dense layer first"),
        (ml.Features("x1, x2, x1*x2"), "Dense layer first"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, ml.layers.Layer) else "",
)
@pytest.mark.parametrize("call", ["fit", "predict", "forward"])
def test_layers_that_take_dense_input_refuse_a_sparse_matrix(first, advice, call):
    name = type(first).__name__
    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]))
    model = ml.Sequential([first, ml.Dense(1, activation="sigmoid")], seed=0)
    model.compile("binary_crossentropy", "sgd")
    match = rf"{name} takes dense input; received a scipy.sparse matrix.*{advice}"
    with pytest.raises(TypeError, match=match):
        if call == "fit":
            model.fit(X, [0, 1, 0])
        elif call == "predict":
            model.build(2)
            model.predict(X)
        else:
            first.build(2)
            first.forward(X, training=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinity_among_the_stored_values_is_refused(bad):
    X = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 4.0]]))
    X.data[3] = bad  # row 1, column 2
    model = _model()
    with pytest.raises(ValueError, match=r"X contains NaN or infinity .*\(1, 2\)"):
        model.fit(X, [0, 1])
    model.build(3)
    with pytest.raises(ValueError, match=r"X contains NaN or infinity"):
        model.predict(X)
    good = sp.csr_matrix(np.eye(3))
    with pytest.raises(ValueError, match=r"X_val contains NaN or infinity"):
        model.fit(good, [0, 1, 0], validation_data=(X, [0, 1]))


def test_values_too_large_for_float32_are_refused():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1e300]]))
    model = ml.Sequential([ml.Dense(1, activation="sigmoid")], dtype="float32")
    with pytest.raises(ValueError, match=r"1e\+300 at index \(1, 1\), too large"):
        model.check_inputs(X)


def test_sparse_input_of_the_wrong_shape_or_kind_is_refused():
    model = _model()
    model.build(3)
    with pytest.raises(ValueError, match="X has 4 features, but the model was built"):
        model.predict(sp.csr_matrix(np.eye(4)))
    with pytest.raises(TypeError, match="must be real; received complex"):
        model.predict(sp.csr_matrix(np.eye(3) * (1 + 1j)))
    with pytest.raises(ValueError, match="X is empty"):
        model.predict(sp.csr_matrix((0, 3)))
    with pytest.raises(ValueError, match=r"2-D .* received a sparse array of shape"):
        model.predict(sp.coo_array(np.array([1.0, 0.0, 2.0])))
