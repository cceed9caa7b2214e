"""The estimators' ``engine`` parameter: ``"numba"`` trains the compiled
engine's steps, to 1e-12 of the NumPy engine's weights, whatever the solver,
batch size, schedule or early stopping; what it does not cover is refused
at ``fit`` with a message naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

import mlplab as ml
from mlplab import engine
from mlplab.estimators import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.skipif(
    not engine.numba_available(),
    reason="Numba is not installed (pip install mlplab[fast])",
)


def _data(kind):
    X, y = ml.datasets.make_moons(120, noise=0.25, seed=0)
    if kind == "regressor":
        return X, np.column_stack([X[:, 0] * X[:, 1], np.sin(X[:, 0])])
    if kind == "multiclass":
        return X, (X[:, 0] > 0).astype(int) + y
    return X, y


def _gap(a, b):
    return max(
        float(np.abs(u - v).max() / np.abs(u).max())
        for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True)
    )


SETTINGS = {
    "sgd full batch, invscaling": dict(
        solver="sgd", batch_size=120, learning_rate="invscaling", learning_rate_init=0.5
    ),
    "sgd mini-batch, nesterov": dict(solver="sgd", batch_size=16),
    "adam mini-batch, early stopping": dict(
        solver="adam", batch_size=32, early_stopping=True, learning_rate_init=0.01
    ),
    "rmsprop, adaptive, alpha": dict(
        solver="rmsprop", learning_rate="adaptive", alpha=0.01, batch_size=40
    ),
    "adagrad float32": dict(solver="adagrad", dtype="float32", batch_size=120),
}


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regressor"])
@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_numba_trains_the_numpy_engines_weights(kind, setting):
    X, y = _data(kind)
    cls = MLPRegressor if kind == "regressor" else MLPClassifier
    params = dict(
        hidden_layer_sizes=(6, 4),
        activation="tanh",
        max_iter=40,
        random_state=0,
        n_iter_no_change=np.inf,
        **SETTINGS[setting],
    )
    with pytest.warns(ml.estimators.ConvergenceWarning):
        reference = cls(**params).fit(X, y)
    with pytest.warns(ml.estimators.ConvergenceWarning):
        compiled = cls(engine="numba", **params).fit(X, y)
    assert compiled.model_.engine == "numba" and reference.model_.engine == "numpy"
    tolerance = 1e-5 if params.get("dtype") == "float32" else 1e-12
    assert _gap(reference, compiled) < tolerance
    assert compiled.n_iter_ == reference.n_iter_
    rtol = 1e-5 if params.get("dtype") == "float32" else 1e-9
    np.testing.assert_allclose(compiled.loss_curve_, reference.loss_curve_, rtol=rtol)


def test_partial_fit_and_warm_start_switch_engines():
    X, y = _data("binary")
    params = dict(hidden_layer_sizes=(5,), random_state=0, solver="sgd")
    a = MLPClassifier(**params)
    b = MLPClassifier(engine="numba", **params)
    for _ in range(5):
        a.partial_fit(X, y, classes=[0, 1])
        b.partial_fit(X, y, classes=[0, 1])
    assert b.model_.engine == "numba"
    assert _gap(a, b) < 1e-12
    b.set_params(engine="numpy", warm_start=True, max_iter=3)
    with pytest.warns(ml.estimators.ConvergenceWarning):
        b.fit(X, y)
    assert b.model_.engine == "numpy"


def test_the_engine_is_a_parameter():
    est = MLPClassifier(engine="numba")
    assert est.get_params()["engine"] == "numba"
    assert clone(est).engine == "numba"
    assert MLPRegressor().get_params()["engine"] == "numpy"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        (
            {"engine": "fast"},
            "engine must be 'numpy' or 'numba'; received engine='fast'",
        ),
        ({"engine": None}, "received engine=None"),
        ({"engine": "numba", "solver": "lbfgs"}, "'numpy' with solver='lbfgs'"),
        ({"engine": "numba", "dropout": 0.2}, "'numpy' with dropout"),
        ({"engine": "numba", "dropout": [0.0, 0.5]}, "'numpy' with dropout"),
    ],
)
def test_what_the_compiled_engine_does_not_take_is_refused(params, says):
    X, y = _data("binary")
    est = MLPClassifier(hidden_layer_sizes=(4, 4), max_iter=2, **params)
    with pytest.raises(ValueError, match="MLPClassifier") as info:
        est.fit(X, y)
    assert says in str(info.value)


def test_sparse_input_with_the_compiled_engine_says_what_to_do():
    import scipy.sparse as sp

    X, y = _data("binary")
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, engine="numba")
    with pytest.raises(TypeError, match=r"Sparse data was passed.*dense data"):
        est.fit(sp.csr_matrix(X), y)
