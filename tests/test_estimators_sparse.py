"""The estimators take scipy.sparse input (a TF-IDF matrix into an MLP) and
train on it as on the same matrix dense, without densifying it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from mlplab.estimators import MLPClassifier, MLPRegressor

FORMATS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.csc_array, sp.coo_matrix]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    dense = rng.random((60, 40)) * (rng.random((60, 40)) < 0.1)
    y = (dense[:, :20].sum(axis=1) > dense[:, 20:].sum(axis=1)).astype(int)
    return dense, y


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("container", FORMATS)
@pytest.mark.parametrize(
    ("Estimator", "params"),
    [
        (MLPClassifier, {"solver": "adam"}),
        (MLPClassifier, {"solver": "sgd", "batch_size": 7}),
        (MLPClassifier, {"solver": "adam", "early_stopping": True}),
        (MLPRegressor, {"solver": "adam"}),
    ],
)
def test_sparse_input_trains_as_the_dense_matrix(container, Estimator, params):
    dense, y = _data()
    target = y if Estimator is MLPClassifier else y + dense[:, 0]
    kw = {"hidden_layer_sizes": (8,), "max_iter": 15, "random_state": 0, **params}
    a = Estimator(**kw).fit(dense, target)
    b = Estimator(**kw).fit(container(dense), target)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_allclose(wb, wa, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.predict(container(dense)), a.predict(dense))
    np.testing.assert_allclose(b.transform(container(dense)), a.transform(dense))


def test_nothing_densifies_the_matrix(monkeypatch):
    dense, y = _data(1)
    X = sp.csr_matrix(dense)

    def refuse(*args, **kwargs):
        raise AssertionError("the sparse matrix was densified")

    monkeypatch.setattr(sp.csr_matrix, "toarray", refuse)
    monkeypatch.setattr(sp.csr_matrix, "todense", refuse)
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (60,)
    assert clf.predict_proba(X).shape == (60, 2)


def test_sparse_input_keeps_float32():
    dense, y = _data(2)
    clf = MLPRegressor((4,), max_iter=3, random_state=0)
    clf.fit(sp.csr_matrix(dense.astype(np.float32)), y)
    assert all(W.dtype == np.float32 for W in clf.coefs_)
    assert clf.predict(sp.csr_matrix(dense.astype(np.float32))).dtype == np.float32
